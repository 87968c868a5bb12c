// Paths inside a container's tree, resolved by the kernel under its root: its symlinks (an image's
// /dev -> /, say) are refused, or followed under that root, never out to the host. Work then happens on the fd.
#ifndef SC_RESOLVE_H
#define SC_RESOLVE_H
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

// An O_PATH fd for PATH (relative, no leading '/') under DIRFD, which acts as the root; no symlinks.
static inline int open_under(int dirfd, const char *path, int flags) {
  struct open_how how = {
    .flags = (unsigned long long)(O_PATH | O_CLOEXEC | flags),
    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
  };
  while (*path == '/') path++;
  return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof how);
}

// The same, but a symlink on the way is followed as the container would follow it: resolved under DIRFD, never
// above it (runc's securejoin; an image's /var/run -> /run leads to the container's /run, not the host's).
static inline int open_in_root(int dirfd, const char *path, int flags) {
  struct open_how how = {
    .flags = (unsigned long long)(O_PATH | O_CLOEXEC | flags),
    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
  };
  while (*path == '/') path++;
  return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof how);
}

// The name by which mount(2) reaches what FD refers to, exactly (the kernel jumps to the fd's file).
struct fdpath { char s[32]; };
static inline struct fdpath fd_path(int fd) {
  struct fdpath p;
  snprintf(p.s, sizeof p.s, "/proc/self/fd/%d", fd);
  return p;
}
#endif
