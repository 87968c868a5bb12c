// sc-enter: runs a command inside a running container: its cgroups, namespaces, root and environment.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <grp.h>
#include <linux/filter.h>
#include <linux/magic.h>
#include <linux/seccomp.h>
#include <termios.h>
#include <unistd.h>

#include "caps.h"
#include "console-socket.h"
#include "fds.h"
#include "filter.h"
#include "identity.h"
#include "process.h"
#include "readonly-exe.h"

#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

#define MAX_LIST 64
#define ENVIRON_MAX (1 << 20)

// Joined in one setns(pidfd): the kernel enters them together (the user namespace first), or none.
static const int namespaces = CLONE_NEWCGROUP | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNET | CLONE_NEWPID | CLONE_NEWNS;
static const int forwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH};
static pid_t child;
static int master = -1;  // the container-side terminal we relay, when the caller is on a terminal
static struct termios caller_tty;

static void die(const char *fmt, ...) {
  va_list ap;
  fputs("sc-enter: ", stderr);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  exit(125);
}

static void usage(const char *why) {
  die("%s\nusage: sc-enter --pid PID [--start-time TICKS] [--cgroup DIR]... [--env K=V]... [--cwd DIR] "
      "[--privileged] [--no-new-privs] [--seccomp FILTER.bpf] -- CMD ARGS...\n"
      "       the process as an OCI config says (sc-oci exec): [--clear-env] [--user UID:GID] [--groups GID,...] [--umask OCTAL]\n"
      "       [--caps B:E:P:I:A] [--rlimit RES:SOFT:HARD]... [--console-socket SOCKET [--console-size ROWS:COLS]]\n"
      "       [--pid-file FILE] [--detach]\n"
      "       sc-enter --pid PID [--start-time TICKS] --put PATH CONTENT...   (write files inside the container)", why);
}

// FILE (its directory opened before we leave the host's root) gets the command's pid, replaced whole, as runc writes it.
static void write_pid_file(int dirfd, const char *name, pid_t pid) {
  char tmp[4200], text[32];
  snprintf(tmp, sizeof tmp, ".%s.%d.tmp", name, (int)getpid());
  int n = snprintf(text, sizeof text, "%d", (int)pid);
  int fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0 || write(fd, text, (size_t)n) != n || close(fd) < 0 || renameat(dirfd, tmp, dirfd, name) < 0) {
    int saved = errno;
    unlinkat(dirfd, tmp, 0);
    kill(pid, SIGKILL);
    die("write the pid file %s: %s", name, strerror(saved));
  }
}

static long parse_number(const char *flag, const char *v) {
  char *end;
  errno = 0;
  long n = strtol(v, &end, 10);
  if (*v == '\0' || *end || n <= 0 || errno) usage(flag);
  return n;
}

static void read_proc(long pid, const char *name, char *buf, size_t size) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%ld/%s", pid, name);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  ssize_t n = fd < 0 ? -1 : read(fd, buf, size - 1);
  if (fd >= 0) close(fd);
  buf[n > 0 ? n : 0] = '\0';
}

// PID reuse guard: field 22 of /proc/PID/stat is the start time the caller saw when it started PID.
static void check_start_time(long pid, const char *expected) {
  char buf[1024], state = 0;
  unsigned long long start = 0;
  read_proc(pid, "stat", buf, sizeof buf);
  char *p = strrchr(buf, ')');
  // After the comm: state (field 3), then 18 fields up to starttime (field 22).
  if (!p || sscanf(p + 1, " %c %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %llu",
                   &state, &start) != 2 || state == 'Z' || start != strtoull(expected, NULL, 10))
    die("the container is not running: its PID 1 (%ld) has exited", pid);
}

// The container's confinement is its PID 1's (sc-init set it): copy it rather than trust the caller.
static void load_confinement(long pid, uint64_t *caps, int *no_new_privs, int *filtered) {
  char buf[8192];
  read_proc(pid, "status", buf, sizeof buf);
  char *bnd = strstr(buf, "\nCapBnd:"), *nnp = strstr(buf, "\nNoNewPrivs:"), *sec = strstr(buf, "\nSeccomp:");
  if (!bnd || !nnp || !sec) die("cannot read the confinement of process %ld (has it exited?)", pid);
  *caps = strtoull(bnd + strlen("\nCapBnd:"), NULL, 16);
  *no_new_privs |= atoi(nnp + strlen("\nNoNewPrivs:"));
  *filtered = atoi(sec + strlen("\nSeccomp:")) != 0;
}

