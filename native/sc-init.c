// sc-init: clones the container into new namespaces, pivots into its rootfs, then waits as its PID 1.
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/filter.h>
#include <linux/keyctl.h>
#include <linux/magic.h>
#include <linux/seccomp.h>
#include <linux/mount.h>
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
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "caps.h"
#include "console-socket.h"
#include "fds.h"
#include "identity.h"
#include "filter.h"
#include "process.h"
#include "resolve.h"
#include "readonly-exe.h"
#include "seccomp.h"

#define MAX_LIST 64
#define STACK_SIZE (256 * 1024)
#define ALL_NAMESPACES (CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWCGROUP)

#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif

// A mount the caller decided on (--mount): replaces sc's own /proc, /sys and /dev.
struct mountspec {
  const char *dest, *type, *src, *data;
  unsigned long flags, propagation;
  int tree; // a bind's source cloned before the clone (open_bind_sources), or -1
};

struct config {
  const char *root, *hostname, *seccomp, *seccomp_bpf, *seccomp_filter;
  const char *cgroups[MAX_LIST], *envs[MAX_LIST], *readonly[MAX_LIST], *masked[MAX_LIST], *tmpfs[MAX_LIST], *cgroupfs[MAX_LIST];
  int ncgroups, nenvs, nreadonly, nmasked, ntmpfs, ncgroupfs, grace;
  int privileged, no_new_privs, no_mknod, cgroup2;
  const char *console_keeper, *console_log, *console_socket;
  int console_master, console_slave; // the container's /dev/console: a pty whose master the keeper holds
  char console_path[128];            // its slave, /dev/pts/N of the host's devpts
  int console_keeper_fd;             // the keeper waits for PID 1's pid on it
  pid_t console_keeper_pid;
  unsigned long uid, gid, ids; // --userns: container ids 0..ids-1 are host uid.., gid..; ids == 0: no user namespace
  char **boot; // NULL: wait as PID 1; else the image's init to exec
  struct sock_fprog filter; // the compiled seccomp filter; len 0: none
  int ready_fd, maps_fd;
  // --process (sc-oci): PID 1 is the application, set up as the flags below say, held until released.
  char **process_args;
  struct process proc;
  const char *cwd, *domainname, *hold, *term_socket, *joins[MAX_LIST], *devices[MAX_LIST], *sysctls[MAX_LIST];
  struct mountspec mounts[MAX_LIST];
  int nmounts, njoins, ndevices, nsysctls, dev, readonly_root, no_pivot, new_keyring, namespaces;
  unsigned long root_propagation;
  unsigned short rows, cols;
  pid_t stdio_of;
  int stdio_fds[3], hold_fd, term_fd;
};

// The child reports a failed step through this buffer, the parent prints it.
static char errmsg[512];
// --process: paths under the container's root follow its symlinks there, as runc's do (an OCI bundle's image is
// the orchestrator's, its mounts go where the image's links say); sc's own containers refuse them.
static int links_in_root;

static int fail(const char *fmt, ...) {
  int saved = errno;
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(errmsg, sizeof errmsg, fmt, ap);
  va_end(ap);
  if (n >= 0 && (size_t)n < sizeof errmsg && saved)
    snprintf(errmsg + n, sizeof errmsg - n, ": %s", strerror(saved));
  return -1;
}

static void usage(const char *why) {
  fprintf(stderr, "sc-init: %s\nusage: sc-init --root DIR --hostname NAME [--cgroup DIR]... "
                  "[--grace SECONDS] [--env K=V]... [--readonly /proc/PATH]... [--mask /proc/PATH]... [--privileged]\n"
                  "       [--no-new-privs] [--no-mknod] [--seccomp RULES [--seccomp-bpf OUT] | --seccomp-filter BPF]\n"
                  "       [--userns UID:GID:COUNT]\n"
                  "       [--tmpfs /PATH[:OPTIONS]]... [--cgroupfs DIR:OPTIONS:ro|rw]... [--cgroup2]\n"
                  "       [--console KEEPER:LOG:SOCKET] [--boot -- CMD ARGS...]\n"
                  "   or: sc-init --root DIR [--hostname NAME] [--domainname NAME] [--cgroup DIR]... [--namespaces pid,mount,...]\n"
                  "       [--join TYPE:PATH]... [--mount DEST TYPE SOURCE FLAGS PROPAGATION DATA]... [--dev] [--device TYPE:MAJOR:MINOR:MODE:UID:GID:PATH]...\n"
                  "       [--sysctl KEY=VALUE]... [--readonly /proc/PATH]... [--mask /proc/PATH]... [--readonly-root]\n"
                  "       [--root-propagation FLAGS] [--no-pivot] [--new-keyring] [--userns UID:GID:COUNT] [seccomp flags]\n"
                  "       [--no-new-privs] [--user UID:GID] [--groups GID,...] [--umask OCTAL] [--caps B:E:P:I:A] [--rlimit RES:SOFT:HARD]...\n"
                  "       [--oom-score-adj N] [--cwd DIR] [--env K=V]... [--hold FIFO] [--stdio-of PID]\n"
                  "       [--console-socket SOCKET [--console-size ROWS:COLS]] --process -- CMD ARGS...\n", why);
  exit(2);
}

// Only the kernel's own filesystems, which the container cannot have planted symlinks in.
static int kernel_path(const char *p) {
  return (!strncmp(p, "/proc/", 6) || !strncmp(p, "/sys/", 5)) && !strstr(p, "/..") && !strstr(p, "//");
}

static void parse_userns(const char *v, struct config *c) {
  char *end;
  c->uid = strtoul(v, &end, 10);
  if (*end == ':') c->gid = strtoul(end + 1, &end, 10);
  if (*end == ':') c->ids = strtoul(end + 1, &end, 10);
  if (*end || !c->uid || !c->gid || !c->ids || c->ids > 1UL << 31 || c->uid + c->ids > 1UL << 32 || c->gid + c->ids > 1UL << 32)
    usage("--userns wants HOSTUID:HOSTGID:COUNT, e.g. 1000000:1000000:65536 (host ids above 0)");
}

// DIR:OPTIONS:ro|rw — a v1 hierarchy to mount at /sys/fs/cgroup/DIR (DIR a plain name).
static int cgroupfs_spec(const char *v) {
  const char *a = strchr(v, ':'), *b = a ? strrchr(v, ':') : NULL;
  return a && b > a && a > v && !memchr(v, '/', (size_t)(a - v)) && strncmp(v, ".", (size_t)(a - v)) &&
         (!strcmp(b, ":ro") || !strcmp(b, ":rw"));
}

// KEEPER:LOG:SOCKET — the console keeper (sc-console) and where it logs and listens.
static void parse_console(const char *v, struct config *c) {
  static char buf[3 * 4096];
  if (strlen(v) >= sizeof buf) usage("--console is too long");
  strcpy(buf, v);
  char *keeper = buf, *log = strchr(keeper, ':'), *sock = log ? strchr(log + 1, ':') : NULL;
  if (!sock || keeper[0] != '/' || log[1] != '/' || sock[1] != '/') usage("--console wants KEEPER:LOG:SOCKET, three absolute paths");
  *log++ = '\0', *sock++ = '\0';
  c->console_keeper = keeper, c->console_log = log, c->console_socket = sock;
}

// --namespaces pid,mount,uts,ipc,net,cgroup: the namespaces to make (the rest are the caller's, or joined).
static int parse_namespaces(const char *v) {
  static const struct { const char *name; int flag; } known[] = {
    {"pid", CLONE_NEWPID}, {"mount", CLONE_NEWNS}, {"uts", CLONE_NEWUTS}, {"ipc", CLONE_NEWIPC}, {"net", CLONE_NEWNET}, {"cgroup", CLONE_NEWCGROUP},
  };
  int flags = 0;
  for (const char *p = v; *p;) {
    size_t len = strcspn(p, ","), i;
    for (i = 0; i < sizeof known / sizeof known[0]; i++)
      if (strlen(known[i].name) == len && !strncmp(p, known[i].name, len)) break;
    if (i == sizeof known / sizeof known[0]) usage("--namespaces wants names from pid, mount, uts, ipc, net, cgroup");
    flags |= known[i].flag;
    p += len + (p[len] == ',');
  }
  if (!(flags & CLONE_NEWNS)) usage("--namespaces must include mount: sc always gives a container a mount namespace of its own");
  return flags;
}

