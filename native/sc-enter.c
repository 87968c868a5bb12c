// sc-enter: runs a command inside a running container: its cgroups, namespaces, root and environment.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_LIST 64
#define ENVIRON_MAX (1 << 20)

static const char *const namespaces[] = {"cgroup", "ipc", "uts", "net", "pid", "mnt"}; // mnt last: it changes our view of /proc
static const int forwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH};
static pid_t child;

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
  die("%s\nusage: sc-enter --pid PID [--start-time TICKS] [--cgroup DIR]... [--env K=V]... [--cwd DIR] -- CMD ARGS...", why);
}

static long parse_number(const char *flag, const char *v) {
  char *end;
  errno = 0;
  long n = strtol(v, &end, 10);
  if (*v == '\0' || *end || n <= 0 || errno) usage(flag);
  return n;
}

// PID reuse guard: field 22 of /proc/PID/stat is the start time the caller saw when it started PID.
static void check_start_time(long pid, const char *expected) {
  char path[64], buf[1024], state = 0;
  unsigned long long start = 0;
  snprintf(path, sizeof path, "/proc/%ld/stat", pid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
  if (fd >= 0) close(fd);
  char *p = n > 0 ? (buf[n] = '\0', strrchr(buf, ')')) : NULL;
  // After the comm: state (field 3), then 18 fields up to starttime (field 22).
  if (!p || sscanf(p + 1, " %c %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %llu",
                   &state, &start) != 2 || state == 'Z' || start != strtoull(expected, NULL, 10))
    die("process %ld is not the container (it has exited)", pid);
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
  clearenv();
  for (char *kv = buf; kv < buf + len; kv += strlen(kv) + 1)
    if (strchr(kv, '=')) putenv(kv);
  if (keep_term) setenv("TERM", keep_term, 1);
}

static void forward_signal(int sig) {
  if (child > 0) kill(child, sig);
}

int main(int argc, char **argv) {
  long pid = 0;
  const char *start_time = NULL, *cwd = "/", *cgroups[MAX_LIST], *envs[MAX_LIST];
  int ncgroups = 0, nenvs = 0, nsfd[6], rootfd;
  char **cmd = NULL, path[64];
  for (int i = 1; i < argc && !cmd; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--")) {
      if (i + 1 >= argc) usage("missing command after '--'");
      cmd = &argv[i + 1];
      continue;
    }
    if (i + 1 >= argc) usage("missing value for an option");
    const char *v = argv[++i];
    if (!strcmp(a, "--pid")) pid = parse_number("--pid wants a process id", v);
    else if (!strcmp(a, "--start-time") && parse_number("--start-time wants clock ticks", v)) start_time = v;
    else if (!strcmp(a, "--cgroup") && ncgroups < MAX_LIST) cgroups[ncgroups++] = v;
    else if (!strcmp(a, "--env") && nenvs < MAX_LIST && strchr(v, '=')) envs[nenvs++] = v;
    else if (!strcmp(a, "--cwd")) cwd = v;
    else usage("unknown option, bad --env (want K=V) or too many repeats");
  }
  if (!pid || !cmd) usage("--pid and '-- CMD' are required");
  // The caller's other open files must not reach the container.
  close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
  if (start_time) check_start_time(pid, start_time);
  for (int i = 0; i < ncgroups; i++) join_cgroup(cgroups[i]);
  for (int i = 0; i < 6; i++) {
    snprintf(path, sizeof path, "/proc/%ld/ns/%s", pid, namespaces[i]);
    if ((nsfd[i] = open(path, O_RDONLY | O_CLOEXEC)) < 0) die("open %s: %s", path, strerror(errno));
  }
  snprintf(path, sizeof path, "/proc/%ld/root", pid);
  if ((rootfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) die("open %s: %s", path, strerror(errno));
  load_environ(pid);
  for (int i = 0; i < nenvs; i++) putenv((char *)envs[i]);
  for (int i = 0; i < 6; i++)
    if (setns(nsfd[i], 0) < 0) die("join the %s namespace of %ld: %s", namespaces[i], pid, strerror(errno));
  if (fchdir(rootfd) < 0 || chroot(".") < 0) die("enter the root of %ld: %s", pid, strerror(errno));
  if (chdir(cwd) < 0) die("chdir %s: %s", cwd, strerror(errno));

  // Block forwarded signals until the handlers know the child, so none is lost or kills us early.
  sigset_t fwd, old;
  sigemptyset(&fwd);
  for (size_t i = 0; i < sizeof forwarded / sizeof forwarded[0]; i++) sigaddset(&fwd, forwarded[i]);
  sigprocmask(SIG_BLOCK, &fwd, &old);
  // Only a child of ours lands in the pid namespace we joined.
  child = fork();
  if (child < 0) die("fork: %s", strerror(errno));
  if (child == 0) {
    sigprocmask(SIG_SETMASK, &old, NULL);
    execvp(cmd[0], cmd);
    int code = errno == ENOENT ? 127 : 126;
    fprintf(stderr, "sc-enter: %s: %s\n", cmd[0], code == 127 ? "command not found" : strerror(errno));
    _exit(code);
  }
  struct sigaction sa = {.sa_handler = forward_signal, .sa_flags = SA_RESTART};
  for (size_t i = 0; i < sizeof forwarded / sizeof forwarded[0]; i++) sigaction(forwarded[i], &sa, NULL);
  sigprocmask(SIG_SETMASK, &old, NULL);
  int status;
  while (waitpid(child, &status, 0) < 0)
    if (errno != EINTR) die("wait for %s: %s", cmd[0], strerror(errno));
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
