// Descriptors the caller leaves open must not reach a container.
#ifndef SC_FDS_H
#define SC_FDS_H
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

// close_range(first, ~0U, flags), or, on kernels before 5.9/5.11 (ENOSYS, EINVAL for CLOEXEC), the
// same by walking /proc/self/fd. Keeps `keep` (-1: none). Returns -1 only when neither way works.
static inline int close_fds_from(int first, int keep, unsigned flags) {
  int ok = keep < first ? syscall(SYS_close_range, first, ~0U, flags) == 0
                        : (keep == first || syscall(SYS_close_range, first, keep - 1, flags) == 0) &&
                              syscall(SYS_close_range, keep + 1, ~0U, flags) == 0;
  if (ok) return 0;
  DIR *d = opendir("/proc/self/fd");
  if (!d) return -1;
  struct dirent *e;
  while ((e = readdir(d))) {
    int fd = atoi(e->d_name);
    if (e->d_name[0] < '0' || e->d_name[0] > '9' || fd < first || fd == keep || fd == dirfd(d)) continue;
    if (flags & CLOSE_RANGE_CLOEXEC) fcntl(fd, F_SETFD, FD_CLOEXEC);
    else close(fd);
  }
  closedir(d);
  return 0;
}
#endif
