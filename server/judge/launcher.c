/*
 * Sandbox launcher for the Team Trainer judge: namespaces, limits, privilege
 * drop, exec, then one RESULT line on stderr.
 *
 * Built once with gcc by server/judge/sandbox.py.  Doing this in C rather than
 * in a Python preexec_fn keeps the per-run overhead to a fork and an exec, and
 * lets the wall-clock watchdog live next to the program: even if the server
 * dies, the launcher still kills the program at its wall limit.
 *
 * Process tree:  launcher (root, watchdog) -> init (pid 1 of a new PID
 * namespace, reaps, reports) -> program.  Without a PID namespace the program
 * is the launcher's direct child, in its own process group.
 *
 * Protocol: the launcher's stdin/stdout are the program's; the program's
 * stderr goes to -e FILE (appended) or /dev/null.  The launcher's own stderr
 * carries "ERROR <stage> <errno text>" lines and, last, one line
 * "RESULT <exit> <signal> <cpu_us> <wall_us> <maxrss_kb> <timed_out>"
 * (exit or signal is -1 when not applicable).
 */
#define _GNU_SOURCE
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
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_HIDE 64
#define BOX "/tmp/box"

struct config {
    long cpu_ms, wall_ms, nproc;
    long long as_bytes, stack_bytes, fsize_bytes, scratch_bytes;
    int uid, gid, netns, ipcns, mntns, pidns, userns;
    const char *hide[MAX_HIDE];
    int nhide;
    const char *dir, *errpath;
    char **argv;
};

static struct config cfg = {.uid = -1, .gid = -1};
static int report_fd = -1; /* pipe to the launcher, close-on-exec */

static void die(const char *stage) {
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

static void write_file(const char *path, const char *text) {
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0 || write(fd, text, strlen(text)) < 0) die(path);
    close(fd);
}

static void set_limit(int resource, long long soft, long long hard) {
    struct rlimit rl = {(rlim_t)soft, (rlim_t)hard};
    if (soft < 0) return;
    if (setrlimit(resource, &rl)) die("setrlimit");
}

/* Cover a path with an empty read-only tmpfs (or /dev/null for a file). */
static void hide(const char *path) {
    struct stat st;
    if (stat(path, &st)) return; /* absent or already covered: nothing to hide */
    unsigned long flags = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC;
    if (S_ISDIR(st.st_mode)) {
        if (mount("none", path, "tmpfs", flags, "size=4k,nr_inodes=2,mode=000")) die("hide");
    } else {
        if (mount("/dev/null", path, NULL, MS_BIND, NULL)) die("hide");
        if (mount(NULL, path, NULL, MS_BIND | MS_REMOUNT | flags, NULL)) die("hide");
    }
}

static void scratch(const char *path) {
    char opts[96];
    struct stat st;
    if (stat(path, &st) || !S_ISDIR(st.st_mode)) return;
    snprintf(opts, sizeof opts, "size=%lld,mode=1777", cfg.scratch_bytes);
    if (mount("none", path, "tmpfs", MS_NOSUID | MS_NODEV, opts)) die("scratch");
}

/* Map our own ids to root of a fresh user namespace (ids read beforehand:
   after unshare they read as the overflow id). */
static void map_user(uid_t uid, gid_t gid) {
    char line[64];
    snprintf(line, sizeof line, "0 %d 1", (int)uid);
    write_file("/proc/self/uid_map", line);
    write_file("/proc/self/setgroups", "deny");
    snprintf(line, sizeof line, "0 %d 1", (int)gid);
    write_file("/proc/self/gid_map", line);
}

/* Runs in the launcher before the fork: namespaces and the filesystem view. */
static void enter_namespaces(void) {
    /* A private IPC namespace also frees SysV shared memory a program
       leaves behind, which would otherwise outlive it on the host. */
    int flags = (cfg.userns ? CLONE_NEWUSER : 0) | (cfg.netns ? CLONE_NEWNET : 0) |
                (cfg.ipcns ? CLONE_NEWIPC : 0) | (cfg.mntns ? CLONE_NEWNS : 0) |
                (cfg.pidns ? CLONE_NEWPID : 0);
    if (flags == 0) return;
    uid_t uid = getuid();
    gid_t gid = getgid();
    if (unshare(flags)) die("unshare");
    if (cfg.userns) map_user(uid, gid);
    if (!cfg.mntns) return;
    /* Private propagation, so nothing done here leaks back to the host. */
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL)) die("private");
    for (int i = 0; i < cfg.nhide; i++) hide(cfg.hide[i]);
    scratch("/tmp");
    scratch("/var/tmp");
    scratch("/dev/shm");
    /* The working folder may sit under a hidden path; we still hold it as our
       cwd, so bind it to a fixed place where getcwd() works. */
    if (mkdir(BOX, 0755) && errno != EEXIST) die("mkdir box");
    if (mount(".", BOX, NULL, MS_BIND, NULL)) die("bind box");
    if (chdir(BOX)) die("chdir box");
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
           the backstop, the profiling timer below is the precise cut-off. */
        long soft = cfg.cpu_ms / 1000 + 1;
        set_limit(RLIMIT_CPU, soft, soft + 1);
    }
    set_limit(RLIMIT_AS, cfg.as_bytes, cfg.as_bytes);
    set_limit(RLIMIT_STACK, cfg.stack_bytes, cfg.stack_bytes);
    set_limit(RLIMIT_FSIZE, cfg.fsize_bytes, cfg.fsize_bytes);
    set_limit(RLIMIT_NPROC, cfg.nproc, cfg.nproc);
    set_limit(RLIMIT_MSGQUEUE, 0, 0);
    set_limit(RLIMIT_MEMLOCK, 0, 0);

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
    execv(cfg.argv[0], cfg.argv);
    die("exec");
}

