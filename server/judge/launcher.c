/*
 * Sandbox launcher for the Team Trainer judge: cgroup, namespaces, file
 * system view, limits, privilege drop, seccomp filter, exec, then one RESULT
 * line on stderr.
 *
 * Built once with gcc by server/judge/launcher.py (with launcher_fs.c,
 * launcher_cgroup.c and launcher_seccomp.c).  Doing this in C rather than in
 * a Python preexec_fn keeps the per-run overhead to a fork and an exec, and
 * lets the watchdog live next to the program: even if the server dies, the
 * launcher still kills the program at its limits and removes its cgroup.
 *
 * Process tree:  launcher (root, watchdog) -> init (pid 1 of a new PID
 * namespace, first member of the run's cgroup, reaps, reports) -> program.
 * Without a PID namespace the program is the launcher's direct child, in its
 * own process group.
 *
 * Protocol: the launcher's stdin/stdout are the program's; the program's
 * stderr goes to -e FILE (appended) or /dev/null.  The launcher's own stderr
 * carries "ERROR <stage> <errno text>" lines and, last, one line
 * "RESULT <exit> <signal> <cpu_us> <wall_us> <memory_bytes> <timed_out>
 *  <oom_kills> <wait_us> <accounted> <ended_us>" (exit or signal is -1
 * when not applicable; accounted is 1 when time and memory come from the
 * cgroup, 0 when from the kernel's rusage of the main process; ended_us is
 * CLOCK_MONOTONIC when the program ended, comparable between launchers: it
 * tells which side of an interactive problem ended first).
 */
#include "launcher.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef KEYCTL_JOIN_SESSION_KEYRING
#define KEYCTL_JOIN_SESSION_KEYRING 1
#endif

struct config cfg = {.uid = -1, .gid = -1};
int report_fd = -1; /* pipe to the launcher, close-on-exec */

void die(const char *stage) {
    /* Before the fork this is the launcher's stderr; after it, the pipe. */
    if (report_fd >= 0) {
        dprintf(report_fd, "E %s %s\n", stage, strerror(errno));
        _exit(127);
    }
    fprintf(stderr, "ERROR %s %s\n", stage, strerror(errno));
    exit(120);
}

static long long number(const char *s) {
    char *end;
    long long v = strtoll(s, &end, 10);
    if (*s == '\0' || *end != '\0') {
        fprintf(stderr, "ERROR args bad number %s\n", s);
        exit(120);
    }
    return v;
}

void write_file(const char *path, const char *text) {
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0 || write(fd, text, strlen(text)) < 0) die(path);
    close(fd);
}

static void set_limit(int resource, long long soft, long long hard) {
    struct rlimit rl = {(rlim_t)soft, (rlim_t)hard};
    if (soft < 0) return;
    if (setrlimit(resource, &rl)) die("setrlimit");
}

static void drop_capabilities(void) {
    /* Inside a user namespace we are uid 0 with every capability over the
       mounts we just made; shed them so the program cannot unmount. */
    for (int cap = 0; cap <= 63; cap++) prctl(PR_CAPBSET_DROP, cap, 0, 0, 0);
    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
    struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2];
    memset(data, 0, sizeof data);
    if (syscall(SYS_capset, &hdr, data)) die("capset");
}

static void exec_program(int errfd) {
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    /* Ignored signals survive exec; the program must get default actions. */
    int sigs[] = {SIGPIPE, SIGXFSZ, SIGXCPU, SIGPROF, SIGINT, SIGTERM, SIGHUP, SIGCHLD};
    for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++) signal(sigs[i], SIG_DFL);
    if (!cfg.pidns && setpgid(0, 0)) die("setpgid");
    if (dup2(errfd, 2) < 0) die("dup2");

    set_limit(RLIMIT_CORE, 0, 0);
    if (cfg.cpu_ms > 0) {
        /* RLIMIT_CPU has whole-second granularity and is per process; it is
           the backstop, the profiling timer below is the precise cut-off for
           the main process, the cgroup's total for the whole tree. */
        long soft = cfg.cpu_ms / 1000 + 1;
        set_limit(RLIMIT_CPU, soft, soft + 1);
    }
    set_limit(RLIMIT_AS, cfg.as_bytes, cfg.as_bytes);
    set_limit(RLIMIT_STACK, cfg.stack_bytes, cfg.stack_bytes);
    set_limit(RLIMIT_FSIZE, cfg.fsize_bytes, cfg.fsize_bytes);
    set_limit(RLIMIT_NPROC, cfg.nproc, cfg.nproc);
    set_limit(RLIMIT_MSGQUEUE, 0, 0);
    set_limit(RLIMIT_MEMLOCK, 0, 0);

    /* A fresh anonymous session keyring, so nothing reaches this run through
       the keyring it would otherwise inherit (the filter below also refuses
       every key call).  Made while still root: it is charged to root's key
       quota, not to the sandbox user's small one. */
    syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL);

    if (cfg.userns) {
        drop_capabilities();
    } else if (cfg.uid >= 0) {
        if (setgroups(0, NULL)) die("setgroups");
        if (setresgid(cfg.gid, cfg.gid, cfg.gid)) die("setgid");
        if (setresuid(cfg.uid, cfg.uid, cfg.uid)) die("setuid");
    }
    /* No setuid binary may hand the program its privileges back. */
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) die("no_new_privs");
    if (cfg.cpu_ms > 0) {
        /* ITIMER_PROF counts user+sys time and survives execve. */
        long ms = cfg.cpu_ms + 20;
        struct itimerval it = {{0, 0}, {ms / 1000, (ms % 1000) * 1000}};
        if (setitimer(ITIMER_PROF, &it, NULL)) die("setitimer");
    }
    syscall(SYS_close_range, 3U, ~0U, 4U /* CLOSE_RANGE_CLOEXEC */);
    if (cfg.seccomp && seccomp_install()) die("seccomp");
    execv(cfg.argv[0], cfg.argv);
    die("exec");
}