static void join_cgroup(const char *dir) {
  char path[4096], pid[32];
  snprintf(path, sizeof path, "%s/cgroup.procs", dir);
  snprintf(pid, sizeof pid, "%d", getpid());
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0 || write(fd, pid, strlen(pid)) < 0) die("join cgroup %s: %s", dir, strerror(errno));
  close(fd);
}

// The container's environment is its PID 1's, which sc-init set; read it before leaving our /proc.
static void load_environ(long pid) {
  static char buf[ENVIRON_MAX];
  char path[64];
  size_t len = 0;
  ssize_t n;
  snprintf(path, sizeof path, "/proc/%ld/environ", pid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) die("read %s: %s", path, strerror(errno));
  while (len < sizeof buf - 1 && (n = read(fd, buf + len, sizeof buf - 1 - len)) > 0) len += (size_t)n;
  close(fd);
  buf[len] = '\0';
  const char *term = getenv("TERM");
  char *keep_term = term ? strdup(term) : NULL;
  // sc-init publishes the container's environment; where the kernel would not let it (no
  // PR_SET_MM_MAP), /proc/PID/environ is still its caller's: take none of that, only the defaults.
  int published = 0;
  for (char *kv = buf; kv < buf + len; kv += strlen(kv) + 1) published |= !strcmp(kv, "container=sc");
  clearenv();
  if (published) {
    for (char *kv = buf; kv < buf + len; kv += strlen(kv) + 1)
      if (strchr(kv, '=')) putenv(kv);
  } else {
    setenv("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", 1);
    setenv("HOME", "/root", 1);
    setenv("container", "sc", 1);
  }
  if (keep_term) setenv("TERM", keep_term, 1);
}

static void forward_signal(int sig) {
  struct winsize ws;
  // On a relayed terminal a resize is the terminal's business: its line discipline signals the child.
  if (sig == SIGWINCH && master >= 0) {
    if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0) ioctl(master, TIOCSWINSZ, &ws);
    return;
  }
  if (child > 0) kill(child, sig);
}

// A terminal of the container's own (from its devpts), as `docker exec -it` gives: `tty`, job control
// and programs that look up their terminal by name work inside. Returns the slave end, or -1.
static int open_container_tty(void) {
  int unlock = 0, slave;
  struct winsize ws;
  struct stat st;
  struct statfs fs;
  // The container owns its /dev: take its devpts' own ptmx, and only if it is one (not a planted link,
  // FIFO or disk node).
  if ((master = open("/dev/pts/ptmx", O_RDWR | O_NOCTTY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)) < 0)
    die("open the container's /dev/pts/ptmx: %s", strerror(errno));
  if (fstat(master, &st) < 0 || fstatfs(master, &fs) < 0 || !S_ISCHR(st.st_mode) || fs.f_type != DEVPTS_SUPER_MAGIC ||
      st.st_rdev != makedev(5, 2))
    die("the container's /dev/pts/ptmx is not its devpts' ptmx");
  fcntl(master, F_SETFL, 0);
  if (ioctl(master, TIOCSPTLCK, &unlock) < 0 || (slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY)) < 0)
    die("open a terminal in the container: %s", strerror(errno));
  if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0) ioctl(master, TIOCSWINSZ, &ws);
  return slave;
}

static void restore_caller_tty(void) { tcsetattr(STDIN_FILENO, TCSADRAIN, &caller_tty); }

