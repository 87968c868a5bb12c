// Run from a sealed memfd copy of ourselves (CVE-2019-5736, as runc and crun do): a helper that ever
// runs inside a container's pid namespace shows that container a /proc/PID/exe which is this copy,
// never the host's file, and the seals make the copy unwritable.
#ifndef SC_SEALED_H
#define SC_SEALED_H
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif
#define SC_SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

// Returns only when running from the sealed copy; fails closed (exit 125) when it cannot make one.
static inline void run_sealed(const char *name, char **argv) {
  extern char **environ;
  int exe = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  if (exe < 0) goto fail;
  int seals = fcntl(exe, F_GET_SEALS);
  if (seals >= 0 && (seals & SC_SEALS) == SC_SEALS) {
    close(exe);
    prctl(PR_SET_NAME, name, 0, 0, 0);
    return;
  }
  // MFD_EXEC: executable whatever vm.memfd_noexec says; kernels before 6.3 do not know the flag.
  int copy = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
  if (copy < 0 && errno == EINVAL) copy = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
  struct stat st;
  if (copy < 0 || fstat(exe, &st) < 0) goto fail;
  for (off_t left = st.st_size; left > 0;) {
    ssize_t n = sendfile(copy, exe, NULL, (size_t)left);
    if (n <= 0) goto fail;
    left -= n;
  }
  if (fcntl(copy, F_ADD_SEALS, SC_SEALS) < 0) goto fail;
  close(exe);
  fexecve(copy, argv, environ);
fail:
  fprintf(stderr, "%s: cannot run from a sealed copy of itself: %s\n", name, strerror(errno));
  exit(125);
}
#endif
