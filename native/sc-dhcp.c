// sc-dhcp: a container's DHCP client, privilege-separated. busybox udhcpc, which parses what the LAN
// sends, runs as an unprivileged host id with only CAP_NET_ADMIN, CAP_NET_RAW and CAP_NET_BIND_SERVICE (port
// 68, for renewals and the release), in the container's
// network namespace. This small root part stays behind: it reads the lease the client's script reports
// on fd 9 (validated, IPv4 only), records it, and when a renewal brings other DNS servers, writes the
// container's resolv.conf from inside it (sc-enter --put, with the container's capabilities).
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "caps.h"
#include "fds.h"

#define LEASE_MAX 4096
// Where the script reports: udhcpc takes fds 3 and 4 for its own signal pipe.
#define EVENTS_FD 9

struct options {
  const char *netns, *lease, *pidfile, *enter, *pid, *start_time;
  unsigned long uid;
  char **client;
};

static volatile sig_atomic_t stop_requested;
static pid_t client;

static void die(const char *fmt, ...) {
  va_list ap;
  fputs("sc-dhcp: ", stderr);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  exit(1);
}

static void usage(const char *why) {
  fprintf(stderr, "sc-dhcp: %s\nusage: sc-dhcp --netns FILE --uid HOSTID --lease FILE --pidfile FILE "
                  "[--enter SC-ENTER --pid PID --start-time TICKS] -- busybox udhcpc -f ARGS...\n", why);
  exit(2);
}

static int is_ipv4(const char *s) {
  struct in_addr a;
  return inet_pton(AF_INET, s, &a) == 1;
}

// The client: an unprivileged id whose only capabilities are the three a DHCP client needs, kept across
// exec as ambient ones; no_new_privs, so nothing it runs gains more. Its events go to fd 9.
static void run_client(const struct options *o, int events) {
  uint64_t keep = CAP(NET_ADMIN) | CAP(NET_RAW) | CAP(NET_BIND_SERVICE);
  struct __user_cap_header_struct head = {.version = _LINUX_CAPABILITY_VERSION_3};
  struct __user_cap_data_struct data[2] = {{0}};
  if (dup2(events, EVENTS_FD) < 0 || close_fds_from(3, EVENTS_FD, 0) < 0) _exit(125);
  for (int cap = 0; prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; cap++)
    if (!(keep >> cap & 1) && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) _exit(125);
  if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0 || setgroups(0, NULL) < 0 || setresgid(o->uid, o->uid, o->uid) < 0 ||
      setresuid(o->uid, o->uid, o->uid) < 0)
    _exit(125);
  data[0].effective = data[0].permitted = data[0].inheritable = (uint32_t)keep;
  if (syscall(SYS_capset, &head, data) < 0 || prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_ADMIN, 0, 0) < 0 ||
      prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_RAW, 0, 0) < 0 ||
      prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_BIND_SERVICE, 0, 0) < 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
      // Last: a change of ids clears it. The client never outlives the part that records its leases.
      prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0) < 0 || getppid() == 1)
    _exit(125);
  execvp(o->client[0], o->client);
  fprintf(stderr, "sc-dhcp: %s: %s\n", o->client[0], strerror(errno));
  _exit(127);
}

static int write_atomic(const char *file, const char *text) {
  char tmp[4200];
  snprintf(tmp, sizeof tmp, "%s.tmp", file);
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return -1;
  ssize_t n = write(fd, text, strlen(text));
  if (close(fd) < 0 || n != (ssize_t)strlen(text) || rename(tmp, file) < 0) return unlink(tmp), -1;
  return 0;
}

// One event block from the script (key=value lines, an empty line ends it), checked field by field:
// only well-formed addresses reach the lease file. Returns 0 for a lease, -1 for anything else.
static int parse_event(char *block, char *lease, size_t size, char *dns) {
  char ip[64] = "", mask[8] = "", router[64] = "", event[16] = "", seconds[16] = "";
  dns[0] = '\0';
  for (char *line, *rest = block; (line = strsep(&rest, "\n"));) {
    char *v = strchr(line, '=');
    if (!v) continue;
    *v++ = '\0';
    if (!strcmp(line, "event") && strlen(v) < sizeof event) strcpy(event, v);
    else if (!strcmp(line, "ip") && is_ipv4(v)) snprintf(ip, sizeof ip, "%s", v);
    else if (!strcmp(line, "mask") && strspn(v, "0123456789") == strlen(v) && *v && atoi(v) <= 32) snprintf(mask, sizeof mask, "%s", v);
    else if (!strcmp(line, "router") && is_ipv4(v)) snprintf(router, sizeof router, "%s", v);
    else if (!strcmp(line, "lease") && strspn(v, "0123456789") == strlen(v) && strlen(v) < sizeof seconds) strcpy(seconds, v);
    else if (!strcmp(line, "dns")) {
      for (char *s, *words = v; (s = strsep(&words, " "));)
        if (is_ipv4(s) && strlen(dns) + strlen(s) + 2 < 256) strcat(strcat(dns, dns[0] ? " " : ""), s);
    }
  }
  if ((strcmp(event, "bound") && strcmp(event, "renew")) || !ip[0] || !mask[0]) return -1;
  snprintf(lease, size, "ip=%s\nmask=%s\nrouter=%s\ndns=%s\nlease=%s\nevent=%s\n", ip, mask, router, dns, seconds, event);
  return 0;
}