static int write_all(int fd, const char *buf, ssize_t n) {
  while (n > 0) {
    ssize_t w = write(fd, buf, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return -1;
    buf += w, n -= w;
  }
  return 0;
}

// Caller's terminal (raw) <-> the container's terminal, until the command has closed its side.
static void relay_tty(void) {
  struct termios raw;
  char buf[8192];
  if (tcgetattr(STDIN_FILENO, &caller_tty) == 0) {
    atexit(restore_caller_tty);
    raw = caller_tty;
    cfmakeraw(&raw);
    tcsetattr(STDIN_FILENO, TCSADRAIN, &raw);
  }
  // The command's exit ends the relay even if something it left behind still holds the terminal.
  int exited = (int)syscall(SYS_pidfd_open, child, 0);
  struct pollfd fds[3] = {{.fd = STDIN_FILENO, .events = POLLIN}, {.fd = master, .events = POLLIN}, {.fd = exited, .events = POLLIN}};
  for (;;) {
    if (fds[2].revents & POLLIN) {
      fcntl(master, F_SETFL, O_NONBLOCK);
      fds[2].fd = -1;  // drain what is left, then stop
    }
    if (poll(fds, 3, fds[2].fd < 0 ? 0 : -1) <= 0) {
      if (fds[2].fd < 0) break;
      if (errno == EINTR) continue;
      break;
    }
    if (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) {
      ssize_t n = read(master, buf, sizeof buf);
      if (n <= 0 && errno != EINTR) break;  // EIO: every slave fd is closed
      if (n > 0 && write_all(STDOUT_FILENO, buf, n) < 0) break;
    }
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
      if (n <= 0) fds[0].fd = -1;  // the caller's input ended: keep showing the output
      else if (write_all(master, buf, n) < 0) break;
    }
  }
}

// A full disk (sc run --disk) has no room for a new file, but an existing regular file (never a
// symlink) can be rewritten within the blocks it already has: nothing is freed or allocated, so the
// rewrite cannot fail half-way for want of room. Refused (-1) when the content does not fit in them.
static int rewrite_in_place(const char *path, const char *content) {
  struct stat st;
  size_t len = strlen(content);
  int fd = open(path, O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return -1;
  int ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_blksize > 0;
  off_t allocated = ok ? (st.st_size + st.st_blksize - 1) / st.st_blksize * st.st_blksize : 0;
  ok = ok && (off_t)st.st_blocks * 512 >= allocated && (off_t)len <= allocated &&
       write_all(fd, content, (ssize_t)len) == 0 && ftruncate(fd, (off_t)len) == 0 && fsync(fd) == 0;
  return close(fd) == 0 && ok ? 0 : -1;
}

// Inside the container's root, where its symlinks resolve to its own files, never the host's: a new
// file renamed over PATH (a symlink there is replaced, not followed). sc-net keeps /etc files this way.
static void put_file(const char *path, const char *content) {
  char dir[4096], tmp[4200];
  if (path[0] != '/' || strlen(path) >= sizeof dir) die("--put wants an absolute path, not %s", path);
  snprintf(dir, sizeof dir, "%s", path);
  char *name = strrchr(dir, '/');
  *name++ = '\0';
  if (dir[0] && mkdir(dir, 0755) < 0 && errno != EEXIST) die("mkdir %s: %s", dir, strerror(errno));
  snprintf(tmp, sizeof tmp, "%s/.%s.sc-%d", dir, name, (int)getpid());
  int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0 && (errno == ENOSPC || errno == EDQUOT) && rewrite_in_place(path, content) == 0) return;
  if (fd < 0) die("create %s: %s", tmp, strerror(errno));
  int failed = write_all(fd, content, (ssize_t)strlen(content)) < 0 || fsync(fd) < 0, saved = errno;
  if (close(fd) < 0 && !failed) failed = 1, saved = errno;
  if (!failed && rename(tmp, path) < 0) failed = 1, saved = errno;
  if (!failed) return;
  unlink(tmp);  // first: its blocks are what a rewrite in place may need
  if ((saved == ENOSPC || saved == EDQUOT) && rewrite_in_place(path, content) == 0) return;
  die("write %s: %s", path, strerror(saved));
}


// PID 1 of the container, as a pidfd that stays that process, whatever happens to its pid number.
static int open_container(long pid, const char *start_time) {
  int pidfd = (int)syscall(SYS_pidfd_open, (pid_t)pid, 0);
  if (pidfd < 0 && errno == ESRCH) die("the container is not running: its PID 1 (%ld) has exited", pid);
  if (pidfd < 0) die("process %ld: %s", pid, strerror(errno));
  if (start_time) check_start_time(pid, start_time);
  return pidfd;
}

// What we read from /proc/PID was that process's only if it is still alive now (its pid is not reused while it lives).
static void check_alive(int pidfd, long pid) {
  if (syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) < 0) die("process %ld has exited", pid);
}