// TYPE:PATH of --join, TYPE one of pid uts ipc net cgroup.
static int join_type(const char *v) {
  static const struct { const char *name; int flag; } known[] = {
    {"pid:", CLONE_NEWPID}, {"uts:", CLONE_NEWUTS}, {"ipc:", CLONE_NEWIPC}, {"net:", CLONE_NEWNET}, {"cgroup:", CLONE_NEWCGROUP},
  };
  for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
    if (!strncmp(v, known[i].name, strlen(known[i].name)) && v[strlen(known[i].name)] == '/') return known[i].flag;
  return 0;
}

static unsigned long parse_ulong(const char *flag, const char *v) {
  char *end;
  errno = 0;
  unsigned long n = strtoul(v, &end, 10);
  if (!*v || *end || errno || *v == '-') {
    fprintf(stderr, "sc-init: %s wants a number, not %s\n", flag, v);
    exit(2);
  }
  return n;
}

static void parse_args(int argc, char **argv, struct config *c) {
  int boot = 0, process = 0;
  c->grace = 10;
  c->namespaces = ALL_NAMESPACES;
  c->hold_fd = c->term_fd = -1;
  c->stdio_fds[0] = c->stdio_fds[1] = c->stdio_fds[2] = -1;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--")) {
      if ((!boot && !process) || i + 1 >= argc) usage("'--' needs --boot or --process and a command after it");
      if (boot) c->boot = &argv[i + 1];
      else c->process_args = &argv[i + 1];
      break;
    }
    if (!strcmp(a, "--boot")) { boot = 1; continue; }
    if (!strcmp(a, "--process")) { process = links_in_root = 1; continue; }
    if (!strcmp(a, "--privileged")) { c->privileged = 1; continue; }
    if (!strcmp(a, "--no-new-privs")) { c->no_new_privs = 1; continue; }
    if (!strcmp(a, "--no-mknod")) { c->no_mknod = 1; continue; }
    if (!strcmp(a, "--cgroup2")) { c->cgroup2 = 1; continue; }
    if (!strcmp(a, "--dev")) { c->dev = 1; continue; }
    if (!strcmp(a, "--readonly-root")) { c->readonly_root = 1; continue; }
    if (!strcmp(a, "--no-pivot")) { c->no_pivot = 1; continue; }
    if (!strcmp(a, "--new-keyring")) { c->new_keyring = 1; continue; }
    if (!strcmp(a, "--mount")) {
      if (i + 6 >= argc || c->nmounts >= MAX_LIST) usage("--mount wants DEST TYPE SOURCE FLAGS PROPAGATION DATA (six words; at most 64 mounts)");
      struct mountspec *m = &c->mounts[c->nmounts++];
      m->dest = argv[i + 1], m->type = argv[i + 2], m->src = argv[i + 3], m->data = argv[i + 6], m->tree = -1;
      m->flags = parse_ulong("--mount FLAGS", argv[i + 4]);
      m->propagation = parse_ulong("--mount PROPAGATION", argv[i + 5]);
      if (m->dest[0] != '/' || strstr(m->dest, "/..")) usage("a --mount DEST must be an absolute path without '..'");
      i += 6;
      continue;
    }
    if (i + 1 >= argc) usage("missing value for an option");
    const char *v = argv[++i];
    int taken = process_option(&c->proc, a, v);
    if (taken < 0) usage("bad value for --user, --groups, --umask, --caps, --rlimit or --oom-score-adj");
    if (taken) continue;
    if (!strcmp(a, "--root")) c->root = v;
    else if (!strcmp(a, "--hostname")) c->hostname = v;
    else if (!strcmp(a, "--domainname")) c->domainname = v;
    else if (!strcmp(a, "--seccomp")) c->seccomp = v;
    else if (!strcmp(a, "--seccomp-bpf")) c->seccomp_bpf = v;
    else if (!strcmp(a, "--seccomp-filter")) c->seccomp_filter = v;
    else if (!strcmp(a, "--userns")) parse_userns(v, c);
    else if (!strcmp(a, "--tmpfs") && c->ntmpfs < MAX_LIST && v[0] == '/' && !strstr(v, "..")) c->tmpfs[c->ntmpfs++] = v;
    else if (!strcmp(a, "--cgroupfs") && c->ncgroupfs < MAX_LIST && cgroupfs_spec(v)) c->cgroupfs[c->ncgroupfs++] = v;
    else if (!strcmp(a, "--console")) parse_console(v, c);
    else if (!strcmp(a, "--cgroup") && c->ncgroups < MAX_LIST) c->cgroups[c->ncgroups++] = v;
    else if (!strcmp(a, "--env") && c->nenvs < MAX_LIST && strchr(v, '=')) c->envs[c->nenvs++] = v;
    else if (!strcmp(a, "--readonly") && c->nreadonly < MAX_LIST && kernel_path(v)) c->readonly[c->nreadonly++] = v;
    else if (!strcmp(a, "--mask") && c->nmasked < MAX_LIST && kernel_path(v)) c->masked[c->nmasked++] = v;
    else if (!strcmp(a, "--namespaces")) c->namespaces = parse_namespaces(v);
    else if (!strcmp(a, "--join") && c->njoins < MAX_LIST && join_type(v)) c->joins[c->njoins++] = v;
    else if (!strcmp(a, "--device") && c->ndevices < MAX_LIST) c->devices[c->ndevices++] = v;
    else if (!strcmp(a, "--sysctl") && c->nsysctls < MAX_LIST && strchr(v, '=') && v[0] != '=' && !strchr(v, '/')) c->sysctls[c->nsysctls++] = v;
    else if (!strcmp(a, "--root-propagation")) c->root_propagation = parse_ulong(a, v);
    else if (!strcmp(a, "--cwd") && v[0] == '/') c->cwd = v;
    else if (!strcmp(a, "--hold") && v[0] == '/') c->hold = v;
    else if (!strcmp(a, "--stdio-of")) c->stdio_of = (pid_t)parse_ulong(a, v);
    else if (!strcmp(a, "--console-socket") && v[0] == '/') c->term_socket = v;
    else if (!strcmp(a, "--console-size")) {
      char *end;
      unsigned long rows = strtoul(v, &end, 10), cols = *end == ':' ? strtoul(end + 1, &end, 10) : 0;
      if (*end || !rows || !cols || rows > 65535 || cols > 65535) usage("--console-size wants ROWS:COLS");
      c->rows = (unsigned short)rows, c->cols = (unsigned short)cols;
    } else if (!strcmp(a, "--grace")) {
      char *end;
      long g = strtol(v, &end, 10);
      if (*v == '\0' || *end || g < 0 || g > 3600) usage("--grace wants whole seconds (0-3600)");
      c->grace = (int)g;
    } else usage("unknown option, bad --env (want K=V), a --readonly/--mask outside /proc and /sys, a bad --join, a relative path, or too many repeats");
  }
  if (!c->root) usage("--root is required");
  if (!c->hostname && !process) usage("--hostname is required");
  if (c->seccomp_bpf && !c->seccomp) usage("--seccomp-bpf needs --seccomp RULES");
  if (c->seccomp_filter && c->seccomp) usage("--seccomp RULES and --seccomp-filter BPF are one or the other");
  if (boot && !c->boot) usage("--boot needs '-- CMD ARGS...'");
  if (process && !c->process_args) usage("--process needs '-- CMD ARGS...'");
  if (boot && process) usage("--boot and --process are one or the other");
  if (!process && (c->hold || c->stdio_of || c->term_socket || c->nmounts || c->cwd))
    usage("--hold, --stdio-of, --console-socket, --mount and --cwd are for --process");
  if (c->console_keeper && process) usage("--console is sc's own console keeper; --process takes --console-socket");
  if ((c->hostname || c->domainname) && !(c->namespaces & CLONE_NEWUTS)) usage("--hostname and --domainname need a UTS namespace of the container's own");
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