static void put_resolv_conf(const struct options *o, const char *dns) {
  char content[512] = "", copy[256];
  snprintf(copy, sizeof copy, "%s", dns);
  for (char *s, *words = copy; (s = strsep(&words, " "));)
    if (*s) snprintf(content + strlen(content), sizeof content - strlen(content), "nameserver %s\n", s);
  pid_t pid = fork();
  if (pid == 0) {
    execl(o->enter, o->enter, "--pid", o->pid, "--start-time", o->start_time, "--put", "/etc/resolv.conf", content, (char *)NULL);
    _exit(127);
  }
  if (pid > 0) waitpid(pid, NULL, 0);
}

// SIGTERM: udhcpc -R releases the lease as it exits. SIGUSR1 (renew now), SIGUSR2 (release) are udhcpc's own.
static void pass_on(int sig) {
  if (sig == SIGTERM || sig == SIGINT) stop_requested = 1, sig = SIGTERM;
  if (client > 0) kill(client, sig);
}

int main(int argc, char **argv) {
  struct options o = {0};
  for (int i = 1; i < argc && !o.client; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--")) {
      if (i + 1 >= argc) usage("missing the client's command after '--'");
      o.client = &argv[i + 1];
      break;
    }
    if (i + 1 >= argc) usage("missing value for an option");
    const char *v = argv[++i];
    char *end;
    if (!strcmp(a, "--netns")) o.netns = v;
    else if (!strcmp(a, "--uid")) {
      o.uid = strtoul(v, &end, 10);
      if (*end || !o.uid || o.uid >= 0xffffffffUL) usage("--uid wants a host id other than 0");
    } else if (!strcmp(a, "--lease")) o.lease = v;
    else if (!strcmp(a, "--pidfile")) o.pidfile = v;
    else if (!strcmp(a, "--enter")) o.enter = v;
    else if (!strcmp(a, "--pid")) o.pid = v;
    else if (!strcmp(a, "--start-time")) o.start_time = v;
    else usage("unknown option");
  }
  if (!o.netns || !o.uid || !o.lease || !o.pidfile || !o.client) usage("--netns, --uid, --lease, --pidfile and the client are required");
  if (o.enter && (!o.pid || !o.start_time)) usage("--enter needs --pid and --start-time");

  int ns = open(o.netns, O_RDONLY | O_CLOEXEC);
  if (ns < 0 || setns(ns, CLONE_NEWNET) < 0) die("enter the network namespace %s: %s", o.netns, strerror(errno));
  close(ns);
  int events[2], ready[2];
  if (pipe2(events, O_CLOEXEC) < 0 || pipe2(ready, O_CLOEXEC) < 0) die("pipe: %s", strerror(errno));

  // The caller waits until the first lease is recorded (or the client gave up); we stay behind.
  pid_t daemon = fork();
  if (daemon < 0) die("fork: %s", strerror(errno));
  if (daemon > 0) {
    char verdict[256] = "";
    close(ready[1]);
    ssize_t n = read(ready[0], verdict, sizeof verdict - 1);
    verdict[n > 0 ? n : 0] = '\0';
    if (!strcmp(verdict, "bound")) return 0;
    fprintf(stderr, "sc-dhcp: %s\n", verdict[0] ? verdict : "the client died before it got a lease");
    return 1;
  }
  close(ready[0]);
  setsid();
  if (chdir("/") < 0) _exit(1);
  int null = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null >= 0) dup2(null, STDIN_FILENO), dup2(null, STDOUT_FILENO);

  struct sigaction sa = {.sa_handler = pass_on};
  static const int passed[] = {SIGTERM, SIGINT, SIGUSR1, SIGUSR2};
  for (size_t i = 0; i < sizeof passed / sizeof passed[0]; i++) sigaction(passed[i], &sa, NULL);
  signal(SIGPIPE, SIG_IGN);
  client = fork();
  if (client < 0) _exit(1);
  if (client == 0) run_client(&o, events[1]);
  close(events[1]);
  char pid[32];
  snprintf(pid, sizeof pid, "%d\n", getpid());

  static char buf[LEASE_MAX];
  char lease[1024], dns[256], last_dns[256] = "";
  size_t len = 0;
  int bound = 0;
  for (;;) {
    ssize_t n = read(events[0], buf + len, sizeof buf - 1 - len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break; // the client and its scripts are gone
    len += (size_t)n;
    buf[len] = '\0';
    char *end;
    while ((end = strstr(buf, "\n\n"))) {
      *end = '\0';
      if (parse_event(buf, lease, sizeof lease, dns) == 0 && write_atomic(o.lease, lease) == 0) {
        if (!bound) {
          bound = 1;
          if (write_atomic(o.pidfile, pid) < 0 || write(ready[1], "bound", 5) != 5) kill(client, SIGTERM);
          close(ready[1]);
        } else if (o.enter && strcmp(dns, last_dns) && dns[0]) {
          put_resolv_conf(&o, dns);
        }
        snprintf(last_dns, sizeof last_dns, "%s", dns);
      }
      len -= (size_t)(end + 2 - buf);
      memmove(buf, end + 2, len + 1);
    }
    if (len == sizeof buf - 1) len = 0; // garbage without an end: dropped
  }
  int status = 0;
  while (waitpid(client, &status, 0) < 0 && errno == EINTR) {}
  if (!bound) {
    char why[128];
    snprintf(why, sizeof why, WIFEXITED(status) && WEXITSTATUS(status) == 1 ? "no lease" : "the client failed (status %d)", status);
    if (write(ready[1], why, strlen(why)) < 0) {}
  }
  unlink(o.pidfile);
  return stop_requested || bound ? 0 : 1;
}