/* Let go of the program's stdin and stdout once it has them: a pipe to the
   other side of an interactive problem then ends when the program does, not
   when we do. */
static void release_stdio(void) {
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null < 0) return;
    dup2(null, 0);
    dup2(null, 1);
    close(null);
}

/* pid 1 of the new PID namespace: start the program, reap, report its status.
   When this returns the kernel kills whatever the program left behind. */
static void run_init(int errfd) {
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    mount_proc();
    pid_t program = fork();
    if (program < 0) die("fork");
    if (program == 0) exec_program(errfd);
    release_stdio();
    /* Wake as soon as the program ends (we only sleep in wait() until then):
       the moment we stamp is when it ended, for interactive problems. */
    setpriority(PRIO_PROCESS, 0, -20);
    int status = 0;
    for (;;) {
        pid_t r = wait(&status);
        if (r == program) break;
        if (r < 0 && errno != EINTR) die("wait");
    }
    /* When the program ended, as close to its exit as we can see it: which
       side of an interactive problem left first depends on it. */
    struct timespec ended;
    clock_gettime(CLOCK_MONOTONIC, &ended);
    dprintf(report_fd, "S %d %lld\n", status, ended.tv_sec * 1000000LL + ended.tv_nsec / 1000);
    _exit(0);
}

/* Without a PID namespace a program can escape its process group (setsid).
   Its uid is ours alone for this run, so kill everything running as it. */
static void sweep_uid(void) {
    pid_t pid = fork();
    if (pid == 0) {
        if (setresuid(cfg.uid, cfg.uid, cfg.uid)) _exit(1);
        for (int i = 0; i < 100; i++)
            if (kill(-1, SIGKILL) && errno == ESRCH) break;
        _exit(0);
    }
    if (pid > 0) waitpid(pid, NULL, 0);
}

/* In a throwaway child: does the filter load and refuse what it should? */
static int probe_seccomp(void) {
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) || seccomp_install()) return 0;
    int ok = unshare(CLONE_NEWUSER) == -1 && errno == EPERM;
    ok = ok && syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL) == -1 && errno == EPERM;
    ok = ok && socket(AF_NETLINK, SOCK_RAW, 0) == -1 && errno == EAFNOSUPPORT;
    ok = ok && getpid() > 0;
    return ok;
}

static int probe(void) {
    /* Which namespaces can we make?  Each attempt in a throwaway child. */
    int root = geteuid() == 0;
    int kinds[] = {CLONE_NEWUSER, CLONE_NEWNET, CLONE_NEWIPC, CLONE_NEWNS, CLONE_NEWPID, 0};
    const char *names[] = {"user", "net", "ipc", "mnt", "pid", "seccomp"};
    printf("PROBE euid=%d", (int)geteuid());
    for (int i = 0; i < 6; i++) {
        pid_t pid = fork();
        if (pid == 0) {
            if (kinds[i] == 0) _exit(probe_seccomp() ? 0 : 1);
            int flags = kinds[i] | (root ? 0 : CLONE_NEWUSER);
            uid_t uid = getuid();
            gid_t gid = getgid();
            if (unshare(flags)) _exit(1);
            if (!root) map_user(uid, gid);
            if (kinds[i] == CLONE_NEWNS) {
                if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL)) _exit(1);
                if (mount("none", "/tmp", "tmpfs", 0, "size=4k")) _exit(1);
            }
            _exit(0);
        }
        int status = 1;
        waitpid(pid, &status, 0);
        printf(" %s=%d", names[i], WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    printf("\n");
    return 0;
}

