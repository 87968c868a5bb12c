// Capabilities shared by sc-init (PID 1) and sc-enter (exec): one definition of "confined".
#ifndef SC_CAPS_H
#define SC_CAPS_H
#include <linux/capability.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define CAP(name) (1ULL << CAP_##name)
// Docker's default set: all the root of a confined container keeps.
static const uint64_t default_caps = CAP(CHOWN) | CAP(DAC_OVERRIDE) | CAP(FSETID) | CAP(FOWNER) | CAP(MKNOD) |
  CAP(NET_RAW) | CAP(SETGID) | CAP(SETUID) | CAP(SETFCAP) | CAP(SETPCAP) | CAP(NET_BIND_SERVICE) | CAP(SYS_CHROOT) |
  CAP(KILL) | CAP(AUDIT_WRITE);

// Bounding set first, so no exec regains a dropped capability; inheritable stays empty so that file
// capabilities add nothing for non-root users (CVE-2022-24769). Returns the failed step, or NULL.
static inline const char *limit_caps(uint64_t keep) {
  struct __user_cap_header_struct head = {.version = _LINUX_CAPABILITY_VERSION_3};
  struct __user_cap_data_struct data[2];
  for (int cap = 0; prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; cap++)
    if (!(keep >> cap & 1) && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) return "drop a capability";
  if (syscall(SYS_capget, &head, data) < 0) return "read capabilities";
  for (int i = 0; i < 2; i++) {
    data[i].effective = data[i].permitted &= (uint32_t)(keep >> 32 * i);
    data[i].inheritable = 0;
  }
  if (syscall(SYS_capset, &head, data) < 0) return "set capabilities";
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0) return "clear ambient capabilities";
  return NULL;
}
#endif
