// sc-console: keeps a container's console (the master of the pty its PID 1 writes to) while it lives, so that its
// output is logged and never blocks PID 1, and one person at a time can attach a terminal, as to a VM's serial line.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "fds.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

#define MASTER 3
#define BUF_SIZE (64 * 1024)
#define DRAIN_QUIET_MS 200   // PID 1 has exited: the console is done once it stays quiet this long
#define DRAIN_MAX_MS 2000    // ...or after this long, whatever is still writing
#define SLAVE_RETRY_MS 100   // no slave open (and none we could hold): look again this often

static const char busy[] = "sc-console: the console is in use by another session\n";
static char buf[BUF_SIZE];
static const char *log_path, *socket_path;
static int log_fd = -1, client = -1;
static off_t log_size, log_max = 1 << 20;
static struct stat socket_st;
static struct termios saved_tty;
static int raw_tty;

static void die(int code, const char *fmt, ...) {
  va_list ap;
  fputs("sc-console: ", stderr);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  exit(code);
}

static void usage(const char *why) {
  die(2, "%s\nusage: sc-console keep --pid PID --log FILE --socket PATH [--log-max BYTES]   (fd 3: the console's pty master)\n"
         "       sc-console attach --socket PATH [--escape CHAR]   (CHAR: one character, or ^X; default ^])", why);
}

static long long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static int write_all(int fd, const char *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    struct pollfd ready = {.fd = fd, .events = POLLOUT};
    // A descriptor the caller shares may be non-blocking: wait for room rather than fail.
    if (w < 0 && errno == EAGAIN && poll(&ready, 1, -1) >= 0) continue;
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return -1;
    p += w, n -= (size_t)w;
  }
  return 0;
}

static struct sockaddr_un socket_address(const char *path) {
  struct sockaddr_un a = {.sun_family = AF_UNIX};
  if (strlen(path) >= sizeof a.sun_path) usage("--socket: the path is too long for a unix socket");
  strcpy(a.sun_path, path);
  return a;
}

static void open_log(void) {
  struct stat st;
  // O_NONBLOCK: a FIFO planted there fails the open instead of hanging it.
  log_fd = open(log_path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | O_CLOEXEC, 0600);
  if (log_fd >= 0 && (fstat(log_fd, &st) < 0 || !S_ISREG(st.st_mode))) close(log_fd), log_fd = -1, errno = EINVAL;
  log_size = log_fd >= 0 ? st.st_size : 0;
}

// FILE becomes FILE.1 (replacing the older one) when it is full: the log holds at most 2 x --log-max.
static void rotate_log(void) {
  char old[PATH_MAX + 3];
  snprintf(old, sizeof old, "%s.1", log_path);
  if (rename(log_path, old) < 0 && log_fd >= 0) {
    if (ftruncate(log_fd, 0) < 0) {}  // cannot rotate: stay bounded by losing the older output instead
  }
  if (log_fd >= 0) close(log_fd);
  open_log();
}

// The log never blocks the console: what cannot be written (no space, a removed directory) is lost.
static void log_write(const char *p, size_t n) {
  while (n > 0) {
    if (log_fd < 0) open_log();
    else if (log_size >= log_max) rotate_log();
    if (log_fd < 0) return;
    size_t room = (size_t)(log_max - log_size);
    ssize_t w = write(log_fd, p, n < room ? n : room);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return;
    log_size += w, p += w, n -= (size_t)w;
  }
}

static void drop_client(void) {
  if (client >= 0) close(client);
  client = -1;
}

static int hung_up(int fd) {
  struct pollfd p = {.fd = fd};
  return poll(&p, 1, 0) > 0 && (p.revents & (POLLHUP | POLLERR));
}

// A client that does not read loses what it cannot take: the console and the log never wait for it.
static void to_client(const char *p, size_t n) {
  if (client >= 0 && send(client, p, n, MSG_DONTWAIT | MSG_NOSIGNAL) < 0 && errno != EAGAIN && errno != EINTR) drop_client();
}

static void to_master(const char *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(MASTER, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return;  // the console's input is full: the rest is lost, as on a serial line
    p += w, n -= (size_t)w;
  }
}