static void append(const char **list, int *n, const char *item, const char *what) {
    if (*n == MAX_LIST) {
        fprintf(stderr, "ERROR args too many %s\n", what);
        exit(120);
    }
    list[(*n)++] = item;
}

static void parse(int argc, char **argv) {
    int opt;
    cfg.as_bytes = cfg.stack_bytes = cfg.fsize_bytes = cfg.nproc = -1;
    cfg.scratch_bytes = 64LL << 20;
    while ((opt = getopt(argc, argv, "+t:w:m:s:f:p:u:g:nINPUSh:b:l:R:V:c:M:k:T:d:e:x")) != -1) {
        switch (opt) {
        case 't': cfg.cpu_ms = number(optarg); break;
        case 'w': cfg.wall_ms = number(optarg); break;
        case 'm': cfg.as_bytes = number(optarg); break;
        case 's': cfg.stack_bytes = number(optarg); break;
        case 'f': cfg.fsize_bytes = number(optarg); break;
        case 'p': cfg.nproc = number(optarg); break;
        case 'u': cfg.uid = (int)number(optarg); break;
        case 'g': cfg.gid = (int)number(optarg); break;
        case 'n': cfg.netns = 1; break;
        case 'I': cfg.ipcns = 1; break;
        case 'N': cfg.mntns = 1; break;
        case 'P': cfg.pidns = 1; break;
        case 'U': cfg.userns = 1; break;
        case 'S': cfg.seccomp = 1; break;
        case 'h': append(cfg.hide, &cfg.nhide, optarg, "-h"); break;
        case 'b': append(cfg.bind, &cfg.nbind, optarg, "-b"); break;
        case 'l': append(cfg.link, &cfg.nlink, optarg, "-l"); break;
        case 'R': cfg.root = optarg; break;
        case 'V': cfg.cg_version = (int)number(optarg); break;
        case 'c':
            if (cfg.ncg == MAX_CGROUPS) { fprintf(stderr, "ERROR args too many -c\n"); exit(120); }
            cfg.cg_parent[cfg.ncg++] = optarg;
            break;
        case 'M': cfg.cg_memory = number(optarg); break;
        case 'k': cfg.cg_pids = number(optarg); break;
        case 'T': cfg.scratch_bytes = number(optarg); break;
        case 'd': cfg.dir = optarg; break;
        case 'e': cfg.errpath = optarg; break;
        case 'x': exit(probe());
        default: fprintf(stderr, "ERROR args usage\n"); exit(120);
        }
    }
    if (optind >= argc) { fprintf(stderr, "ERROR args no program\n"); exit(120); }
    if (cfg.ncg && cfg.cg_version != 1 && cfg.cg_version != 2) { fprintf(stderr, "ERROR args -V 1|2\n"); exit(120); }
    if (cfg.root && !cfg.mntns) { fprintf(stderr, "ERROR args -R needs -N\n"); exit(120); }
    cfg.argv = argv + optind;
}

static long elapsed_us(const struct timespec *a, const struct timespec *b) {
    return (b->tv_sec - a->tv_sec) * 1000000L + (b->tv_nsec - a->tv_nsec) / 1000;
}

/* How long until the cgroup's CPU total could next pass the limit: the tree
   burns at most one second per second per CPU it may use. */
static long cpu_check_us(int cpus) {
    long long left_ns = (cfg.cpu_ms + 20) * 1000000LL - cg_cpu_ns();
    if (left_ns <= 0) return 0;
    long us = (long)(left_ns / 1000 / cpus);
    return us < 2000 ? 2000 : us > 200000 ? 200000 : us;
}