// FILE, replaced whole (temp file and rename); for the compiled filter that sc-enter loads.
static int write_atomic(const char *file, const void *data, size_t size) {
  char tmp[4200];
  snprintf(tmp, sizeof tmp, "%s.%d.tmp", file, (int)getpid());
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return fail("create %s", tmp);
  ssize_t n = write(fd, data, size);
  int saved = errno;
  if (close(fd) < 0 || n != (ssize_t)size || rename(tmp, file) < 0) {
    if (!saved) saved = errno;
    unlink(tmp);
    errno = saved;
    return fail("write the compiled seccomp filter to %s", file);
  }
  return 0;
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

// PATH under the container's root, a directory or file of the filesystem MAGIC (0: any), as an O_PATH fd.
static int open_in(int rootfd, const char *path, int flags, long magic) {
  int fd = links_in_root ? open_in_root(rootfd, path, flags) : open_under(rootfd, path, flags);
  if (fd < 0) {
    if (!links_in_root && (errno == ELOOP || errno == EXDEV))
      return errno = 0, fail("%s in the container is a symlink or crosses one; sc never follows a container's links there", path);
    return fail("open %s in the container", path);
  }
  struct statfs fs;
  if (magic && (fstatfs(fd, &fs) < 0 || fs.f_type != magic)) {
    close(fd);
    errno = 0;
    return fail("%s in the container is not on the filesystem sc mounted there", path);
  }
  return fd;
}

static int mount_in(int rootfd, const char *target, const char *src, const char *fstype, unsigned long flags, const char *data) {
  int fd = open_in(rootfd, target, O_DIRECTORY, 0);
  if (fd < 0) return -1;
  int rc = mount(src, fd_path(fd).s, fstype, flags, data);
  close(fd);
  return rc < 0 ? fail("mount %s on %s", fstype, target) : 0;
}

static int mkdir_in(int dirfd, const char *name, mode_t mode) {
  if (mkdirat(dirfd, name, mode) < 0 && errno != EEXIST) return fail("mkdir %s", name);
  return 0;
}

// A user namespace cannot make device nodes: bind the host's (inert ones: null, zero, tty...) instead.
static int bind_host_node(int devfd, const char *name) {
  char host[64];
  int fd = openat(devfd, name, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0666);
  if (fd < 0) return fail("create /dev/%s", name);
  close(fd);
  if ((fd = open_under(devfd, name, 0)) < 0) return fail("open /dev/%s", name);
  snprintf(host, sizeof host, "/dev/%s", name);
  int rc = mount(host, fd_path(fd).s, NULL, MS_BIND, NULL);
  close(fd);
  return rc < 0 ? fail("bind the host's %s", host) : 0;
}

// The standard nodes and links of a container's /dev (systemd CONTAINER_INTERFACE, runc's defaults).
static int populate_dev(const struct config *c, int devfd) {
  static const struct { const char *name; unsigned maj, min; } nodes[] = {
    {"null", 1, 3}, {"zero", 1, 5}, {"full", 1, 7}, {"random", 1, 8}, {"urandom", 1, 9}, {"tty", 5, 0},
  };
  static const struct { const char *target, *link; } links[] = {
    {"pts/ptmx", "ptmx"}, {"/proc/self/fd", "fd"}, {"/proc/self/fd/0", "stdin"},
    {"/proc/self/fd/1", "stdout"}, {"/proc/self/fd/2", "stderr"},
  };
  for (size_t i = 0; i < sizeof nodes / sizeof nodes[0]; i++) {
    if (c->ids ? bind_host_node(devfd, nodes[i].name) < 0
               : mknodat(devfd, nodes[i].name, S_IFCHR | 0666, makedev(nodes[i].maj, nodes[i].min)) < 0 &&
                     fail("mknod /dev/%s", nodes[i].name) < 0)
      return -1;
  }
  for (size_t i = 0; i < sizeof links / sizeof links[0]; i++)
    if (symlinkat(links[i].target, devfd, links[i].link) < 0 && fail("symlink /dev/%s", links[i].link) < 0) return -1;
  return 0;
}

// The standard /dev of a container: a tmpfs, never the host's.
static int setup_dev(const struct config *c, int rootfd) {
  if (mount_in(rootfd, "dev", "tmpfs", "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k") < 0) return -1;
  int devfd = open_in(rootfd, "dev", O_DIRECTORY, TMPFS_MAGIC), rc = -1;
  if (devfd < 0) return -1;
  if (populate_dev(c, devfd) < 0 || mkdir_in(devfd, "pts", 0755) < 0 ||
      mount_in(devfd, "pts", "devpts", "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620,gid=5") < 0 ||
      mkdir_in(devfd, "shm", 01777) < 0 ||
      mount_in(devfd, "shm", "shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777") < 0)
    goto out;
  rc = 0;
out:
  close(devfd);
  return rc;
}

static long kernel_fs(const char *path) { return !strncmp(path, "/proc/", 6) ? PROC_SUPER_MAGIC : SYSFS_MAGIC; }

// The caller's policy (sc-spawn's): kernel knobs made read-only, kernel state masked. A path this
// kernel lacks is skipped (nothing to protect); any other failure is an error, never a skip.
static int confine_kernel_paths(const struct config *c, int rootfd) {
  int nullfd = open_in(rootfd, "dev/null", 0, 0), fd = -1, again = -1;
  struct stat st;
  if (nullfd < 0) return -1;
  // What is bound over every masked file must be the null device itself: an image's /dev/null that leads to, say,
  // /proc/sys/kernel/core_pattern (under sc-oci a config may keep the image's /dev) would otherwise be bound
  // writable over the masked paths, and the host's core_pattern written through them (CVE-2025-31133 in runc).
  if (fstat(nullfd, &st) < 0 || !S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3)) {
    close(nullfd);
    return errno = 0, fail("/dev/null in the container is not the null device (1:3): nothing can be masked with it");
  }
  for (int i = 0; i < c->nreadonly; i++) {
    const char *p = c->readonly[i];
    if ((fd = open_in(rootfd, p, 0, kernel_fs(p))) < 0) {
      if (errno == ENOENT) continue;
      goto out;
    }
    if (mount(fd_path(fd).s, fd_path(fd).s, NULL, MS_BIND | MS_REC, NULL) < 0) { fail("bind %s", p); goto out; }
    // The new mount is reached by a fresh walk; the old fd still names what lies beneath it.
    if ((again = open_in(rootfd, p, 0, kernel_fs(p))) < 0) goto out;
    if (mount(NULL, fd_path(again).s, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0) {
      fail("remount %s read-only", p);
      goto out;
    }
    close(fd), close(again), fd = again = -1;
  }
  for (int i = 0; i < c->nmasked; i++) {
    const char *p = c->masked[i];
    if ((fd = open_in(rootfd, p, 0, kernel_fs(p))) < 0) {
      if (errno == ENOENT) continue;
      goto out;
    }
    if (fstat(fd, &st) < 0) { fail("stat %s", p); goto out; }
    int rc = S_ISDIR(st.st_mode)
      ? mount("tmpfs", fd_path(fd).s, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=0")
      : mount(fd_path(nullfd).s, fd_path(fd).s, NULL, MS_BIND, NULL);
    if (rc < 0) { fail("mask %s", p); goto out; }
    close(fd), fd = -1;
  }
  close(nullfd);
  return 0;
out:
  if (fd >= 0) close(fd);
  if (again >= 0) close(again);
  close(nullfd);
  return -1;
}

// A fresh copy of the rootfs mount stacked on it: ours to pivot into (the host's mount is locked in a
// user namespace, and pivot_root refuses it). Returns the copy's root, which replaces *rootfd.
static int stack_rootfs(int *rootfd) {
  int tree = (int)syscall(SYS_open_tree, *rootfd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE);
  if (tree < 0) return fail("copy the rootfs mount");
  if (syscall(SYS_move_mount, tree, "", *rootfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0) {
    close(tree);
    return fail("mount the rootfs copy");
  }
  close(*rootfd);
  *rootfd = tree;
  return 0;
}

// Make PATH (relative) under DIRFD, one component at a time: none of them a symlink, or with --process each
// resolved under the root, a link to what is not there yet made where it leads there (as runc's MkdirAll).
static int mkdirs_in_depth(int dirfd, const char *path, int links) {
  char part[4096];
  path += strspn(path, "/");
  for (const char *p = path; *p;) {
    const char *slash = strchr(p, '/');
    if (slash == p) { // an empty name (a link's "a//b")
      p++;
      continue;
    }
    size_t len = slash ? (size_t)(slash - path) : strlen(path);
    snprintf(part, sizeof part, "%.*s", (int)len, path);
    int fd = links_in_root ? open_in_root(dirfd, part, O_DIRECTORY) : open_under(dirfd, part, O_DIRECTORY);
    if (fd < 0 && errno == ENOENT) {
      // The one missing name, made in its parent as resolved under the root: no path walked again by mkdirat.
      char *base = strrchr(part, '/'), target[4096], next[8192];
      int pfd = dirfd;
      if (base) {
        *base = '\0';
        pfd = open_in(dirfd, part, O_DIRECTORY, 0);
        *base = '/';
        if (pfd < 0) return -1;
      }
      const char *name = base ? base + 1 : part;
      int rc = mkdirat(pfd, name, 0755), saved = errno;
      ssize_t n = rc < 0 && saved == EEXIST && links_in_root ? readlinkat(pfd, name, target, sizeof target - 1) : -1;
      if (pfd != dirfd) close(pfd);
      if (rc < 0 && saved != EEXIST) return errno = saved, fail("mkdir %s", part);
      if (n > 0) {
        // A link to nowhere: its target, then the rest, made under the root (an absolute one from the root).
        if (links >= 40) return errno = ELOOP, fail("mkdir %s", part);
        target[n] = '\0';
        snprintf(next, sizeof next, "%.*s%s%s%s", target[0] == '/' ? 0 : (int)(name - part), part, target, slash ? "/" : "", slash ? slash + 1 : "");
        return mkdirs_in_depth(dirfd, next, links + 1);
      }
      if ((fd = open_in(dirfd, part, O_DIRECTORY, 0)) < 0) return -1;
      close(fd);
    } else if (fd < 0) {
      return open_in(dirfd, part, O_DIRECTORY, 0);
    } else close(fd);
    p = slash ? slash + 1 : p + strlen(p);
  }
  return 0;
}

static int mkdirs_in(int dirfd, const char *path) {
  return mkdirs_in_depth(dirfd, path, 0);
}

// /run, /run/lock and the like for a booted init (systemd's container interface): tmpfs of its own.
static int mount_tmpfs(const struct config *c, int rootfd) {
  char path[4096], options[256];
  for (int i = 0; i < c->ntmpfs; i++) {
    const char *colon = strchr(c->tmpfs[i], ':');
    snprintf(path, sizeof path, "%.*s", (int)(colon ? colon - c->tmpfs[i] : (ptrdiff_t)strlen(c->tmpfs[i])) - 1, c->tmpfs[i] + 1);
    snprintf(options, sizeof options, "%s", colon ? colon + 1 : "mode=755");
    if (mkdirs_in(rootfd, path) < 0 || mount_in(rootfd, path, "tmpfs", "tmpfs", MS_NOSUID | MS_NODEV, options) < 0) return -1;
  }
  return 0;
}

// /sys/fs/cgroup as a booted systemd expects it: on v1, a tmpfs holding the container's own cgroup in
// each hierarchy (the cgroup namespace makes it the root), controllers read-only, name=systemd
// writable; on v2, the container's own subtree. sysfs is read-only, so the tmpfs goes over it.
static int mount_cgroupfs(const struct config *c, int rootfd) {
  char dir[256], options[256];
  if (c->cgroup2) return mount_in(rootfd, "sys/fs/cgroup", "cgroup2", "cgroup2", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
  if (!c->ncgroupfs) return 0;
  if (mount_in(rootfd, "sys/fs/cgroup", "tmpfs", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=755") < 0) return -1;
  int cgfd = open_in(rootfd, "sys/fs/cgroup", O_DIRECTORY, TMPFS_MAGIC);
  if (cgfd < 0) return -1;
  for (int i = 0; i < c->ncgroupfs; i++) {
    const char *v = c->cgroupfs[i], *a = strchr(v, ':'), *b = strrchr(v, ':');
    snprintf(dir, sizeof dir, "%.*s", (int)(a - v), v);
    snprintf(options, sizeof options, "%.*s", (int)(b - a - 1), a + 1);
    unsigned long ro = !strcmp(b, ":ro") ? MS_RDONLY : 0;
    if (mkdir_in(cgfd, dir, 0755) < 0 || mount_in(cgfd, dir, "cgroup", "cgroup", MS_NOSUID | MS_NODEV | MS_NOEXEC | ro, options) < 0) {
      close(cgfd);
      return -1;
    }
  }
  close(cgfd);
  int fd = open_in(rootfd, "sys/fs/cgroup", O_DIRECTORY, TMPFS_MAGIC);
  int rc = fd < 0 ? -1 : mount(NULL, fd_path(fd).s, NULL, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=755");
  if (fd >= 0) close(fd);
  return rc < 0 ? fail("remount /sys/fs/cgroup read-only") : 0;
}

// /dev/console: the pty slave sc-init allocated on the host, bound over an empty file in our /dev.
static int bind_console(const struct config *c, int rootfd) {
  int devfd = open_in(rootfd, "dev", O_DIRECTORY, TMPFS_MAGIC), fd = -1, rc = -1;
  if (devfd < 0) return -1;
  if ((fd = openat(devfd, "console", O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600)) < 0) { fail("create /dev/console"); goto out; }
  close(fd);
  if ((fd = open_under(devfd, "console", 0)) < 0) { fail("open /dev/console"); goto out; }
  // By path: a bind must come from our own mount namespace, and the fd is of the parent's.
  if (mount(c->console_path, fd_path(fd).s, NULL, MS_BIND, NULL) < 0) { fail("bind the console %s on /dev/console", c->console_path); goto out; }
  rc = 0;
out:
  if (fd >= 0) close(fd);
  close(devfd);
  return rc;
}

// A mount target under the container's root: a directory, or for a bind of a file an empty file.
static int make_target(int rootfd, const char *rel, int dir) {
  if (dir) return mkdirs_in(rootfd, rel);
  char parent[4096];
  const char *slash = strrchr(rel, '/');
  int pfd = rootfd;
  if (slash) {
    snprintf(parent, sizeof parent, "%.*s", (int)(slash - rel), rel);
    if (mkdirs_in(rootfd, parent) < 0 || (pfd = open_in(rootfd, parent, O_DIRECTORY, 0)) < 0) return -1;
  }
  int fd = openat(pfd, slash ? slash + 1 : rel, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
  int rc = fd < 0 && errno != EEXIST ? fail("create /%s", rel) : 0;
  if (fd >= 0) close(fd);
  if (pfd != rootfd) close(pfd);
  return rc;
}

// What a user namespace locks on a mount (its nosuid, nodev, noexec): a remount must keep them.
static unsigned long locked_flags(int fd) {
  struct statvfs v;
  if (fstatvfs(fd, &v) < 0) return 0;
  return (v.f_flag & ST_NOSUID ? MS_NOSUID : 0) | (v.f_flag & ST_NODEV ? MS_NODEV : 0) | (v.f_flag & ST_NOEXEC ? MS_NOEXEC : 0);
}

// One --mount, DEST resolved under the container's root (no symlink followed): a bind of a host path
// (SOURCE; MS_REC in FLAGS: with the mounts under it), a remount (MS_REMOUNT), a filesystem of TYPE, or with
// an empty TYPE nothing; then the attributes a bind takes only on a remount, then the propagation
// (MS_SHARED and the like, with MS_REC for the whole tree).
static int do_mount(int rootfd, const struct mountspec *m) {
  unsigned long prop = m->propagation, rec = m->flags & MS_REC, flags = m->flags & ~MS_REC;
  const char *rel = m->dest + 1, *data = m->data[0] ? m->data : NULL;
  int src = -1, fd = -1, again = -1, rc = -1;
  struct stat st;
  if (flags & MS_BIND) {
    src = m->tree >= 0 ? m->tree : open(m->src, O_PATH | O_CLOEXEC);
    if (src < 0 || fstat(src, &st) < 0) { fail("bind mount source %s", m->src); goto out; }
    if (make_target(rootfd, rel, S_ISDIR(st.st_mode)) < 0 || (fd = open_in(rootfd, rel, 0, 0)) < 0) goto out;
    if (m->tree >= 0 ? move_mount(src, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0
                     : mount(fd_path(src).s, fd_path(fd).s, NULL, MS_BIND | rec, NULL) < 0) {
      fail("bind %s on %s", m->src, m->dest);
      goto out;
    }
    unsigned long attrs = flags & ~MS_BIND;
    if (attrs) {
      if ((again = open_in(rootfd, rel, 0, 0)) < 0) goto out;
      if (mount(NULL, fd_path(again).s, NULL, MS_BIND | MS_REMOUNT | attrs, NULL) < 0 &&
          (errno != EPERM || mount(NULL, fd_path(again).s, NULL, MS_BIND | MS_REMOUNT | attrs | locked_flags(src), NULL) < 0)) {
        fail("remount the bind of %s on %s with its options", m->src, m->dest);
        goto out;
      }
    }
  } else if (flags & MS_REMOUNT) {
    if ((fd = open_in(rootfd, rel, O_DIRECTORY, 0)) < 0) goto out;
    if (mount(NULL, fd_path(fd).s, NULL, flags, data) < 0) { fail("remount %s", m->dest); goto out; }
  } else if (m->type[0]) {
    if (make_target(rootfd, rel, 1) < 0 || (fd = open_in(rootfd, rel, O_DIRECTORY, 0)) < 0) goto out;
    if (mount(m->src, fd_path(fd).s, m->type, flags, data) < 0) { fail("mount %s on %s", m->type, m->dest); goto out; }
  }
  if (prop) {
    if (again >= 0) close(again);
    // The new mount is reached by a fresh walk; the old fd still names what lies beneath it.
    if ((again = open_in(rootfd, rel, 0, 0)) < 0) goto out;
    if (mount(NULL, fd_path(again).s, NULL, prop, NULL) < 0) { fail("set the propagation of %s", m->dest); goto out; }
  }
  rc = 0;
out:
  if (src >= 0) close(src);
  if (fd >= 0) close(fd);
  if (again >= 0) close(again);
  return rc;
}

// TYPE:MAJOR:MINOR:MODE:UID:GID:/PATH (--device): a node the config asks for; one already there is kept.
static int make_device(int rootfd, const char *spec) {
  char type, parent[4096];
  unsigned maj, min, mode, uid, gid;
  int off = 0;
  if (sscanf(spec, "%c:%u:%u:%o:%u:%u:%n", &type, &maj, &min, &mode, &uid, &gid, &off) != 6 || !off || spec[off] != '/' ||
      strstr(spec + off, "/..") || !strchr("cubp", type) || mode > 07777)
    return errno = 0, fail("--device %s is not TYPE:MAJOR:MINOR:MODE:UID:GID:/PATH", spec);
  const char *rel = spec + off + 1, *slash = strrchr(rel, '/');
  mode_t kind = type == 'b' ? S_IFBLK : type == 'p' ? S_IFIFO : S_IFCHR;
  int pfd = rootfd;
  if (slash) {
    snprintf(parent, sizeof parent, "%.*s", (int)(slash - rel), rel);
    if (mkdirs_in(rootfd, parent) < 0 || (pfd = open_in(rootfd, parent, O_DIRECTORY, 0)) < 0) return -1;
  }
  // Through a real descriptor of the directory: mknodat and fchownat take no O_PATH one.
  int dirfd = openat(pfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc = 0;
  const char *base = slash ? slash + 1 : rel;
  if (dirfd < 0) rc = fail("open the directory of /%s", rel);
  else if (mknodat(dirfd, base, kind | mode, makedev(maj, min)) < 0) {
    if (errno != EEXIST) rc = fail("mknod /%s", rel);
  } else if (fchownat(dirfd, base, uid, gid, AT_SYMLINK_NOFOLLOW) < 0 || fchmodat(dirfd, base, mode, 0) < 0) rc = fail("chown /%s", rel);
  if (dirfd >= 0) close(dirfd);
  if (pfd != rootfd) close(pfd);
  return rc;
}

// KEY=VALUE (--sysctl): written to /proc/sys/KEY of the container's own /proc, in its own namespaces.
static int write_sysctl(int rootfd, const char *kv) {
  char path[512];
  const char *eq = strchr(kv, '=');
  int n = snprintf(path, sizeof path, "proc/sys/%.*s", (int)(eq - kv), kv);
  if (n < 0 || (size_t)n >= sizeof path) return errno = 0, fail("sysctl %s: name too long", kv);
  for (char *p = path + 9; *p; p++)
    if (*p == '.') *p = '/';
  int fd = open_in(rootfd, path, 0, PROC_SUPER_MAGIC);
  if (fd < 0) return -1;
  int w = open(fd_path(fd).s, O_WRONLY | O_CLOEXEC);
  ssize_t len = (ssize_t)strlen(eq + 1), wrote = w < 0 ? -1 : write(w, eq + 1, (size_t)len);
  int saved = errno;
  close(fd);
  if (w >= 0) close(w);
  errno = saved;
  return wrote == len ? 0 : fail("sysctl %.*s", (int)(eq - kv), kv);
}

// The caller's mounts (--mount), in order; then /dev's standard nodes (--dev) and the devices it asks for.
static int setup_given_mounts(const struct config *c, int rootfd) {
  for (int i = 0; i < c->nmounts; i++)
    if (do_mount(rootfd, &c->mounts[i]) < 0) return -1;
  if (c->dev) {
    int devfd = open_in(rootfd, "dev", O_DIRECTORY, TMPFS_MAGIC);
    if (devfd < 0) return -1;
    int rc = populate_dev(c, devfd);
    close(devfd);
    if (rc < 0) return -1;
  }
  for (int i = 0; i < c->ndevices; i++)
    if (make_device(rootfd, c->devices[i]) < 0) return -1;
  return 0;
}

static int setup_mounts(const struct config *c, int *rootfdp) {
  // Private first, so nothing we mount propagates back to the host.
  if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) return fail("make / private");
  if (stack_rootfs(rootfdp) < 0) return -1;
  int rootfd = *rootfdp;
  if (c->nmounts) {
    if (setup_given_mounts(c, rootfd) < 0) return -1;
  } else {
    if (mkdir_in(rootfd, "proc", 0755) < 0 || mkdir_in(rootfd, "sys", 0755) < 0 || mkdir_in(rootfd, "dev", 0755) < 0) return -1;
    if (mount_in(rootfd, "proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0) return -1;
    if (mount_in(rootfd, "sys", "sysfs", "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0) return -1;
    if (setup_dev(c, rootfd) < 0 || (c->console_keeper && bind_console(c, rootfd) < 0)) return -1;
    if (mount_cgroupfs(c, rootfd) < 0 || mount_tmpfs(c, rootfd) < 0) return -1;
  }
  for (int i = 0; i < c->nsysctls; i++)
    if (write_sysctl(rootfd, c->sysctls[i]) < 0) return -1;
  if (c->cwd && c->cwd[1] && mkdirs_in(rootfd, c->cwd + 1) < 0) return -1;
  // Masking binds the container's own /dev/null, so it comes after /dev.
  return confine_kernel_paths(c, rootfd);
}

static int pivot_into(int rootfd, int no_pivot) {
  if (fchdir(rootfd) < 0) return fail("enter the rootfs");
  if (no_pivot) {
    // For a rootfs pivot_root cannot leave (a ramdisk): the rootfs moved over / and chroot, as runc --no-pivot.
    if (mount(".", "/", NULL, MS_MOVE, NULL) < 0) return fail("move the rootfs over / (--no-pivot)");
    if (chroot(".") < 0) return fail("chroot into the rootfs");
    return chdir("/") < 0 ? fail("chdir /") : 0;
  }
  // pivot_root(".", ".") stacks the old root under the new one; detaching "." then drops it.
  if (syscall(SYS_pivot_root, ".", ".") < 0) return fail("pivot_root into the rootfs");
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
  publish_identity("sc-init", -1);
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

// In a new user namespace: wait until the parent has written our id maps, then be its root.
static int become_userns_root(const struct config *c) {
  char ok;
  if (read(c->maps_fd, &ok, 1) != 1) return errno = 0, fail("the user namespace's id maps were not written");
  close(c->maps_fd);
  if (setresgid(0, 0, 0) < 0 || setgroups(0, NULL) < 0 || setresuid(0, 0, 0) < 0) return fail("become root of the user namespace");
  return 0;
}

// Moves the descriptors the container keeps (the ready pipe, the hold FIFO, the console socket) to 3, 4,
// ... in that order and closes every other one above stdio.
static int keep_fds(int *const fds[], int n) {
  int tmp[3 + MAX_LIST], next = 3;
  for (int i = 0; i < n; i++)
    if (*fds[i] >= 0 && (tmp[i] = fcntl(*fds[i], F_DUPFD_CLOEXEC, 100)) < 0) return -1;
  for (int i = 0; i < n; i++) {
    if (*fds[i] < 0) continue;
    if (dup3(tmp[i], next, O_CLOEXEC) < 0) return -1;
    close(tmp[i]);
    *fds[i] = next++;
  }
  return close_fds_from(next, -1, 0);
}

// The process's terminal (--console-socket): a pty of the container's devpts, the master sent to the socket,
// the slave its stdio, controlling terminal and /dev/console.
static int setup_terminal(struct config *c) {
  char name[32];
  const char *why;
  int slave = -1, master = open_container_pty(&slave, name, sizeof name, &why);
  if (master < 0) return fail("%s", why);
  if (c->rows) {
    struct winsize ws = {.ws_row = c->rows, .ws_col = c->cols};
    ioctl(master, TIOCSWINSZ, &ws);
  }
  int sent = send_console(c->term_fd, master, name);
  int saved = errno;
  close(master);
  close(c->term_fd);
  c->term_fd = -1;
  if (sent < 0) return errno = saved, fail("send the terminal to the console socket");
  for (int i = 0; i < 3; i++)
    if (dup2(slave, i) < 0) return fail("attach the terminal");
  if (slave > 2) close(slave);
  if (ioctl(0, TIOCSCTTY, 0) < 0) return fail("make %s the controlling terminal", name);
  int fd = open("/dev/console", O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return fail("create /dev/console");
  close(fd);
  return mount(name, "/dev/console", NULL, MS_BIND, NULL) < 0 ? fail("bind %s on /dev/console", name) : 0;
}

// As execvp will look it up: the command must be there before create says the container is ready.
static int check_command(const char *cmd) {
  if (strchr(cmd, '/')) return access(cmd, X_OK) < 0 ? fail("exec %s", cmd) : 0;
  const char *path = getenv("PATH");
  char file[4096];
  struct stat st;
  for (const char *p = path ? path : "/bin:/usr/bin"; ; p += strcspn(p, ":") + 1) {
    size_t len = strcspn(p, ":");
    snprintf(file, sizeof file, "%.*s%s%s", (int)len, p, len ? "/" : "", cmd);
    if (stat(file, &st) == 0 && S_ISREG(st.st_mode) && access(file, X_OK) == 0) return 0;
    if (!p[len]) break;
  }
  return errno = 0, fail("exec: \"%s\": executable file not found in $PATH", cmd);
}

// The rest of --process's setup, inside the new root: its terminal, a read-only root, its environment exactly
// as given (HOME from the container's passwd when absent), its working directory.
static int setup_process(struct config *c) {
  if (c->root_propagation && mount(NULL, "/", NULL, c->root_propagation, NULL) < 0) return fail("set the propagation of /");
  if (c->term_fd >= 0 && setup_terminal(c) < 0) return -1;
  if (c->readonly_root) {
    struct statvfs v;
    unsigned long keep = statvfs("/", &v) < 0 ? 0 : (v.f_flag & ST_NOSUID ? MS_NOSUID : 0) | (v.f_flag & ST_NODEV ? MS_NODEV : 0) | (v.f_flag & ST_NOEXEC ? MS_NOEXEC : 0);
    if (mount(NULL, "/", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | keep, NULL) < 0) return fail("remount the root read-only");
  }
  clearenv();
  for (int i = 0; i < c->nenvs; i++)
    if (putenv((char *)c->envs[i]) < 0) return fail("putenv %s", c->envs[i]);
  process_default_home(c->proc.set_user ? c->proc.uid : 0);
  // Held until start, a process exec'd in meanwhile would read our command line (host paths: the bundle, the
  // hold FIFO, the cgroups) and the caller's environment in /proc/1: show "sc-init" and the process's own.
  publish_identity("sc-init", -1);
  if (c->cwd && chdir(c->cwd) < 0) return fail("chdir %s", c->cwd);
  return check_command(c->process_args[0]);
}

static int setup_container(struct config *c) {
  if (c->ids && become_userns_root(c) < 0) return -1;
  // PID 1's stdio is the console, when there is one; fd 0 stands for it from here on.
  if (c->console_keeper) {
    for (int i = 0; i < 3; i++)
      if (dup2(c->console_slave, i) < 0) return fail("attach the console");
    c->console_slave = 0;
  } else if (c->stdio_of) {
    for (int i = 0; i < 3; i++)
      if (dup2(c->stdio_fds[i], i) < 0) return fail("take the process's stdio");
  } else if (c->process_args && c->term_fd < 0 && stdio_to_null() < 0) {
    return -1; // never the caller's pipes: they would stay open as long as the process runs
  }
  // Everything inherited beyond stdio and what the setup still needs stays outside the container.
  int *kept[3 + MAX_LIST] = {&c->ready_fd, &c->hold_fd, &c->term_fd}, nkept = 3;
  for (int i = 0; i < c->nmounts; i++) kept[nkept++] = &c->mounts[i].tree;
  if (keep_fds(kept, nkept) < 0) return fail("close inherited descriptors");
  if (setsid() < 0) return fail("setsid");
  if (c->new_keyring && syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL) < 0 && errno != ENOSYS)
    return fail("join a new session keyring");
  umask(0);
  // Our cwd is this mount namespace's copy of the rootfs (the parent chdir'ed there before the clone).
  int rootfd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0) return fail("open the rootfs");
  if (setup_mounts(c, &rootfd) < 0 || pivot_into(rootfd, c->no_pivot) < 0) return -1;
  close(rootfd);
  umask(022);
  if (c->hostname && sethostname(c->hostname, strlen(c->hostname)) < 0) return fail("sethostname %s", c->hostname);
  if (c->domainname && setdomainname(c->domainname, strlen(c->domainname)) < 0) return fail("setdomainname %s", c->domainname);
  if ((c->namespaces & CLONE_NEWNET) && loopback_up() < 0) return -1;
  // The application's own confinement is applied once it is released (run_process).
  if (c->process_args) return setup_process(c);
  if (setup_env(c) < 0 || (!c->console_keeper && stdio_to_null() < 0)) return -1;
  // Last, in this order: the filter needs CAP_SYS_ADMIN (or no_new_privs) to load, the steps above
  // need the capabilities a confined container loses.
  if (c->filter.len && syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &c->filter) < 0) return fail("load the seccomp filter");
  if (!c->privileged) {
    // Without a devices cgroup (v2 needs BPF, which we do not load) mknod would reach the host's disks.
    const char *failed = limit_caps(c->no_mknod ? default_caps & ~CAP(MKNOD) : default_caps);
    if (failed) return fail("%s", failed);
  }
  if (c->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) return fail("set no_new_privs");
  return 0;
}

// --process: its limits, its filter and user in runc's order (the filter before the user unless no_new_privs lets
// an unprivileged process load it). Before it is held, as runc's init: a process exec'd in while it waits meets a
// PID 1 as confined as its program will be, not a root with every capability it could trace (CAP_SYS_PTRACE) out of
// the config's. Returns the failed step.
static const char *confine_process(const struct config *c) {
  const char *failed = process_limits(&c->proc);
  if (!failed && c->filter.len && !c->no_new_privs && syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &c->filter) < 0)
    failed = "load the seccomp filter";
  if (!failed) failed = process_become(&c->proc);
  if (!failed && c->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) failed = "set no_new_privs";
  return failed;
}

// --process once released: the filter no_new_privs lets it load last (as runc, after the hold), then exec.
static const char *run_process(const struct config *c) {
  const char *failed = NULL;
  if (c->filter.len && c->no_new_privs && syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &c->filter) < 0)
    failed = "load the seccomp filter";
  // Again as the process's user: a directory it cannot enter fails here, as with runc.
  if (!failed && c->cwd && chdir(c->cwd) < 0) failed = "chdir to its working directory";
  if (failed) return failed;
  execvp(c->process_args[0], c->process_args);
  return "exec";
}

// --hold: wait for the byte `release` writes to the FIFO (start); EOF never comes, we hold a write end too.
static int wait_release(int fd) {
  char byte;
  for (;;) {
    ssize_t n = read(fd, &byte, 1);
    if (n == 1) return close(fd), 0;
    if (n < 0 && errno == EINTR) continue;
    return -1;
  }
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

// The stop sequence: SIGTERM to all, up to `grace` seconds to exit, then SIGKILL. Said on the console.
static void stop_container(int sfd, int grace) {
  long deadline = now_ms() + grace * 1000L;
  dprintf(STDOUT_FILENO, "sc-init: stopping: SIGTERM to every process, SIGKILL after %d s\n", grace);
  kill(-1, SIGTERM);
  for (;;) {
    int no_children = reap_children();
    long left = deadline - now_ms();
    if ((no_children && !others_alive()) || left <= 0) break;
    struct pollfd pfd = {.fd = sfd, .events = POLLIN};
    // Non-children do not send SIGCHLD, so wake up every 100 ms to look again.
    if (poll(&pfd, 1, left < 100 ? (int)left : 100) > 0) drain(sfd);
  }
  if (!reap_children() || others_alive()) dprintf(STDOUT_FILENO, "sc-init: %d s passed: SIGKILL to what is left\n", grace);
  kill(-1, SIGKILL);
  while (waitpid(-1, NULL, 0) > 0 || errno == EINTR) {}
  dprintf(STDOUT_FILENO, "sc-init: stopped\n");
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
      // sc-spawn stop queues its -t with the signal (sigqueue): one timeout from `sc stop -t` to here.
      int asked = si.ssi_code == SI_QUEUE && si.ssi_int >= 0 && si.ssi_int <= 86400 ? si.ssi_int : grace;
      if (sig == SIGCHLD) reap_children();
      else if (sig == SIGTERM || sig == SIGINT || sig == SIGPWR || sig == SIGUSR2 || sig == SIGRTMIN + 3) stop_container(sfd, asked);
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
  const char *confined = c->process_args ? confine_process(c) : NULL;
  if (confined) {
    snprintf(errmsg, sizeof errmsg, "%s %s: %s", confined, c->process_args[0], strerror(errno));
    report(c->ready_fd, errmsg);
    _exit(1);
  }
  report(c->ready_fd, "ok");
  if (c->process_args) {
    // Held: the caller has its pid once the pipe closes; what fails after the release goes to stderr.
    if (c->hold_fd >= 0) {
      close(c->ready_fd);
      if (wait_release(c->hold_fd) < 0) _exit(1);
    }
    const char *failed = run_process(c);
    int saved = errno, code = !strcmp(failed, "exec") ? (saved == ENOENT ? 127 : 126) : 1;
    snprintf(errmsg, sizeof errmsg, "%s %s: %s", failed, c->process_args[0], strerror(saved));
    if (c->hold_fd >= 0) dprintf(STDERR_FILENO, "sc-init: %s\n", errmsg);
    else report(c->ready_fd, errmsg);
    _exit(code);
  }
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

// --stdio-of PID: the process's stdin, stdout and stderr are that process's (the front end the orchestrator
// handed them to), taken whatever they are (pipes, a socket, a file) with pidfd_getfd.
static int take_stdio(struct config *c) {
  int pidfd = (int)syscall(SYS_pidfd_open, c->stdio_of, 0);
  if (pidfd < 0) return fail("open process %d for its stdio", (int)c->stdio_of);
  for (int i = 0; i < 3; i++)
    if ((c->stdio_fds[i] = (int)syscall(SYS_pidfd_getfd, pidfd, i, 0)) < 0) {
      fail("take fd %d of process %d", i, (int)c->stdio_of);
      close(pidfd);
      return -1;
    }
  close(pidfd);
  return 0;
}

// --hold FIFO: made here, held open read-write by the container (so a release finds a reader while it waits,
// and nobody once it is gone), until `release` writes a byte to it.
static int make_hold(struct config *c) {
  if (mkfifo(c->hold, 0600) < 0) return fail("make the hold FIFO %s", c->hold);
  if ((c->hold_fd = open(c->hold, O_RDWR | O_CLOEXEC)) < 0) {
    fail("open the hold FIFO %s", c->hold);
    unlink(c->hold);
    return -1;
  }
  return 0;
}

// With a user namespace, the container's root may be denied the directories a bind's source lies in (a bundle's
// are often closed to other users): each source tree is cloned here, as the caller, the way runc opens them before
// it joins, and the container attaches the copy (do_mount).
static int open_bind_sources(struct config *c) {
  for (int i = 0; i < c->nmounts; i++) {
    struct mountspec *m = &c->mounts[i];
    if (!(m->flags & MS_BIND)) continue;
    m->tree = open_tree(AT_FDCWD, m->src, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (m->flags & MS_REC ? AT_RECURSIVE : 0));
    if (m->tree < 0) return fail("bind mount source %s", m->src);
  }
  return 0;
}

// --join TYPE:PATH: namespaces of another process (a network namespace an orchestrator made), joined before the clone.
static int join_namespaces(const struct config *c) {
  for (int i = 0; i < c->njoins; i++) {
    const char *path = strchr(c->joins[i], ':') + 1;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return fail("open the namespace %s", path);
    int rc = setns(fd, join_type(c->joins[i]));
    close(fd);
    if (rc < 0) return fail("join the namespace %s", path);
  }
  return 0;
}

// The console: a pty of the host's devpts; the slave becomes PID 1's stdio and /dev/console.
static int open_console(struct config *c) {
  if (access(c->console_keeper, X_OK) < 0) return fail("console keeper %s", c->console_keeper);
  c->console_master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (c->console_master < 0 || grantpt(c->console_master) < 0 || unlockpt(c->console_master) < 0 ||
      ptsname_r(c->console_master, c->console_path, sizeof c->console_path) != 0)
    return fail("allocate a console pty");
  if ((c->console_slave = open(c->console_path, O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0) return fail("open the console %s", c->console_path);
  // A user namespace's root must own its console to open /dev/console again.
  if (c->ids && fchown(c->console_slave, (uid_t)c->uid, (gid_t)c->gid) < 0) return fail("hand the console to the container's root");
  return 0;
}

// The keeper holds the master for the container's whole life: it logs the console and serves `sc console`.
// Forked before we join the container's cgroups (it is no process of the container: its memory and pids
// are not the container's, nor does removing the container's cgroups wait for it); it waits for PID 1's
// pid on a pipe (EOF: no container, it goes).
static int fork_console_keeper(struct config *c) {
  int pipefd[2];
  if (pipe2(pipefd, O_CLOEXEC) < 0) return fail("pipe");
  pid_t keeper = fork();
  if (keeper < 0) return fail("fork the console keeper");
  if (keeper == 0) {
    char pid[32] = "";
    close(pipefd[1]);
    ssize_t n = read(pipefd[0], pid, sizeof pid - 1);
    if (n <= 0) _exit(0);
    pid[n] = '\0';
    int null = open("/dev/null", O_RDWR);
    // Out of our private mount namespace: a keeper left in it would keep alive the read-only mount of
    // our file that PID 1 runs from, and with it a host path in /proc/1/exe.
    if (unshare(CLONE_NEWNS) < 0 || setsid() < 0 || null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0 || dup2(c->console_master, 3) < 0 ||
        fcntl(3, F_SETFD, 0) < 0 || chdir("/") < 0 || close_fds_from(4, -1, 0) < 0)
      _exit(1);
    execl(c->console_keeper, "sc-console", "keep", "--pid", pid, "--log", c->console_log, "--socket", c->console_socket, (char *)NULL);
    _exit(127);
  }
  close(pipefd[0]);
  close(c->console_master);
  c->console_keeper_fd = pipefd[1];
  c->console_keeper_pid = keeper;
  return 0;
}

static void release_console_keeper(struct config *c, pid_t pid1) {
  dprintf(c->console_keeper_fd, "%d", pid1);
  close(c->console_keeper_fd);
  close(c->console_slave);
}

// The parent's half of --userns: container ids 0..ids-1 are the host's uid.. and gid...
static int write_id_maps(pid_t pid, const struct config *c) {
  char path[64], map[96];
  snprintf(path, sizeof path, "/proc/%d/uid_map", pid);
  snprintf(map, sizeof map, "0 %lu %lu\n", c->uid, c->ids);
  if (write_file(path, map) < 0) return fail("write %s", path);
  snprintf(path, sizeof path, "/proc/%d/gid_map", pid);
  snprintf(map, sizeof map, "0 %lu %lu\n", c->gid, c->ids);
  if (write_file(path, map) < 0) return fail("write %s", path);
  return 0;
}

// Says why, waits for a child that failed its setup, and takes the hold FIFO back. Returns the exit code.
static int setup_failed(const struct config *c, pid_t pid) {
  if (pid > 0) waitpid(pid, NULL, 0);
  if (c->hold) unlink(c->hold);
  fprintf(stderr, "sc-init: %s\n", errmsg);
  return 1;
}

int main(int argc, char **argv) {
  static struct config c;
  int ready[2], maps[2] = {-1, -1};
  run_from_readonly_mount("sc-init", argv);
  parse_args(argc, argv, &c);
  static struct sock_filter program[BPF_MAXINSNS];
  if (c.seccomp) {
    int len = seccomp_compile(c.seccomp, program, BPF_MAXINSNS, errmsg, sizeof errmsg);
    if (len < 0 || (c.seccomp_bpf && write_atomic(c.seccomp_bpf, program, (size_t)len * sizeof *program) < 0)) {
      fprintf(stderr, "sc-init: %s\n", errmsg);
      return 1;
    }
    c.filter = (struct sock_fprog){.len = (unsigned short)len, .filter = program};
  } else if (c.seccomp_filter) {
    // Compiled before (sc-spawn keeps programs by their rules): loaded as it is.
    int len = read_filter(c.seccomp_filter, program, errmsg, sizeof errmsg);
    if (len < 0) {
      fprintf(stderr, "sc-init: %s\n", errmsg);
      return 1;
    }
    c.filter = (struct sock_fprog){.len = (unsigned short)len, .filter = program};
  }
  if (c.console_keeper && (open_console(&c) < 0 || fork_console_keeper(&c) < 0)) {
    fprintf(stderr, "sc-init: %s\n", errmsg);
    return 1;
  }
  // What --process takes from outside before the clone: its stdio, its console socket, its binds' sources, its hold FIFO.
  if ((c.stdio_of && take_stdio(&c) < 0) ||
      (c.term_socket && (c.term_fd = connect_console_socket(c.term_socket)) < 0 && fail("connect to the console socket %s", c.term_socket) < 0) ||
      (c.ids && open_bind_sources(&c) < 0) || (c.hold && make_hold(&c) < 0)) {
    fprintf(stderr, "sc-init: %s\n", errmsg);
    return 1;
  }
  // The child's cwd becomes its own mount namespace's copy of the rootfs: no path of the host is
  // walked again from inside (a user namespace could not even pass the data root's 0700).
  if (join_cgroups(&c) < 0 || (chdir(c.root) < 0 && fail("chdir %s", c.root) < 0) || join_namespaces(&c) < 0 ||
      pipe2(ready, O_CLOEXEC) < 0 || (c.ids && pipe2(maps, O_CLOEXEC) < 0)) {
    if (!errmsg[0]) fail("pipe");
    return setup_failed(&c, -1);
  }
  c.ready_fd = ready[1];
  c.maps_fd = maps[0];
  char *stack = malloc(STACK_SIZE);
  if (!stack) return fail("out of memory"), setup_failed(&c, -1);
  pid_t pid = clone(container_main, stack + STACK_SIZE, c.namespaces | (c.ids ? CLONE_NEWUSER : 0) | SIGCHLD, &c);
  if (pid < 0) return fail("clone into new namespaces"), setup_failed(&c, -1);
  close(ready[1]);
  // The container holds these now; the FIFO must have no reader once it is gone.
  for (int i = 0; i < 3; i++)
    if (c.stdio_fds[i] >= 0) close(c.stdio_fds[i]);
  if (c.hold_fd >= 0) close(c.hold_fd);
  if (c.term_fd >= 0) close(c.term_fd);
  for (int i = 0; i < c.nmounts; i++)
    if (c.mounts[i].tree >= 0) close(c.mounts[i].tree);
  if (c.console_keeper) release_console_keeper(&c, pid);
  if (c.ids) {
    close(maps[0]);
    // The child waits for this byte; on failure it reads EOF and gives up.
    if (write_id_maps(pid, &c) < 0 || write(maps[1], "m", 1) != 1) {
      if (!errmsg[0]) snprintf(errmsg, sizeof errmsg, "cannot release the container");
      close(maps[1]);
      return setup_failed(&c, pid);
    }
    close(maps[1]);
  }
  char buf[sizeof errmsg + 2] = "";
  size_t len = 0;
  ssize_t n;
  while (len < sizeof buf - 1 && ((n = read(ready[0], buf + len, sizeof buf - 1 - len)) > 0 || (n < 0 && errno == EINTR)))
    if (n > 0) len += (size_t)n;
  buf[len] = '\0';
  if (strcmp(buf, "ok")) {
    const char *msg = strncmp(buf, "ok", 2) ? buf : buf + 2;
    snprintf(errmsg, sizeof errmsg, "%s", msg[0] ? msg : "container init died during setup");
    return setup_failed(&c, pid);
  }
  if (c.console_keeper) printf("{\"pid\":%d,\"console\":%d}\n", pid, (int)c.console_keeper_pid);
  else printf("{\"pid\":%d}\n", pid);
  return fflush(stdout) == 0 ? 0 : 1;
}
