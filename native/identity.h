// What a process of ours shows in /proc/PID/cmdline and environ to whoever shares its pid namespace:
// the kernel is pointed at NAME and a copy of the current environment instead of the argv and environ
// we were started with (host paths among them). PR_SET_MM_MAP needs no CAP_SYS_RESOURCE.
#ifndef SC_IDENTITY_H
#define SC_IDENTITY_H
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

extern char **environ;

// Best effort: -1 (errno set) on a kernel without PR_SET_MM_MAP (CONFIG_CHECKPOINT_RESTORE), which then keeps
// showing the original ones. The buffers stay allocated for the process's life. STAT: our /proc/self/stat opened
// earlier (a process that has left the host's root for a procfs that does not show it), or -1 to open it now.
static inline int publish_identity(const char *name, int stat_fd) {
  // Both on the heap: the kernel reads them only from anonymous memory.
  char *args = strdup(name);
  size_t size = 0;
  for (char **e = environ; *e; e++) size += strlen(*e) + 1;
  char *env = malloc(size ? size : 1), *p = env, stat[2048];
  if (!env || !args) return -1;
  for (char **e = environ; *e; e++) p = stpcpy(p, *e) + 1;
  int fd = stat_fd >= 0 ? stat_fd : open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
  ssize_t n = fd < 0 ? -1 : pread(fd, stat, sizeof stat - 1, 0);
  if (fd >= 0 && fd != stat_fd) close(fd);
  if (n <= 0) return -1;
  stat[n] = '\0';
  // The map must restate every field: take them from /proc/self/stat (fields 4-52, after comm and state).
  unsigned long long f[53] = {0};
  p = strchr(strrchr(stat, ')') + 2, ' ');
  for (int i = 4; i <= 52; i++) f[i] = strtoull(p, &p, 10);
  struct prctl_mm_map map = {
    .start_code = f[26], .end_code = f[27], .start_data = f[45], .end_data = f[46], .start_brk = f[47],
    .brk = (unsigned long)syscall(SYS_brk, 0), .start_stack = f[28],
    .arg_start = (unsigned long)args, .arg_end = (unsigned long)args + strlen(args) + 1,
    .env_start = (unsigned long)env, .env_end = (unsigned long)env + size, .exe_fd = (unsigned)-1,
  };
  return prctl(PR_SET_MM, PR_SET_MM_MAP, &map, sizeof map, 0) < 0 ? -1 : 0;
}
#endif
