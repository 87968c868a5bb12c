// The container's seccomp filter, from the rules that sc-spawn compiles out of a profile (the policy is
// decided in TypeScript; this only loads it). Format, one directive per line ('#' comments):
//   default ACTION | arch NAME | ACTION SYSCALL [INDEX:OP:VALUE[:VALUE2]]...
//   ACTION: allow errno:N kill_thread kill_process trap log; OP: ne lt le eq ge gt masked_eq
// Args on one line are ANDed, lines for one syscall ORed. A syscall this libseccomp does not know for
// the architecture is skipped (it then meets the default action); anything else malformed is an error.
#ifndef SC_SECCOMP_H
#define SC_SECCOMP_H
#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/filter.h>
#include <sys/wait.h>
#include <unistd.h>

#define SECCOMP_RULES_MAX (1 << 20)

static int seccomp_action(const char *word, uint32_t *action) {
  char *end;
  if (!strcmp(word, "allow")) *action = SCMP_ACT_ALLOW;
  else if (!strcmp(word, "kill_thread")) *action = SCMP_ACT_KILL_THREAD;
  else if (!strcmp(word, "kill_process")) *action = SCMP_ACT_KILL_PROCESS;
  else if (!strcmp(word, "trap")) *action = SCMP_ACT_TRAP;
  else if (!strcmp(word, "log")) *action = SCMP_ACT_LOG;
  else if (!strncmp(word, "errno:", 6)) {
    long n = strtol(word + 6, &end, 10);
    if (!word[6] || *end || n < 0 || n > 4095) return -1;
    *action = SCMP_ACT_ERRNO((uint32_t)n);
  } else return -1;
  return 0;
}

static int seccomp_arg(char *word, struct scmp_arg_cmp *arg) {
  static const struct { const char *name; enum scmp_compare op; } ops[] = {
    {"ne", SCMP_CMP_NE}, {"lt", SCMP_CMP_LT}, {"le", SCMP_CMP_LE}, {"eq", SCMP_CMP_EQ},
    {"ge", SCMP_CMP_GE}, {"gt", SCMP_CMP_GT}, {"masked_eq", SCMP_CMP_MASKED_EQ},
  };
  char *index = strtok_r(word, ":", &word), *op = strtok_r(NULL, ":", &word), *a = strtok_r(NULL, ":", &word);
  char *b = strtok_r(NULL, ":", &word), *end;
  if (!index || !op || !a || (index[0] < '0' || index[0] > '5' || index[1])) return -1;
  memset(arg, 0, sizeof *arg);
  arg->arg = (unsigned)(index[0] - '0');
  arg->op = 0;
  for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
    if (!strcmp(op, ops[i].name)) arg->op = ops[i].op;
  errno = 0;
  arg->datum_a = strtoull(a, &end, 10);
  if (!arg->op || *end || errno) return -1;
  if (b) {
    arg->datum_b = strtoull(b, &end, 10);
    if (*end || errno) return -1;
  }
  return (arg->op == SCMP_CMP_MASKED_EQ) == (b != NULL) ? 0 : -1;
}

// Builds the filter from FILE. Returns NULL with `why` filled in (file, line and cause) on any error.
static scmp_filter_ctx seccomp_from_rules(const char *file, char *why, size_t why_size) {
  static char text[SECCOMP_RULES_MAX];
  scmp_filter_ctx ctx = NULL;
  int fd = open(file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW), line_no = 0, rc;
  ssize_t len = 0, n;
  if (fd < 0) return snprintf(why, why_size, "open seccomp rules %s: %s", file, strerror(errno)), NULL;
  while (len < SECCOMP_RULES_MAX - 1 && (n = read(fd, text + len, SECCOMP_RULES_MAX - 1 - len)) > 0) len += n;
  close(fd);
  text[len] = '\0';
  for (char *rest = text, *line; (line = strsep(&rest, "\n"));) {
    char *save, *word = strtok_r(line, " ", &save);
    uint32_t action;
    line_no++;
    if (!word || word[0] == '#') continue;
    if (!ctx) {
      char *value = strtok_r(NULL, " ", &save);
      if (strcmp(word, "default") || !value || seccomp_action(value, &action) < 0) goto bad;
      if (!(ctx = seccomp_init(action))) goto bad;
      // The container's own no_new_privs is sc's choice (--no-new-privileges), not libseccomp's default.
      if (seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0) < 0) goto bad;
      continue;
    }
    if (!strcmp(word, "arch")) {
      char *name = strtok_r(NULL, " ", &save);
      uint32_t arch = name ? seccomp_arch_resolve_name(name) : 0;
      if (!arch) goto bad;
      rc = seccomp_arch_add(ctx, arch);
      if (rc < 0 && rc != -EEXIST) goto bad;
      continue;
    }
    char *name = strtok_r(NULL, " ", &save);
    struct scmp_arg_cmp args[6];
    unsigned nargs = 0;
    if (!name || seccomp_action(word, &action) < 0) goto bad;
    for (char *a; (a = strtok_r(NULL, " ", &save));)
      if (nargs >= 6 || seccomp_arg(a, &args[nargs++]) < 0) goto bad;
    int nr = seccomp_syscall_resolve_name(name);
    if (nr == __NR_SCMP_ERROR) continue;
    if ((rc = seccomp_rule_add_array(ctx, action, nr, nargs, args)) < 0) {
      snprintf(why, why_size, "seccomp rules %s line %d (%s): %s", file, line_no, name, strerror(-rc));
      seccomp_release(ctx);
      return NULL;
    }
  }
  if (ctx) return ctx;
  snprintf(why, why_size, "seccomp rules %s: no 'default' line", file);
  return NULL;
bad:
  snprintf(why, why_size, "seccomp rules %s line %d is not valid", file, line_no);
  if (ctx) seccomp_release(ctx);
  return NULL;
}
// The filter as a BPF program (what the kernel loads), compiled in a child of ours: libseccomp's
// working memory (about a megabyte for Docker's profile) never reaches a container's PID 1.
// Returns the number of instructions written to PROGRAM, or -1 with `why` filled in.
static int seccomp_compile(const char *file, struct sock_filter *program, size_t max, char *why, size_t why_size) {
  int out[2], status;
  if (pipe2(out, O_CLOEXEC) < 0) return snprintf(why, why_size, "pipe: %s", strerror(errno)), -1;
  pid_t pid = fork();
  if (pid < 0) return snprintf(why, why_size, "fork: %s", strerror(errno)), -1;
  if (pid == 0) {
    close(out[0]);
    scmp_filter_ctx ctx = seccomp_from_rules(file, why, why_size);
    if (!ctx) {
      if (write(out[1], why, strlen(why)) < 0) {}
      _exit(2);
    }
    _exit(seccomp_export_bpf(ctx, out[1]) < 0 ? 1 : 0);
  }
  close(out[1]);
  size_t len = 0;
  ssize_t n;
  char *buf = (char *)program;
  while (len < max * sizeof *program && (n = read(out[0], buf + len, max * sizeof *program - len)) > 0) len += (size_t)n;
  close(out[0]);
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
  if (WIFEXITED(status) && WEXITSTATUS(status) == 2) {
    snprintf(why, why_size, "%.*s", (int)(len < why_size ? len : why_size - 1), buf);
    return -1;
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) || !len || len % sizeof *program)
    return snprintf(why, why_size, "compile the seccomp rules %s", file), -1;
  return (int)(len / sizeof *program);
}
#endif
