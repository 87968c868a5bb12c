// Run from a read-only mount of ourselves (CVE-2019-5736, as runc does): a helper that ever runs inside
// a container's pid namespace shows that container a /proc/PID/exe which no open for writing gets
// through (EROFS), whatever the container's capabilities, because the mount is one only we can reach.
// Unlike a sealed memfd copy (runc's older way) it costs no memory per container: the pages stay the
// page cache's, shared by every container's PID 1.
#ifndef SC_READONLY_EXE_H
#define SC_READONLY_EXE_H
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

// Returns only when running from the read-only mount; fails closed (exit 125) when it cannot make one.
static inline void run_from_readonly_mount(const char *name, char **argv) {
  extern char **environ;
  char self[PATH_MAX];
  struct statvfs vfs;
  struct statx exe, dir;
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0 || (size_t)n >= sizeof self - 1) goto fail;
  self[n] = '\0';
  // Already there: our file is a read-only mount of its own (its directory is on another mount).
  char *slash = strrchr(self, '/');
  if (slash && statvfs("/proc/self/exe", &vfs) == 0 && (vfs.f_flag & ST_RDONLY) &&
      statx(AT_FDCWD, "/proc/self/exe", 0, STATX_MNT_ID, &exe) == 0 && (exe.stx_mask & STATX_MNT_ID)) {
    *slash = '\0';
    int ours = statx(AT_FDCWD, slash == self ? "/" : self, 0, STATX_MNT_ID, &dir) == 0 && dir.stx_mnt_id != exe.stx_mnt_id;
    *slash = '/';
    if (ours) {
      prctl(PR_SET_NAME, name, 0, 0, 0);
      return;
    }
  }
  // A mount namespace of our own, cut off from the host's propagation, where our file is bound read-only.
  if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0 ||
      mount(self, self, NULL, MS_BIND, NULL) < 0 ||
      mount(NULL, self, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) < 0)
    goto fail;
  execve(self, argv, environ);
fail:
  fprintf(stderr, "%s: cannot run from a read-only mount of itself: %s\n", name, strerror(errno));
  exit(125);
}
#endif
