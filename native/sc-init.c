// sc-init: clones the container into new namespaces, pivots into its rootfs, then waits as its PID 1.
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <linux/prctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "caps.h"

#define MAX_LIST 64
#define STACK_SIZE (256 * 1024)

struct config {
  const char *root, *hostname;
  const char *cgroups[MAX_LIST], *envs[MAX_LIST], *readonly[MAX_LIST], *masked[MAX_LIST];
  int ncgroups, nenvs, nreadonly, nmasked, grace;
  int privileged, no_new_privs, no_mknod;
  char **boot; // NULL: wait as PID 1; else the image's init to exec
  int ready_fd;
};

// The child reports a failed step through this buffer, the parent prints it.
static char errmsg[512];

static int fail(const char *fmt, ...) {
  int saved = errno;
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(errmsg, sizeof errmsg, fmt, ap);
  va_end(ap);
  if (n >= 0 && (size_t)n < sizeof errmsg)
    snprintf(errmsg + n, sizeof errmsg - n, ": %s", strerror(saved));
  return -1;
}

static void usage(const char *why) {
  fprintf(stderr, "sc-init: %s\nusage: sc-init --root DIR --hostname NAME [--cgroup DIR]... "
                  "[--grace SECONDS] [--env K=V]... [--readonly /proc/PATH]... [--mask /proc/PATH]... [--privileged]\n"
                  "       [--no-new-privs] [--no-mknod] [--boot -- CMD ARGS...]\n", why);
  exit(2);
}

// Only the kernel's own filesystems, which the container cannot have planted symlinks in.
static int kernel_path(const char *p) {
  return (!strncmp(p, "/proc/", 6) || !strncmp(p, "/sys/", 5)) && !strstr(p, "/..") && !strstr(p, "//");
}

static void parse_args(int argc, char **argv, struct config *c) {
  int boot = 0;
  c->grace = 10;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--")) {
      if (!boot || i + 1 >= argc) usage("'--' needs --boot and a command after it");
      c->boot = &argv[i + 1];
      break;
    }
    if (!strcmp(a, "--boot")) { boot = 1; continue; }
    if (!strcmp(a, "--privileged")) { c->privileged = 1; continue; }
    if (!strcmp(a, "--no-new-privs")) { c->no_new_privs = 1; continue; }
    if (!strcmp(a, "--no-mknod")) { c->no_mknod = 1; continue; }
    if (i + 1 >= argc) usage("missing value for an option");
    const char *v = argv[++i];
    if (!strcmp(a, "--root")) c->root = v;
    else if (!strcmp(a, "--hostname")) c->hostname = v;
    else if (!strcmp(a, "--cgroup") && c->ncgroups < MAX_LIST) c->cgroups[c->ncgroups++] = v;
    else if (!strcmp(a, "--env") && c->nenvs < MAX_LIST && strchr(v, '=')) c->envs[c->nenvs++] = v;
    else if (!strcmp(a, "--readonly") && c->nreadonly < MAX_LIST && kernel_path(v)) c->readonly[c->nreadonly++] = v;
    else if (!strcmp(a, "--mask") && c->nmasked < MAX_LIST && kernel_path(v)) c->masked[c->nmasked++] = v;
    else if (!strcmp(a, "--grace")) {
      char *end;
      long g = strtol(v, &end, 10);
      if (*v == '\0' || *end || g < 0 || g > 3600) usage("--grace wants whole seconds (0-3600)");
      c->grace = (int)g;
    } else usage("unknown option, bad --env (want K=V), a --readonly/--mask outside /proc and /sys, or too many repeats");
  }
  if (!c->root || !c->hostname) usage("--root and --hostname are required");
  if (boot && !c->boot) usage("--boot needs '-- CMD ARGS...'");
  if (c->root[0] != '/') usage("--root must be an absolute path");
}

static int write_file(const char *path, const char *text) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = write(fd, text, strlen(text));
  int saved = errno;
  close(fd);
  errno = saved;
  return n < 0 ? -1 : 0;
}

static int join_cgroups(const struct config *c) {
  char path[4096], pid[32];
  snprintf(pid, sizeof pid, "%d", getpid());
  for (int i = 0; i < c->ncgroups; i++) {
    snprintf(path, sizeof path, "%s/cgroup.procs", c->cgroups[i]);
    if (write_file(path, pid) < 0) return fail("join cgroup %s", c->cgroups[i]);
  }
  return 0;
}

static int mkdir_missing(const char *path, mode_t mode) {
  if (mkdir(path, mode) < 0 && errno != EEXIST) return fail("mkdir %s", path);
  return 0;
}