/* pid 1 of the new PID namespace: start the program, reap, report its status.
   When this returns the kernel kills whatever the program left behind. */
static void run_init(int errfd) {
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    if (cfg.mntns) {
        /* Our own /proc shows only the sandbox's processes; best effort. */
        mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
    }
    pid_t program = fork();
    if (program < 0) die("fork");
    if (program == 0) exec_program(errfd);
    int status = 0;
    for (;;) {
        pid_t r = wait(&status);
        if (r == program) break;
        if (r < 0 && errno != EINTR) die("wait");
    }
    dprintf(report_fd, "S %d\n", status);
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

static int probe(void) {
    /* Which namespaces can we make?  Each attempt in a throwaway child. */
    int root = geteuid() == 0;
    int kinds[] = {CLONE_NEWUSER, CLONE_NEWNET, CLONE_NEWIPC, CLONE_NEWNS, CLONE_NEWPID};
    const char *names[] = {"user", "net", "ipc", "mnt", "pid"};
    printf("PROBE euid=%d", (int)geteuid());
    for (int i = 0; i < 5; i++) {
        pid_t pid = fork();
        if (pid == 0) {
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

static void parse(int argc, char **argv) {
    int opt;
    cfg.as_bytes = cfg.stack_bytes = cfg.fsize_bytes = cfg.nproc = -1;
    cfg.scratch_bytes = 64LL << 20;
    while ((opt = getopt(argc, argv, "+t:w:m:s:f:p:u:g:nINPUh:T:d:e:x")) != -1) {
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
        case 'h':
            if (cfg.nhide == MAX_HIDE) { fprintf(stderr, "ERROR args too many -h\n"); exit(120); }
            cfg.hide[cfg.nhide++] = optarg;
            break;
        case 'T': cfg.scratch_bytes = number(optarg); break;
        case 'd': cfg.dir = optarg; break;
        case 'e': cfg.errpath = optarg; break;
        case 'x': exit(probe());
        default: fprintf(stderr, "ERROR args usage\n"); exit(120);
        }
    }
    if (optind >= argc) { fprintf(stderr, "ERROR args no program\n"); exit(120); }
    cfg.argv = argv + optind;
}

static long elapsed_us(const struct timespec *a, const struct timespec *b) {
    return (b->tv_sec - a->tv_sec) * 1000000L + (b->tv_nsec - a->tv_nsec) / 1000;
}

int main(int argc, char **argv) {
    parse(argc, argv);
    /* Taken with sigtimedwait below; SIGTERM means the server gave up. */
    sigset_t waited;
    sigemptyset(&waited);
    sigaddset(&waited, SIGCHLD);
    sigaddset(&waited, SIGTERM);
    sigprocmask(SIG_BLOCK, &waited, NULL);

    int errfd = open(cfg.errpath ? cfg.errpath : "/dev/null",
                     O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (errfd < 0) die("open stderr");
    if (cfg.dir && chdir(cfg.dir)) die("chdir");
    int pipefd[2];
    if (pipe2(pipefd, O_CLOEXEC)) die("pipe");
    enter_namespaces();

    /* Without a PID namespace, orphans (double forks, setsid daemons) are
       reparented to us rather than to the host's init, so we can reap them. */
    if (!cfg.pidns) prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    pid_t child = fork();
    if (child < 0) die("fork");
    if (child == 0) {
        close(pipefd[0]);
        report_fd = pipefd[1];
        if (cfg.pidns) run_init(errfd);
        exec_program(errfd);
    }
    close(pipefd[1]);

    int status = 0, timed_out = 0, cancelled = 0;
    struct rusage ru;
    memset(&ru, 0, sizeof ru);
    for (;;) {
        pid_t r = wait4(child, &status, WNOHANG, &ru);
        if (r == child) break;
        clock_gettime(CLOCK_MONOTONIC, &now);
        long left = cfg.wall_ms > 0 ? cfg.wall_ms * 1000L - elapsed_us(&start, &now) : 1000000L;
        if (left <= 0 || cancelled) {
            /* Killing pid 1 of the namespace takes every process in it. */
            kill(cfg.pidns ? child : -child, SIGKILL);
            kill(child, SIGKILL);
            wait4(child, &status, 0, &ru);
            timed_out = 1;
            break;
        }
        struct timespec ts = {left / 1000000L, (left % 1000000L) * 1000L};
        if (sigtimedwait(&waited, NULL, &ts) == SIGTERM) cancelled = 1;
    }
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (!cfg.pidns) {
        kill(-child, SIGKILL); /* stragglers left in the group */
        int swept = cfg.uid >= 0 && !cfg.userns;
        if (swept) sweep_uid();
        /* Reap the orphans: zombies would still count against RLIMIT_NPROC.
           Block only when the sweep guarantees they are all dying. */
        for (;;) {
            pid_t r = waitpid(-1, NULL, swept ? __WALL : __WALL | WNOHANG);
            if (r > 0 || (r < 0 && errno == EINTR)) continue;
            break;
        }
    }
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
            status = atoi(line + 2);
            reported = 1;
        }
    }
    if (!reported) fprintf(stderr, "ERROR init exited without a status\n");
    if (failed || !reported) return 121;
    long cpu_us = ru.ru_utime.tv_sec * 1000000L + ru.ru_utime.tv_usec +
                  ru.ru_stime.tv_sec * 1000000L + ru.ru_stime.tv_usec;
    fprintf(stderr, "RESULT %d %d %ld %ld %ld %d\n",
            WIFEXITED(status) ? WEXITSTATUS(status) : -1,
            WIFSIGNALED(status) ? WTERMSIG(status) : -1,
            cpu_us, elapsed_us(&start, &now), ru.ru_maxrss, timed_out);
    return 0;
}