static int same_ns(long pid, const char *ns) {
  char path[64];
  struct stat ours, theirs;
  snprintf(path, sizeof path, "/proc/%ld/ns/%s", pid, ns);
  if (stat(path, &theirs) < 0) die("stat %s: %s", path, strerror(errno));
  snprintf(path, sizeof path, "/proc/self/ns/%s", ns);
  if (stat(path, &ours) < 0) die("stat %s: %s", path, strerror(errno));
  return ours.st_ino == theirs.st_ino && ours.st_dev == theirs.st_dev;
}

// Capabilities: the effective set to the container's (what the pty and --put work may do), the rest kept
// until the child has loaded its filter (which needs CAP_SYS_ADMIN unless no_new_privs is set).
static void lower_effective(uint64_t caps) {
  struct __user_cap_header_struct head = {.version = _LINUX_CAPABILITY_VERSION_3};
  struct __user_cap_data_struct data[2];
  if (syscall(SYS_capget, &head, data) < 0) die("read capabilities: %s", strerror(errno));
  for (int i = 0; i < 2; i++) data[i].effective &= (uint32_t)(caps >> 32 * i);
  if (syscall(SYS_capset, &head, data) < 0) die("lower capabilities: %s", strerror(errno));
}

static void raise_effective(void) {
  struct __user_cap_header_struct head = {.version = _LINUX_CAPABILITY_VERSION_3};
  struct __user_cap_data_struct data[2];
  if (syscall(SYS_capget, &head, data) < 0) die("read capabilities: %s", strerror(errno));
  for (int i = 0; i < 2; i++) data[i].effective = data[i].permitted;
  if (syscall(SYS_capset, &head, data) < 0) die("raise capabilities: %s", strerror(errno));
}