static void accept_client(int listener, struct pollfd *slot) {
  int c = accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (c < 0) return;
  if (client >= 0 && !hung_up(client)) {
    if (send(c, busy, sizeof busy - 1, MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {}
    close(c);
    return;
  }
  drop_client();
  client = c;
  *slot = (struct pollfd){.fd = c, .events = POLLIN};
}

// Only a socket is replaced; anything else at PATH (a file, a link) is someone's, and left alone.
static int listen_socket(void) {
  struct sockaddr_un a = socket_address(socket_path);
  struct stat st;
  if (lstat(socket_path, &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) die(1, "%s exists and is not a socket: remove it, or choose another --socket", socket_path);
    if (unlink(socket_path) < 0) die(1, "remove the old socket %s: %s", socket_path, strerror(errno));
  }
  int s = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  mode_t old = umask(0177);
  int bound = s >= 0 && bind(s, (struct sockaddr *)&a, sizeof a) == 0;
  umask(old);
  if (!bound || listen(s, 4) < 0 || lstat(socket_path, &socket_st) < 0) die(1, "listen on %s: %s", socket_path, strerror(errno));
  return s;
}

// Removes our socket, but not one a newer keeper has since put at the same path.
static void remove_socket(void) {
  struct stat st;
  if (lstat(socket_path, &st) == 0 && st.st_ino == socket_st.st_ino && st.st_dev == socket_st.st_dev) unlink(socket_path);
}

static int keep(long pid) {
  int ptn, null, pidfd = (int)syscall(SYS_pidfd_open, (pid_t)pid, 0);
  if (ioctl(MASTER, TIOCGPTN, &ptn) < 0) usage("fd 3 must be the master side of the console's pty");
  if (pidfd < 0) die(1, "process %ld: %s", pid, errno == ESRCH ? "it has exited" : strerror(errno));
  // Holding a slave ourselves: PID 1 closing and reopening /dev/console (systemd does) is no hangup to us.
  int peer = ioctl(MASTER, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (fcntl(MASTER, F_SETFL, fcntl(MASTER, F_GETFL) | O_NONBLOCK) < 0) die(1, "fd 3: %s", strerror(errno));
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  sigprocmask(SIG_BLOCK, &stop, NULL);
  int signals = signalfd(-1, &stop, SFD_NONBLOCK | SFD_CLOEXEC);
  if (signals < 0) die(1, "signalfd: %s", strerror(errno));
  signal(SIGHUP, SIG_IGN);
  signal(SIGPIPE, SIG_IGN);
  int listener = listen_socket();
  open_log();
  if (log_fd < 0) {
    int saved = errno;
    remove_socket();
    die(1, "open the log %s: %s", log_path, saved == ENXIO || saved == EINVAL ? "it is not a regular file" : strerror(saved));
  }
  // A daemon from here: no cwd, terminal or stdio of the caller's. Stdio at EOF also tells it we listen.
  if ((null = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0 || chdir("/") < 0) die(1, "detach: %s", strerror(errno));
  dup2(null, STDIN_FILENO), dup2(null, STDOUT_FILENO), dup2(null, STDERR_FILENO);
  close(null);
  setsid();

  enum { LISTENER, CLIENT, CONSOLE, EXITED, SIGNALS };
  struct pollfd p[] = {[LISTENER] = {listener, POLLIN, 0}, [CLIENT] = {-1, POLLIN, 0}, [CONSOLE] = {MASTER, POLLIN, 0},
                       [EXITED] = {pidfd, POLLIN, 0}, [SIGNALS] = {signals, POLLIN, 0}};
  long long deadline = 0, retry_at = 0;
  int status = 0;
  for (;;) {
    if (p[CONSOLE].fd < 0 && now_ms() >= retry_at) p[CONSOLE].fd = MASTER;
    int n = poll(p, sizeof p / sizeof p[0], deadline ? DRAIN_QUIET_MS : p[CONSOLE].fd < 0 ? SLAVE_RETRY_MS : -1);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n < 0) status = 1;
    if (n < 0 || (n == 0 && deadline) || p[SIGNALS].revents) break;
    if (p[EXITED].revents) {
      // Every process of the container is gone with its PID 1: once our own slave is closed, what is
      // left to read ends in EIO, and we are done at once (no waiting out a quiet period).
      p[EXITED].fd = -1, deadline = now_ms() + DRAIN_MAX_MS;
      if (peer >= 0) close(peer), peer = -1;
      if (p[CONSOLE].fd < 0) p[CONSOLE].fd = MASTER;
    }
    if (p[CLIENT].revents) {
      ssize_t r = p[CLIENT].events ? read(client, buf, sizeof buf) : 0;
      if (r > 0) to_master(buf, (size_t)r);
      else if (r < 0 && (errno == EAGAIN || errno == EINTR)) {}
      else if (r < 0 || (p[CLIENT].revents & (POLLHUP | POLLERR))) drop_client();
      else p[CLIENT].events = 0;  // it has sent all it will (shutdown): it still gets the output until it goes
    }
    if (p[CONSOLE].revents) {
      ssize_t r = read(MASTER, buf, sizeof buf);
      if (r > 0) log_write(buf, (size_t)r), to_client(buf, (size_t)r);
      else if (r < 0 && (errno == EAGAIN || errno == EINTR)) {}
      else if (deadline) break;  // EIO: no slave is open any more, and PID 1 is gone
      // No slave open for now (poll would say so without end): look again soon.
      else p[CONSOLE].fd = -1, retry_at = now_ms() + SLAVE_RETRY_MS;
    }
    if (client < 0) p[CLIENT].fd = -1;
    if (p[LISTENER].revents) accept_client(listener, &p[CLIENT]);
    if (deadline && now_ms() > deadline) break;
  }
  drop_client();
  remove_socket();
  if (peer >= 0) close(peer);
  return status;
}

static void restore_tty(void) {
  if (raw_tty) tcsetattr(STDIN_FILENO, TCSADRAIN, &saved_tty);
}

static void restore_and_die(int sig) {
  restore_tty();
  signal(sig, SIG_DFL);
  raise(sig);
}

static int connect_console(void) {
  struct sockaddr_un a = socket_address(socket_path);
  int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s < 0) die(1, "socket: %s", strerror(errno));
  while (connect(s, (struct sockaddr *)&a, sizeof a) < 0) {
    if (errno == EINTR) continue;
    if (errno == ENOENT || errno == ECONNREFUSED) die(1, "no console at %s (is the container running?)", socket_path);
    die(1, "connect to %s: %s", socket_path, strerror(errno));
  }
  return s;
}

static int attach(int escape) {
  int s = connect_console(), first = 1;
  signal(SIGPIPE, SIG_IGN);
  if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved_tty) == 0) {
    struct termios raw = saved_tty;
    static const int fatal[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
    struct sigaction sa = {.sa_handler = restore_and_die};
    for (size_t i = 0; i < sizeof fatal / sizeof fatal[0]; i++) sigaction(fatal[i], &sa, NULL);
    atexit(restore_tty);
    cfmakeraw(&raw);
    raw_tty = tcsetattr(STDIN_FILENO, TCSADRAIN, &raw) == 0;
  }
  struct pollfd p[] = {{STDIN_FILENO, POLLIN, 0}, {s, POLLIN, 0}};
  for (;;) {
    // Once our input has ended, what the console still answers is shown until it is quiet for a second;
    // before the keeper's first word (a refusal, on a loaded host, can take more than that) for ten.
    int n = poll(p, 2, p[0].fd < 0 ? (first ? 10000 : 1000) : -1);
    if (n == 0) return 0;
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n < 0) die(1, "poll: %s", strerror(errno));
    if (p[1].revents) {
      ssize_t r = read(s, buf, sizeof buf);
      if (r < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (r <= 0) return 0;  // the keeper closed: the container has stopped
      // The keeper's refusal is its only message, sent whole: an error, not console output.
      if (first && r == sizeof busy - 1 && !memcmp(buf, busy, sizeof busy - 1)) {
        restore_tty();
        fputs(busy, stderr);
        exit(1);
      }
      first = 0;
      if (write_all(STDOUT_FILENO, buf, (size_t)r) < 0) die(1, "write to stdout: %s", strerror(errno));
    }
    if (p[0].revents) {
      ssize_t r = read(STDIN_FILENO, buf, sizeof buf);
      if (r < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (r <= 0) {
        shutdown(s, SHUT_WR);
        p[0].fd = -1;
        continue;
      }
      char *esc = raw_tty ? memchr(buf, escape, (size_t)r) : NULL;
      if (write_all(s, buf, esc ? (size_t)(esc - buf) : (size_t)r) < 0) return 0;  // the keeper has gone
      if (esc) return 0;
    }
  }
}

// ^X (any case), ^? (DEL), or one character as it is.
static int parse_escape(const char *v) {
  if (v[0] == '^' && v[1] && !v[2] && (v[1] == '?' || (v[1] >= '@' && v[1] <= '_') || (v[1] >= 'a' && v[1] <= 'z')))
    return v[1] == '?' ? 0x7f : (v[1] & 0x1f);
  if (v[0] && !v[1]) return (unsigned char)v[0];
  usage("--escape wants one character, or ^X");
  return -1;
}

int main(int argc, char **argv) {
  long pid = 0;
  int escape = 0x1d, mode_keep = argc > 1 && !strcmp(argv[1], "keep");
  if (argc < 2 || (!mode_keep && strcmp(argv[1], "attach"))) usage("the first argument is keep or attach");
  for (int i = 2; i < argc; i += 2) {
    const char *a = argv[i], *v = argv[i + 1];
    char *end;
    if (!v) usage("missing value for an option");
    errno = 0;
    if (!strcmp(a, "--socket")) socket_path = v;
    else if (mode_keep && !strcmp(a, "--log")) log_path = v;
    else if (mode_keep && !strcmp(a, "--pid")) {
      pid = strtol(v, &end, 10);
      if (*end || pid <= 0 || errno) usage("--pid wants a process id");
    } else if (mode_keep && !strcmp(a, "--log-max")) {
      log_max = strtoll(v, &end, 10);
      if (*end || log_max < 4096 || errno) usage("--log-max wants a number of bytes, at least 4096");
    } else if (!mode_keep && !strcmp(a, "--escape")) escape = parse_escape(v);
    else usage("unknown option");
  }
  if (!socket_path || (mode_keep && (!pid || !log_path)))
    usage(mode_keep ? "--pid, --log and --socket are required" : "--socket is required");
  if (mode_keep && (log_path[0] != '/' || socket_path[0] != '/' || strlen(log_path) >= PATH_MAX))
    usage("--log and --socket want absolute paths");
  socket_address(socket_path);
  if (!mode_keep) return attach(escape);
  // Only fd 3 is ours: stdio may be closed (what we open must not land there); the rest is the caller's.
  int fd;
  while ((fd = open("/dev/null", O_RDWR)) >= 0 && fd < 3) {}
  if (fd > MASTER) close(fd);
  if (close_fds_from(MASTER + 1, -1, 0) < 0) die(1, "cannot close inherited descriptors");
  return keep(pid);
}
