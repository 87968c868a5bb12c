// A compiled seccomp filter (a BPF program, as sc-init --seccomp-bpf writes it), loaded as it is.
#ifndef SC_FILTER_H
#define SC_FILTER_H
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

// Reads FILE into PROGRAM (room for BPF_MAXINSNS); returns the instruction count, or -1 with `why`.
static inline int read_filter(const char *file, struct sock_filter *program, char *why, size_t why_size) {
  struct stat st;
  int fd = open(file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0 || fstat(fd, &st) < 0) {
    snprintf(why, why_size, "open the seccomp filter %s: %s", file, strerror(errno));
    if (fd >= 0) close(fd);
    return -1;
  }
  ssize_t n = S_ISREG(st.st_mode) && st.st_size > 0 && st.st_size % (off_t)sizeof *program == 0 &&
      st.st_size <= (off_t)(BPF_MAXINSNS * sizeof *program) ? read(fd, program, (size_t)st.st_size) : -1;
  close(fd);
  if (n != st.st_size) {
    snprintf(why, why_size, "%s is not a seccomp filter (a BPF program, as sc-init --seccomp-bpf writes)", file);
    return -1;
  }
  return (int)(n / (ssize_t)sizeof *program);
}
#endif