int main(int argc, char **argv) {
  long pid = 0;
  const char *start_time = NULL, *cwd = "/", *cgroups[MAX_LIST], *envs[MAX_LIST], *filter_file = NULL;
  const char *put_paths[MAX_LIST], *put_contents[MAX_LIST];
  int ncgroups = 0, nenvs = 0, nputs = 0, rootfd, privileged = 0, no_new_privs = 0, filtered = 0;
  uint64_t caps;
  char **cmd = NULL, path[64];
  struct sock_fprog filter = {0};
  static struct process proc;
  int clear_env = 0, detach = 0, term_fd = -1, pid_dir = -1;
  unsigned short rows = 0, cols = 0;
  const char *term_socket = NULL, *pid_file = NULL;
  char pid_name[4096] = "";
  run_from_readonly_mount("sc-enter", argv);
  for (int i = 1; i < argc && !cmd; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--")) {
      if (i + 1 >= argc) usage("missing command after '--'");
      cmd = &argv[i + 1];
      continue;
    }
    if (!strcmp(a, "--privileged")) { privileged = 1; continue; }
    if (!strcmp(a, "--no-new-privs")) { no_new_privs = 1; continue; }
    if (!strcmp(a, "--clear-env")) { clear_env = 1; continue; }
    if (!strcmp(a, "--detach")) { detach = 1; continue; }
    if (!strcmp(a, "--put")) {
      if (i + 2 >= argc || nputs >= MAX_LIST) usage("--put wants PATH and CONTENT");
      put_paths[nputs] = argv[++i];
      put_contents[nputs++] = argv[++i];
      continue;
    }
    if (i + 1 >= argc) usage("missing value for an option");
    const char *v = argv[++i];
    int taken = process_option(&proc, a, v);
    if (taken < 0) usage("bad value for --user, --groups, --umask, --caps, --rlimit or --oom-score-adj");
    if (taken) continue;
    if (!strcmp(a, "--pid")) pid = parse_number("--pid wants a process id", v);
    else if (!strcmp(a, "--console-socket") && v[0] == '/') term_socket = v;
    else if (!strcmp(a, "--pid-file") && v[0] == '/' && strlen(v) < sizeof pid_name) pid_file = v;
    else if (!strcmp(a, "--console-size")) {
      char *end;
      unsigned long r = strtoul(v, &end, 10), c = *end == ':' ? strtoul(end + 1, &end, 10) : 0;
      if (*end || !r || !c || r > 65535 || c > 65535) usage("--console-size wants ROWS:COLS");
      rows = (unsigned short)r, cols = (unsigned short)c;
    }
    else if (!strcmp(a, "--start-time") && parse_number("--start-time wants clock ticks", v)) start_time = v;
    else if (!strcmp(a, "--cgroup") && ncgroups < MAX_LIST) cgroups[ncgroups++] = v;
    else if (!strcmp(a, "--env") && nenvs < MAX_LIST && strchr(v, '=')) envs[nenvs++] = v;
    else if (!strcmp(a, "--cwd")) cwd = v;
    else if (!strcmp(a, "--seccomp")) filter_file = v;
    else usage("unknown option, bad --env (want K=V) or too many repeats");
  }
  if (!pid || !cmd == !nputs) usage("--pid and either '-- CMD' or --put PATH CONTENT are required");
  if (nputs && (term_socket || pid_file || detach || clear_env || proc.set_user || proc.set_caps))
    usage("--put takes none of the process's flags");
  // The caller's other open files must not reach the container.
  if (close_fds_from(3, -1, CLOSE_RANGE_CLOEXEC) < 0) die("cannot close inherited descriptors");
  // Our stat in the host's /proc, for publish_identity once we are in the container's root (closed before the fork).
  int stat_fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
  // Host paths, reached before we leave the host's root: the console socket, the pid file's directory.
  if (term_socket && (term_fd = connect_console_socket(term_socket)) < 0) die("connect to the console socket %s: %s", term_socket, strerror(errno));
  if (pid_file) {
    snprintf(pid_name, sizeof pid_name, "%s", strrchr(pid_file, '/') + 1);
    char dir[4096];
    snprintf(dir, sizeof dir, "%.*s", (int)(strrchr(pid_file, '/') - pid_file), pid_file);
    if (!pid_name[0] || (pid_dir = open(dir[0] ? dir : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
      die("open the directory of the pid file %s: %s", pid_file, pid_name[0] ? strerror(errno) : "no file name");
  }
  // Until exec, container processes must not ptrace us (our exe is unwritable in any case).
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  int pidfd = open_container(pid, start_time);
  load_confinement(pid, &caps, &no_new_privs, &filtered);
  // The command gets PID 1's filter: a filtered container with none given fails closed.
  if (cmd && filtered && !filter_file) die("process %ld runs under a seccomp filter: give it with --seccomp FILTER.bpf", pid);
  static struct sock_filter program[BPF_MAXINSNS];
  char why[512];
  if (cmd && filter_file) {
    int len = read_filter(filter_file, program, why, sizeof why);
    if (len < 0) die("%s", why);
    filter = (struct sock_fprog){.len = (unsigned short)len, .filter = program};
  }
  int userns = !same_ns(pid, "user");
  snprintf(path, sizeof path, "/proc/%ld/root", pid);
  if ((rootfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) die("open %s: %s", path, strerror(errno));
  if (clear_env) clearenv();
  else load_environ(pid);
  check_alive(pidfd, pid);
  for (int i = 0; i < ncgroups; i++) join_cgroup(cgroups[i]);
  for (int i = 0; i < nenvs; i++) putenv((char *)envs[i]);
  if (setns(pidfd, namespaces | (userns ? CLONE_NEWUSER : 0)) < 0)
    die("join the namespaces of %ld: %s", pid, errno == EINVAL ? "this kernel cannot setns by pidfd (Linux >= 5.8)" : strerror(errno));
  if (fchdir(rootfd) < 0 || chroot(".") < 0) die("enter the root of %ld: %s", pid, strerror(errno));
  close(rootfd);
  // In a user namespace we arrive as an unmapped id: become its root, the container's root.
  if (userns && (setresgid(0, 0, 0) < 0 || setgroups(0, NULL) < 0 || setresuid(0, 0, 0) < 0))
    die("become root of the container's user namespace: %s", strerror(errno));
  if (!privileged) lower_effective(caps);
  // What the command creates gets the container's usual modes, not its caller's umask (sc's is 077).
  umask(022);
  if (nputs) {
    // Dropping from the bounding set takes CAP_SETPCAP, which the container's own set may lack: raised for it first.
    if (!privileged) raise_effective();
    const char *failed = privileged ? NULL : limit_caps(caps);
    if (failed) die("%s: %s", failed, strerror(errno));
    if (no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) die("set no_new_privs: %s", strerror(errno));
    for (int i = 0; i < nputs; i++) put_file(put_paths[i], put_contents[i]);
    return 0;
  }
  if (chdir(cwd) < 0) die("chdir %s: %s", cwd, strerror(errno));
  if (clear_env) process_default_home(proc.set_user ? proc.uid : 0);

  int slave = -1;
  if (term_fd >= 0) {
    // The terminal goes to whoever listens on the console socket (containerd's shim, conmon): no relay here.
    char name[32];
    const char *why;
    int pty = open_container_pty(&slave, name, sizeof name, &why);
    if (pty < 0) die("%s: %s", why, strerror(errno));
    if (rows) {
      struct winsize ws = {.ws_row = rows, .ws_col = cols};
      ioctl(pty, TIOCSWINSZ, &ws);
    }
    if (send_console(term_fd, pty, name) < 0) die("send the terminal to the console socket: %s", strerror(errno));
    close(pty);
    close(term_fd);
  } else if (isatty(STDIN_FILENO) && isatty(STDOUT_FILENO)) {
    slave = open_container_tty();
  }
  // Block forwarded signals until the handlers know the child, so none is lost or kills us early.
  sigset_t fwd, old;
  sigemptyset(&fwd);
  for (size_t i = 0; i < sizeof forwarded / sizeof forwarded[0]; i++) sigaddset(&fwd, forwarded[i]);
  sigprocmask(SIG_BLOCK, &fwd, &old);
  // Only a child of ours lands in the pid namespace we joined, where until it execs anyone may read its
  // /proc/PID/cmdline: ours, with host paths (libexec, cgroups, a pid file). It inherits "sc-enter" instead.
  publish_identity("sc-enter", stat_fd);
  if (stat_fd >= 0) close(stat_fd);
  child = fork();
  if (child < 0) die("fork: %s", strerror(errno));
  if (child == 0) {
    sigprocmask(SIG_SETMASK, &old, NULL);
    if (slave >= 0 && (setsid() < 0 || ioctl(slave, TIOCSCTTY, 0) < 0 || dup2(slave, 0) < 0 || dup2(slave, 1) < 0 ||
                       dup2(slave, 2) < 0)) {
      fprintf(stderr, "sc-enter: attach the container's terminal: %s\n", strerror(errno));
      _exit(125);
    }
    if (slave > 2) close(slave);
    const char *failed = NULL;
    // The process's own limits and user (sc-oci exec), its filter, and limit_caps (CAP_SETPCAP, which the
    // container's own set may lack) need the capabilities we lowered.
    int as_process = proc.set_user || proc.set_caps || proc.nrlimits || proc.set_oom || proc.set_umask;
    if (!privileged) raise_effective();
    if (as_process) failed = process_limits(&proc);
    if (!failed && filter.len && syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &filter) < 0) failed = "load the container's seccomp filter";
    if (!failed && !privileged && !proc.set_caps) failed = limit_caps(caps);
    if (!failed && as_process) failed = process_become(&proc);
    if (!failed && no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) failed = "set no_new_privs";
    if (failed) {
      fprintf(stderr, "sc-enter: %s: %s\n", failed, strerror(errno));
      _exit(125);
    }
    execvp(cmd[0], cmd);
    int code = errno == ENOENT ? 127 : 126;
    fprintf(stderr, "sc-enter: %s: %s\n", cmd[0], code == 127 ? "command not found" : strerror(errno));
    _exit(code);
  }
  if (pid_dir >= 0) write_pid_file(pid_dir, pid_name, child);
  // Detached: the command is the caller's to reap (its subreaper, containerd's shim or conmon, gets it).
  if (detach) return 0;
  // We only relay and wait from here: nothing more than the container's own capabilities (dropping from the
  // bounding set takes CAP_SETPCAP, which a container of none lacks: raised for it first).
  if (!privileged) raise_effective();
  if (!privileged && limit_caps(caps)) die("drop capabilities: %s", strerror(errno));
  struct sigaction sa = {.sa_handler = forward_signal, .sa_flags = SA_RESTART};
  for (size_t i = 0; i < sizeof forwarded / sizeof forwarded[0]; i++) sigaction(forwarded[i], &sa, NULL);
  sigprocmask(SIG_SETMASK, &old, NULL);
  if (slave >= 0) {
    close(slave);
    if (master >= 0) relay_tty();
  }
  int status;
  while (waitpid(child, &status, 0) < 0)
    if (errno != EINTR) die("wait for %s: %s", cmd[0], strerror(errno));
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
