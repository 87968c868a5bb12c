// sc-overlay: mounts a container's overlay rootfs; with --idmap, over idmapped layers, so that a user
// namespace's root sees the image's files as its own while the shared layers stay as they are on disk.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <linux/securebits.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_LOWER 128

static void die(const char *fmt, ...) {
  va_list ap;
  fputs("sc-overlay: ", stderr);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  exit(1);
}

static void usage(const char *why) {
  fprintf(stderr, "sc-overlay: %s\nusage: sc-overlay [--idmap HOSTUID:HOSTGID:COUNT] [--nodev] --lower DIR... "
                  "--upper DIR/upper --work DIR/work TARGET\n", why);
  exit(2);
}

// Overlay's option string cannot quote these; sc's own paths never hold them.
static const char *plain_path(const char *p) {
  if (p[0] != '/' || strpbrk(p, ",:\\=")) usage("paths must be absolute, without ',', ':', '\\' or '='");
  return p;
}

// A user namespace holding only the id map, for mount_setattr: a child unshares, we map it, keep its ns.
static int userns_with_map(unsigned long uid, unsigned long gid, unsigned long ids) {
  int sync[2];
  char path[64], map[96], c;
  if (pipe2(sync, O_CLOEXEC) < 0) die("pipe: %s", strerror(errno));
  pid_t pid = fork();
  if (pid < 0) die("fork: %s", strerror(errno));
  if (pid == 0) {
    close(sync[0]);
    if (unshare(CLONE_NEWUSER) < 0) _exit(1);
    if (write(sync[1], "u", 1) != 1) _exit(1);
    pause();
    _exit(0);
  }
  close(sync[1]);
  if (read(sync[0], &c, 1) != 1) die("cannot make a user namespace for the id map");
  static const char *const files[] = {"uid_map", "gid_map"};
  for (int i = 0; i < 2; i++) {
    snprintf(path, sizeof path, "/proc/%d/%s", pid, files[i]);
    snprintf(map, sizeof map, "0 %lu %lu\n", i ? gid : uid, ids);
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0 || write(fd, map, strlen(map)) < 0) die("write %s: %s", path, strerror(errno));
    close(fd);
  }
  snprintf(path, sizeof path, "/proc/%d/ns/user", pid);
  int ns = open(path, O_RDONLY | O_CLOEXEC);
  if (ns < 0) die("open %s: %s", path, strerror(errno));
  kill(pid, SIGKILL);
  waitpid(pid, NULL, 0);
  return ns;
}

// A detached, idmapped copy of the mount at DIR; overlay reaches it as /proc/self/fd/N.
static int idmapped(const char *dir, int userns) {
  int fd = (int)syscall(SYS_open_tree, AT_FDCWD, dir, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
  if (fd < 0) die("open_tree %s: %s", dir, strerror(errno));
  struct mount_attr attr = {.attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (unsigned long long)userns};
  if (syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH, &attr, sizeof attr) < 0)
    die("idmap %s: %s (--userns needs idmapped mounts on the data root's filesystem)", dir, strerror(errno));
  return fd;
}

int main(int argc, char **argv) {
  const char *lower[MAX_LOWER], *upper = NULL, *work = NULL, *target = NULL;
  int nlower = 0;
  unsigned long flags = 0, uid = 0, gid = 0, ids = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--nodev")) { flags |= MS_NODEV; continue; }
    if (a[0] != '-') {
      if (target) usage("one TARGET only");
      target = plain_path(a);
      continue;
    }
    if (i + 1 >= argc) usage("missing value for an option");
    const char *v = argv[++i];
    char *end;
    if (!strcmp(a, "--lower") && nlower < MAX_LOWER) lower[nlower++] = plain_path(v);
    else if (!strcmp(a, "--upper")) upper = plain_path(v);
    else if (!strcmp(a, "--work")) work = plain_path(v);
    else if (!strcmp(a, "--idmap")) {
      uid = strtoul(v, &end, 10);
      if (*end == ':') gid = strtoul(end + 1, &end, 10);
      if (*end == ':') ids = strtoul(end + 1, &end, 10);
      if (*end || !uid || !gid || !ids) usage("--idmap wants HOSTUID:HOSTGID:COUNT");
    } else usage("unknown option or too many --lower");
  }
  if (!nlower || !upper || !work || !target) usage("--lower, --upper, --work and TARGET are required");

  char options[16384], part[4200];
  size_t len = 0;
  if (!ids) {
    for (int i = 0; i < nlower; i++) {
      snprintf(part, sizeof part, "%s%s", i ? ":" : "lowerdir=", lower[i]);
      len += (size_t)snprintf(options + len, len < sizeof options ? sizeof options - len : 0, "%s", part);
    }
    len += (size_t)snprintf(options + len, len < sizeof options ? sizeof options - len : 0, ",upperdir=%s,workdir=%s", upper, work);
  } else {
    // Upper and work share one idmapped mount of their common parent (overlay wants them on one mount).
    const char *u = strrchr(upper, '/'), *w = strrchr(work, '/');
    if (u - upper != w - work || strncmp(upper, work, (size_t)(u - upper)) || u == upper)
      usage("with --idmap, --upper and --work must be in one directory");
    char parent[4096];
    snprintf(parent, sizeof parent, "%.*s", (int)(u - upper), upper);
    int userns = userns_with_map(uid, gid, ids);
    for (int i = 0; i < nlower; i++) {
      snprintf(part, sizeof part, "%s/proc/self/fd/%d", i ? ":" : "lowerdir=", idmapped(lower[i], userns));
      len += (size_t)snprintf(options + len, len < sizeof options ? sizeof options - len : 0, "%s", part);
    }
    int rw = idmapped(parent, userns);
    len += (size_t)snprintf(options + len, len < sizeof options ? sizeof options - len : 0,
                            ",upperdir=/proc/self/fd/%d%s,workdir=/proc/self/fd/%d%s", rw, u, rw, w);
    // Overlay works in its upper layer as whoever mounted it: the container's root, so that what the
    // container writes maps back to its own ids on disk. Keep the capabilities a mounter needs.
    if (prctl(PR_SET_SECUREBITS, SECBIT_NO_SETUID_FIXUP) < 0) die("keep capabilities across setfsuid: %s", strerror(errno));
    setfsgid((gid_t)gid);
    setfsuid((uid_t)uid);
  }
  if (len >= sizeof options) die("too many layers for one overlay mount");
  if (mount("overlay", target, "overlay", flags, options) < 0) die("mount overlay on %s: %s", target, strerror(errno));
  return 0;
}
