// The process a container runs, as an OCI config describes it (sc-oci decides, in TypeScript): its
// user and groups, umask, resource limits, OOM score, capability sets. Shared by sc-init (the
// container's own process) and sc-enter (a process exec'd into it), so both become one the same way.
#ifndef SC_PROCESS_H
#define SC_PROCESS_H
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PROCESS_MAX_GROUPS 64
#define PROCESS_MAX_RLIMITS 16

struct process {
  int set_user, set_umask, set_caps, set_oom, nrlimits, ngroups;
  uid_t uid;
  gid_t gid, groups[PROCESS_MAX_GROUPS];
  mode_t umask;
  int oom_score_adj;
  uint64_t bounding, effective, permitted, inheritable, ambient;
  struct { int resource; struct rlimit limit; } rlimits[PROCESS_MAX_RLIMITS];
};

static inline int parse_u64(const char *s, int base, uint64_t *out, const char **end) {
  char *e;
  if (*s < '0' || *s > 'f') return -1;
  errno = 0;
  unsigned long long v = strtoull(s, &e, base);
  if (errno || e == s) return -1;
  *out = v, *end = e;
  return 0;
}

// A limit: decimal, or "unlimited".
static inline int parse_rlim(const char *s, rlim_t *out, const char **end) {
  if (!strncmp(s, "unlimited", 9)) return *out = RLIM_INFINITY, *end = s + 9, 0;
  uint64_t v;
  if (parse_u64(s, 10, &v, end) < 0 || v >= RLIM_INFINITY) return -1;
  return *out = (rlim_t)v, 0;
}

// Takes FLAG VALUE if it is one of the process's flags: 1 taken, 0 not ours, -1 a bad value.
//   --user UID:GID  --groups GID,GID...  --umask OCTAL  --oom-score-adj N
//   --caps BOUNDING:EFFECTIVE:PERMITTED:INHERITABLE:AMBIENT (hex masks)  --rlimit RESOURCE:SOFT:HARD
static inline int process_option(struct process *p, const char *flag, const char *v) {
  const char *e;
  uint64_t a, b;
  if (!strcmp(flag, "--user")) {
    if (parse_u64(v, 10, &a, &e) < 0 || *e != ':' || parse_u64(e + 1, 10, &b, &e) < 0 || *e || a > UINT32_MAX - 1 || b > UINT32_MAX - 1) return -1;
    p->set_user = 1, p->uid = (uid_t)a, p->gid = (gid_t)b;
    return 1;
  }
  if (!strcmp(flag, "--groups")) {
    p->ngroups = 0;
    for (e = v; *e;) {
      if (p->ngroups >= PROCESS_MAX_GROUPS || parse_u64(e, 10, &a, &e) < 0 || a > UINT32_MAX - 1 || (*e && *e != ',')) return -1;
      p->groups[p->ngroups++] = (gid_t)a;
      if (*e == ',') e++;
    }
    return 1;
  }
  if (!strcmp(flag, "--umask")) {
    if (parse_u64(v, 8, &a, &e) < 0 || *e || a > 0777) return -1;
    p->set_umask = 1, p->umask = (mode_t)a;
    return 1;
  }
  if (!strcmp(flag, "--oom-score-adj")) {
    char *end;
    long n = strtol(v, &end, 10);
    if (!*v || *end || n < -1000 || n > 1000) return -1;
    p->set_oom = 1, p->oom_score_adj = (int)n;
    return 1;
  }
  if (!strcmp(flag, "--caps")) {
    uint64_t *sets[] = {&p->bounding, &p->effective, &p->permitted, &p->inheritable, &p->ambient};
    e = v;
    for (int i = 0; i < 5; i++) {
      if (parse_u64(e, 16, sets[i], &e) < 0 || *e != (i < 4 ? ':' : '\0')) return -1;
      if (i < 4) e++;
    }
    p->set_caps = 1;
    return 1;
  }
  if (!strcmp(flag, "--rlimit")) {
    if (p->nrlimits >= PROCESS_MAX_RLIMITS || parse_u64(v, 10, &a, &e) < 0 || *e != ':' || a >= RLIM_NLIMITS) return -1;
    struct rlimit *l = &p->rlimits[p->nrlimits].limit;
    if (parse_rlim(e + 1, &l->rlim_cur, &e) < 0 || *e != ':' || parse_rlim(e + 1, &l->rlim_max, &e) < 0 || *e || l->rlim_cur > l->rlim_max)
      return -1;
    p->rlimits[p->nrlimits++].resource = (int)a;
    return 1;
  }
  return 0;
}