static int mount_at(const char *src, const char *root, const char *target, const char *fstype,
                    unsigned long flags, const char *data) {
  char path[4096];
  snprintf(path, sizeof path, "%s%s", root, target);
  if (mount(src, path, fstype, flags, data) < 0) return fail("mount %s on %s", fstype ? fstype : src, path);
  return 0;
}

// The standard /dev of a container (systemd CONTAINER_INTERFACE): a tmpfs, never the host's.
static int setup_dev(const char *root) {
  static const struct { const char *name; unsigned maj, min; } nodes[] = {
    {"null", 1, 3}, {"zero", 1, 5}, {"full", 1, 7}, {"random", 1, 8}, {"urandom", 1, 9}, {"tty", 5, 0},
  };
  static const struct { const char *target, *link; } links[] = {
    {"pts/ptmx", "ptmx"}, {"/proc/self/fd", "fd"}, {"/proc/self/fd/0", "stdin"},
    {"/proc/self/fd/1", "stdout"}, {"/proc/self/fd/2", "stderr"},
  };
  char path[4096];
  if (mount_at("tmpfs", root, "/dev", "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k") < 0) return -1;
  for (size_t i = 0; i < sizeof nodes / sizeof nodes[0]; i++) {
    snprintf(path, sizeof path, "%s/dev/%s", root, nodes[i].name);
    if (mknod(path, S_IFCHR | 0666, makedev(nodes[i].maj, nodes[i].min)) < 0) return fail("mknod %s", path);
  }
  for (size_t i = 0; i < sizeof links / sizeof links[0]; i++) {
    snprintf(path, sizeof path, "%s/dev/%s", root, links[i].link);
    if (symlink(links[i].target, path) < 0) return fail("symlink %s", path);
  }
  snprintf(path, sizeof path, "%s/dev/pts", root);
  if (mkdir_missing(path, 0755) < 0) return -1;
  if (mount_at("devpts", root, "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
               "newinstance,ptmxmode=0666,mode=0620,gid=5") < 0) return -1;
  snprintf(path, sizeof path, "%s/dev/shm", root);
  if (mkdir_missing(path, 01777) < 0) return -1;
  return mount_at("shm", root, "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
}

// The caller's policy (sc-spawn's): kernel knobs made read-only, kernel state masked. Paths this
// kernel lacks are skipped: there is nothing to protect.
static int confine_proc(const struct config *c) {
  const char *root = c->root;
  char path[4096], null[4096];
  struct stat st;
  for (int i = 0; i < c->nreadonly; i++) {
    snprintf(path, sizeof path, "%s%s", root, c->readonly[i]);
    if (lstat(path, &st) < 0) continue;
    if (mount(path, path, NULL, MS_BIND, NULL) < 0) return fail("bind %s", path);
    if (mount(NULL, path, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
      return fail("remount %s read-only", path);
  }
  snprintf(null, sizeof null, "%s/dev/null", root);
  for (int i = 0; i < c->nmasked; i++) {
    snprintf(path, sizeof path, "%s%s", root, c->masked[i]);
    if (lstat(path, &st) < 0) continue;
    int rc = S_ISDIR(st.st_mode) ? mount("tmpfs", path, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=0")
                                 : mount(null, path, NULL, MS_BIND, NULL);
    if (rc < 0) return fail("mask %s", path);
  }
  return 0;
}

static int setup_mounts(const struct config *c) {
  static const char *const dirs[] = {"/proc", "/sys", "/dev"};
  const char *root = c->root;
  char path[4096];
  // Private first, so nothing we mount propagates back to the host.
  if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) return fail("make / private");
  if (mount(root, root, NULL, MS_BIND | MS_REC, NULL) < 0) return fail("bind %s on itself", root);
  for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
    snprintf(path, sizeof path, "%s%s", root, dirs[i]);
    if (mkdir_missing(path, 0755) < 0) return -1;
  }
  if (mount_at("proc", root, "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0) return -1;
  if (mount_at("sysfs", root, "/sys", "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0) return -1;
  if (setup_dev(root) < 0) return -1;
  // Masking binds the container's own /dev/null, so it comes after /dev.
  return confine_proc(c);
}

static int pivot_into(const char *root) {
  if (chdir(root) < 0) return fail("chdir %s", root);
  // pivot_root(".", ".") stacks the old root under the new one; detaching "." then drops it.
  if (syscall(SYS_pivot_root, ".", ".") < 0) return fail("pivot_root into %s", root);
  if (umount2(".", MNT_DETACH) < 0) return fail("detach the old root");
  if (chdir("/") < 0) return fail("chdir /");
  return 0;
}

static int loopback_up(void) {
  struct ifreq ifr = {0};
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return fail("socket for lo");
  strcpy(ifr.ifr_name, "lo");
  int rc = ioctl(fd, SIOCGIFFLAGS, &ifr);
  if (rc == 0) {
    ifr.ifr_flags |= IFF_UP;
    rc = ioctl(fd, SIOCSIFFLAGS, &ifr);
  }
  if (rc < 0) fail("bring lo up");
  close(fd);
  return rc;
}

// We never exec, so /proc/1/environ (read by sc-enter and systemd-detect-virt) would still show the
// caller's environment: point the kernel at a copy of the new one (PR_SET_MM_MAP needs no CAP_SYS_RESOURCE).
static int publish_env(void) {
  size_t size = 0;
  for (char **e = environ; *e; e++) size += strlen(*e) + 1;
  char *env = malloc(size), *p = env, stat[2048];
  if (!env) return fail("allocate the environment");
  for (char **e = environ; *e; e++) p = stpcpy(p, *e) + 1;
  int fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
  ssize_t n = fd < 0 ? -1 : read(fd, stat, sizeof stat - 1);
  if (fd >= 0) close(fd);
  if (n <= 0) return fail("read /proc/self/stat");
  stat[n] = '\0';
  // The map must restate every field: take them from /proc/self/stat (fields 4-52, after comm and state).
  unsigned long long f[53] = {0};
  p = strchr(strrchr(stat, ')') + 2, ' ');
  for (int i = 4; i <= 52; i++) f[i] = strtoull(p, &p, 10);
  struct prctl_mm_map map = {
    .start_code = f[26], .end_code = f[27], .start_data = f[45], .end_data = f[46], .start_brk = f[47],
    .brk = (unsigned long)syscall(SYS_brk, 0), .start_stack = f[28], .arg_start = f[48], .arg_end = f[49],
    .env_start = (unsigned long)env, .env_end = (unsigned long)env + size, .exe_fd = (unsigned)-1,
  };
  if (prctl(PR_SET_MM, PR_SET_MM_MAP, &map, sizeof map, 0) < 0) return fail("publish the environment (PR_SET_MM_MAP)");
  return 0;
}

static int setup_env(const struct config *c) {
  int has_term = 0;
  clearenv();
  if (setenv("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", 1) < 0 ||
      setenv("HOME", "/root", 1) < 0 || setenv("container", "sc", 1) < 0) return fail("setenv");
  for (int i = 0; i < c->nenvs; i++) {
    if (putenv((char *)c->envs[i]) < 0) return fail("putenv %s", c->envs[i]);
    if (!strncmp(c->envs[i], "TERM=", 5)) has_term = 1;
  }
  if (!has_term && setenv("TERM", "xterm", 1) < 0) return fail("setenv TERM");
  // Not fatal: a kernel without PR_SET_MM_MAP (CONFIG_CHECKPOINT_RESTORE) keeps showing the caller's
  // environment in /proc/1/environ, and sc-enter then uses the defaults above instead of it.
  if (publish_env() < 0) errmsg[0] = '\0';
  return 0;
}

// Stdio goes to the container's /dev/null, so the caller's pipes close when sc-init returns.
static int stdio_to_null(void) {
  int fd = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (fd < 0) return fail("open /dev/null");
  for (int i = 0; i < 3; i++)
    if (dup2(fd, i) < 0) return fail("dup2 /dev/null");
  close(fd);
  return 0;
}

static int setup_container(const struct config *c) {
  // Everything inherited beyond stdio and the ready pipe stays outside the container.
  if (c->ready_fd > 3) close_range(3, c->ready_fd - 1, 0);
  close_range(c->ready_fd + 1, ~0U, 0);
  if (setsid() < 0) return fail("setsid");
  umask(0);
  if (setup_mounts(c) < 0 || pivot_into(c->root) < 0) return -1;
  umask(022);
  if (sethostname(c->hostname, strlen(c->hostname)) < 0) return fail("sethostname %s", c->hostname);
  if (loopback_up() < 0 || setup_env(c) < 0 || stdio_to_null() < 0) return -1;
  // Last: the steps above need the capabilities a confined container loses here.
  if (!c->privileged) {
    // Without a devices cgroup (v2 needs BPF, which we do not load) mknod would reach the host's disks.
    const char *failed = limit_caps(c->no_mknod ? default_caps & ~CAP(MKNOD) : default_caps);
    if (failed) return fail("%s", failed);
  }
  if (c->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) return fail("set no_new_privs");
  return 0;
}

static long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

// Reaps every exited child; returns 1 once no child is left.
static int reap_children(void) {
  for (;;) {
    pid_t p = waitpid(-1, NULL, WNOHANG);
    if (p > 0) continue;
    return p < 0 && errno == ECHILD;
  }
}

// Processes joined by sc-enter are not our children, so also look at our pid namespace's /proc.
static int others_alive(void) {
  DIR *d = opendir("/proc");
  struct dirent *e;
  int found = 0;
  if (!d) return 0;
  while (!found && (e = readdir(d)))
    found = e->d_name[0] >= '1' && e->d_name[0] <= '9' && strcmp(e->d_name, "1");
  closedir(d);
  return found;
}

static void drain(int sfd) {
  struct signalfd_siginfo si;
  while (read(sfd, &si, sizeof si) == sizeof si) {}
}

// The stop sequence: SIGTERM to all, up to `grace` seconds to exit, then SIGKILL.
static void stop_container(int sfd, int grace) {
  long deadline = now_ms() + grace * 1000L;
  kill(-1, SIGTERM);
  for (;;) {
    int no_children = reap_children();
    long left = deadline - now_ms();
    if ((no_children && !others_alive()) || left <= 0) break;
    struct pollfd pfd = {.fd = sfd, .events = POLLIN};
    // Non-children do not send SIGCHLD, so wake up every 100 ms to look again.
    if (poll(&pfd, 1, left < 100 ? (int)left : 100) > 0) drain(sfd);
  }
  kill(-1, SIGKILL);
  while (waitpid(-1, NULL, 0) > 0 || errno == EINTR) {}
  exit(0);
}

static void wait_as_pid1(int grace) {
  sigset_t all;
  sigfillset(&all);
  sigprocmask(SIG_BLOCK, &all, NULL);
  int sfd = signalfd(-1, &all, SFD_CLOEXEC | SFD_NONBLOCK);
  if (sfd < 0) _exit(1);
  for (;;) {
    struct pollfd pfd = {.fd = sfd, .events = POLLIN};
    struct signalfd_siginfo si;
    if (poll(&pfd, 1, -1) < 0) continue;
    while (read(sfd, &si, sizeof si) == sizeof si) {
      int sig = (int)si.ssi_signo;
      if (sig == SIGCHLD) reap_children();
      else if (sig == SIGTERM || sig == SIGINT || sig == SIGPWR || sig == SIGRTMIN + 3) stop_container(sfd, grace);
    }
  }
}

// Ready protocol: "ok" when setup is done, then an error only if exec --boot fails; EOF ends it.
static void report(int fd, const char *msg) {
  if (write(fd, msg, strlen(msg)) < 0) _exit(1);
}

static int container_main(void *arg) {
  struct config *c = arg;
  if (setup_container(c) < 0) {
    report(c->ready_fd, errmsg);
    _exit(1);
  }
  report(c->ready_fd, "ok");
  if (c->boot) {
    // The pipe is O_CLOEXEC: a successful exec closes it.
    execv(c->boot[0], c->boot);
    fail("exec %s", c->boot[0]);
    report(c->ready_fd, errmsg);
    _exit(1);
  }
  close(c->ready_fd);
  wait_as_pid1(c->grace);
  return 0;
}

int main(int argc, char **argv) {
  static struct config c;
  int pipefd[2];
  parse_args(argc, argv, &c);
  if (join_cgroups(&c) < 0 || pipe2(pipefd, O_CLOEXEC) < 0) {
    if (!errmsg[0]) fail("pipe");
    fprintf(stderr, "sc-init: %s\n", errmsg);
    return 1;
  }
  c.ready_fd = pipefd[1];
  char *stack = malloc(STACK_SIZE);
  if (!stack) { fprintf(stderr, "sc-init: out of memory\n"); return 1; }
  int flags = CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWCGROUP | SIGCHLD;
  pid_t pid = clone(container_main, stack + STACK_SIZE, flags, &c);
  if (pid < 0) {
    fprintf(stderr, "sc-init: clone into new namespaces: %s\n", strerror(errno));
    return 1;
  }
  close(pipefd[1]);
  char buf[sizeof errmsg + 2] = "";
  size_t len = 0;
  ssize_t n;
  while (len < sizeof buf - 1 && ((n = read(pipefd[0], buf + len, sizeof buf - 1 - len)) > 0 || (n < 0 && errno == EINTR)))
    if (n > 0) len += (size_t)n;
  buf[len] = '\0';
  if (strcmp(buf, "ok")) {
    const char *msg = strncmp(buf, "ok", 2) ? buf : buf + 2;
    waitpid(pid, NULL, 0);
    fprintf(stderr, "sc-init: %s\n", msg[0] ? msg : "container init died during setup");
    return 1;
  }
  printf("{\"pid\":%d}\n", pid);
  return fflush(stdout) == 0 ? 0 : 1;
}