int main(int argc, char **argv) {
    parse(argc, argv);
    /* Taken with sigtimedwait below; SIGTERM means the server gave up. */
    sigset_t waited;
    sigemptyset(&waited);
    sigaddset(&waited, SIGCHLD);
    sigaddset(&waited, SIGTERM);
    sigprocmask(SIG_BLOCK, &waited, NULL);

    int errfd = open(cfg.errpath ? cfg.errpath : "/dev/null", O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (errfd < 0) die("open stderr");
    if (cfg.dir && chdir(cfg.dir)) die("chdir");
    int pipefd[2];
    if (pipe2(pipefd, O_CLOEXEC)) die("pipe");
    cpu_set_t affinity;
    int cpus = sched_getaffinity(0, sizeof affinity, &affinity) == 0 ? CPU_COUNT(&affinity) : 1;
    cg_create();
    enter_namespaces();

    /* Without a PID namespace, orphans (double forks, setsid daemons) are
       reparented to us rather than to the host's init, so we can reap them. */
    if (!cfg.pidns) prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    int must_join;
    pid_t child = cg_fork(&must_join);
    if (child < 0) die("fork");
    if (child == 0) {
        close(pipefd[0]);
        report_fd = pipefd[1];
        if (must_join) cg_join();
        /* Its own cgroup namespace: /proc/self/cgroup shows "/", not the
           judge's layout (best effort: an old kernel lacks it). */
        if (cfg.ncg && cfg.mntns) unshare(CLONE_NEWCGROUP);
        if (cfg.pidns) run_init(errfd);
        exec_program(errfd);
    }
    close(pipefd[1]);
    release_stdio();

    int status = 0, timed_out = 0, cancelled = 0, tree_limit = cfg.ncg > 0 && cfg.cpu_ms > 0;
    long long wait_ns = 0;
    struct rusage ru;
    memset(&ru, 0, sizeof ru);
    for (;;) {
        pid_t r = wait4(child, &status, WNOHANG, &ru);
        if (r == child) break;
        clock_gettime(CLOCK_MONOTONIC, &now);
        long left = cfg.wall_ms > 0 ? cfg.wall_ms * 1000L - elapsed_us(&start, &now) : 1000000L;
        long check = tree_limit ? cpu_check_us(cpus) : left;
        /* cgroup v1 kills one process at the memory limit and lets the rest
           run on (v2 kills the group): end the test at its first OOM kill. */
        if (cfg.cg_memory > 0) check = cg_oom_kills() > 0 ? 0 : check > 100000 ? 100000 : check;
        if (left <= 0 || check <= 0 || cancelled) {
            if (left <= 0) {
                timed_out = 1;
                wait_ns = cg_wait_ns();
            }
            /* Killing pid 1 of the namespace takes every process in it. */
            kill(cfg.pidns ? child : -child, SIGKILL);
            kill(child, SIGKILL);
            wait4(child, &status, 0, &ru);
            break;
        }
        if (check < left) left = check;
        struct timespec ts = {left / 1000000L, (left % 1000000L) * 1000L};
        if (sigtimedwait(&waited, NULL, &ts) == SIGTERM) cancelled = 1;
    }
    clock_gettime(CLOCK_MONOTONIC, &now);
    long long ended_us = now.tv_sec * 1000000LL + now.tv_nsec / 1000;
    if (!cfg.pidns) {
        kill(-child, SIGKILL); /* stragglers left in the group */
        int swept = cfg.uid >= 0 && !cfg.userns;
        if (swept) sweep_uid();
        cg_kill_all();
        /* Reap the orphans: zombies would still count against RLIMIT_NPROC.
           Block only when the sweep guarantees they are all dying. */
        for (;;) {
            pid_t r = waitpid(-1, NULL, swept ? __WALL : __WALL | WNOHANG);
            if (r > 0 || (r < 0 && errno == EINTR)) continue;
            break;
        }
    }
    cg_kill_all();
    struct cg_stats stats;
    cg_stats(&stats);
    int accounted = cfg.ncg > 0;
    cg_remove();
    if (cancelled) return 122;

    char buf[4096];
    ssize_t n, len = 0;
    while (len < (ssize_t)sizeof buf - 1 && (n = read(pipefd[0], buf + len, sizeof buf - 1 - len)) > 0) len += n;
    buf[len] = '\0';
    int failed = 0, reported = !cfg.pidns || timed_out;
    for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
        if (line[0] == 'E') {
            fprintf(stderr, "ERROR %s\n", line + 2);
            failed = 1;
        } else if (line[0] == 'S' && cfg.pidns) {
            char *end;
            status = (int)strtol(line + 2, &end, 10);
            long long at = strtoll(end, NULL, 10);
            if (at > 0) ended_us = at;
            reported = 1;
        }
    }
    /* The tree's CPU limit killed init before it could report: a time limit. */
    if (!reported && tree_limit && stats.cpu_ns > cfg.cpu_ms * 1000000LL) reported = 1;
    if (!reported && stats.oom_kills > 0) reported = 1; /* the OOM killer took init */
    if (!reported) fprintf(stderr, "ERROR init exited without a status\n");
    if (failed || !reported) return 121;
    long cpu_us = ru.ru_utime.tv_sec * 1000000L + ru.ru_utime.tv_usec + ru.ru_stime.tv_sec * 1000000L +
                  ru.ru_stime.tv_usec;
    long long memory = ru.ru_maxrss * 1024LL;
    if (accounted) {
        cpu_us = (long)(stats.cpu_ns / 1000);
        /* the main process's own peak is a floor: file cache charged after the tree's peak is not under-counted */
        if (stats.peak >= 0 && stats.peak > memory) memory = stats.peak;
    }
    fprintf(stderr, "RESULT %d %d %ld %ld %lld %d %ld %lld %d %lld\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1,
            WIFSIGNALED(status) ? WTERMSIG(status) : -1, cpu_us, elapsed_us(&start, &now), memory, timed_out,
            stats.oom_kills, wait_ns / 1000, accounted, ended_us);
    return 0;
}