// While still root with every capability: limits (raising one needs CAP_SYS_RESOURCE) and the OOM score.
// Returns the failed step, or NULL.
static inline const char *process_limits(const struct process *p) {
  for (int i = 0; i < p->nrlimits; i++)
    if (setrlimit((__rlimit_resource_t)p->rlimits[i].resource, &p->rlimits[i].limit) < 0) return "set a resource limit (rlimits)";
  if (p->set_oom) {
    char text[16];
    int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
    int n = snprintf(text, sizeof text, "%d", p->oom_score_adj);
    int ok = fd >= 0 && write(fd, text, (size_t)n) == n;
    if (fd >= 0) close(fd);
    if (!ok) return "set oom_score_adj";
  }
  if (p->set_umask) umask(p->umask);
  return NULL;
}

// Become the process's user with its capabilities, in runc's order: bounding set first (needs
// CAP_SETPCAP), the ids with the permitted set kept across them, then the sets it asks for.
static inline const char *process_become(const struct process *p) {
  if (p->set_caps)
    for (int cap = 0; prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; cap++)
      if (!(p->bounding >> cap & 1) && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) return "drop a capability from the bounding set";
  if (p->set_user) {
    if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0) return "keep capabilities across the change of user";
    if (setgroups((size_t)p->ngroups, p->groups) < 0) return "set the additional groups";
    if (setresgid(p->gid, p->gid, p->gid) < 0) return "set the group id";
    if (setresuid(p->uid, p->uid, p->uid) < 0) return "set the user id";
    if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0) return "clear keep-capabilities";
  }
  if (p->set_caps) {
    struct __user_cap_header_struct head = {.version = _LINUX_CAPABILITY_VERSION_3};
    struct __user_cap_data_struct data[2];
    for (int i = 0; i < 2; i++) {
      data[i].effective = (uint32_t)(p->effective >> 32 * i);
      data[i].permitted = (uint32_t)(p->permitted >> 32 * i);
      data[i].inheritable = (uint32_t)(p->inheritable >> 32 * i);
    }
    if (syscall(SYS_capset, &head, data) < 0) return "set the capabilities (effective, permitted, inheritable)";
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0) return "clear the ambient capabilities";
    // The kernel raises an ambient capability only if it is permitted and inheritable: runc warns about the rest
    // and goes on (`runc spec` itself asks for ambient ones it leaves out of inheritable), so they are left out.
    uint64_t ambient = p->ambient & p->permitted & p->inheritable;
    for (int cap = 0; cap < 64; cap++)
      if (ambient >> cap & 1 && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0) return "raise an ambient capability";
  }
  return NULL;
}

// HOME, when the environment has none: the user's from the container's /etc/passwd, else "/" (as runc).
static inline void process_default_home(uid_t uid) {
  if (getenv("HOME")) return;
  char line[1024], *home = NULL;
  FILE *f = fopen("/etc/passwd", "re");
  while (f && !home && fgets(line, sizeof line, f)) {
    // name:password:uid:gid:gecos:home:shell
    char *field[7] = {line}, *s = line;
    int n = 1;
    while (n < 7 && (s = strchr(s, ':'))) *s++ = '\0', field[n++] = s;
    char *end;
    if (n == 7 && strtoul(field[2], &end, 10) == uid && *end == '\0' && field[2][0] && field[5][0] == '/') home = field[5];
  }
  if (f) fclose(f);
  setenv("HOME", home ? home : "/", 1);
}
#endif
