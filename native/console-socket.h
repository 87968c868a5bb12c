// A terminal handed to whoever waits on a console socket (runc's --console-socket): a pty of the
// container's own devpts, whose master goes over the socket (SCM_RIGHTS, the slave's name as the
// message, as runc sends it) while the slave becomes the process's terminal.
#ifndef SC_CONSOLE_SOCKET_H
#define SC_CONSOLE_SOCKET_H
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

// Connected to the listener at PATH (a stream socket, else a seqpacket one), or -1 with errno.
static inline int connect_console_socket(const char *path) {
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  if (strlen(path) >= sizeof addr.sun_path) return errno = ENAMETOOLONG, -1;
  strcpy(addr.sun_path, path);
  int types[] = {SOCK_STREAM, SOCK_SEQPACKET};
  for (int i = 0; i < 2; i++) {
    int fd = socket(AF_UNIX, types[i] | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) == 0) return fd;
    int saved = errno;
    close(fd);
    errno = saved;
    if (saved != EPROTOTYPE) return -1;
  }
  return -1;
}

// A new pty of the devpts mounted at /dev/pts (the container's: only its own ptmx, never a planted link or
// another device): returns the master and sets *slave and NAME (/dev/pts/N); -1 with `why` on failure.
static inline int open_container_pty(int *slave, char *name, size_t name_size, const char **why) {
  struct stat st;
  struct statfs fs;
  int unlock = 0, n;
  int master = open("/dev/pts/ptmx", O_RDWR | O_NOCTTY | O_NOFOLLOW | O_CLOEXEC);
  if (master < 0) return *why = "open the container's /dev/pts/ptmx", -1;
  if (fstat(master, &st) < 0 || fstatfs(master, &fs) < 0 || !S_ISCHR(st.st_mode) || fs.f_type != DEVPTS_SUPER_MAGIC ||
      st.st_rdev != makedev(5, 2)) {
    close(master);
    return errno = 0, *why = "the container's /dev/pts/ptmx is not its devpts' ptmx", -1;
  }
  if (ioctl(master, TIOCSPTLCK, &unlock) < 0 || ioctl(master, TIOCGPTN, &n) < 0 ||
      (*slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY)) < 0) {
    int saved = errno;
    close(master);
    return errno = saved, *why = "open a terminal in the container", -1;
  }
  snprintf(name, name_size, "/dev/pts/%d", n);
  return master;
}

// Sends FD over SOCK with NAME as the message (what runc's receivers read).
static inline int send_console(int sock, int fd, const char *name) {
  union { char buf[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } control;
  memset(&control, 0, sizeof control);
  struct iovec iov = {.iov_base = (void *)name, .iov_len = strlen(name)};
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf, .msg_controllen = sizeof control.buf};
  struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
  cm->cmsg_level = SOL_SOCKET;
  cm->cmsg_type = SCM_RIGHTS;
  cm->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(cm), &fd, sizeof fd);
  ssize_t sent;
  do sent = sendmsg(sock, &msg, MSG_NOSIGNAL);
  while (sent < 0 && errno == EINTR);
  return sent < 0 ? -1 : 0;
}
#endif
