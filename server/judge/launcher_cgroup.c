/*
 * One cgroup per run: whole-tree limits and accounting.
 *
 * The server (server/judge/cgroups.py) prepares one parent folder per
 * hierarchy (cgroup v1: memory, cpuacct, pids, cpu, cpuset mounted apart or
 * together; v2: one unified folder) and passes them with -c.  Here each run
 * gets a leaf "t<launcher pid>" under every parent, with its memory limit
 * (swap off), pids limit, then the sandbox's first process joins it before it
 * forks anything, so every descendant is accounted for: CPU time of every
 * process that ever ran in it (cpuacct.usage / cpu.stat), its memory peak
 * (memory.max_usage_in_bytes / memory.peak) and the OOM kills
 * (memory.oom_control / memory.events).  At the end every process still in
 * it is killed (cgroup.kill where the kernel has it, else a kill loop over
 * cgroup.procs) and the leaf is removed.
 *
 * The launcher holds the folders by file descriptor: after pivot_root the
 * cgroup file system is no longer in its view.
 */
#include "launcher.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static int ncg;
static int parent_fd[MAX_CGROUPS], leaf_fd[MAX_CGROUPS], procs_fd[MAX_CGROUPS];
static char leaf[32];
static int cpu_fd = -1; /* cpuacct.usage (v1) or cpu.stat (v2) */
static int oom_fd = -1; /* memory.oom_control (v1) or memory.events (v2) */
static int proc_fd = -1; /* the host's /proc, for run-queue waits */

static void pause_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Open a knob in whichever leaf has it; -1 with errno ENOENT when none does. */
static int open_knob(const char *name, int flags, int *which) {
    for (int i = 0; i < ncg; i++) {
        int fd = openat(leaf_fd[i], name, flags | O_CLOEXEC);
        if (fd >= 0 || errno != ENOENT) {
            if (which) *which = i;
            return fd;
        }
    }
    errno = ENOENT;
    return -1;
}

/* Write a knob; returns 0 when no hierarchy has it (optional knobs). */
static int set_knob(const char *name, const char *value, int required) {
    int fd = open_knob(name, O_WRONLY, NULL);
    if (fd < 0) {
        if (errno == ENOENT && !required) return 0;
        die(name);
    }
    if (write(fd, value, strlen(value)) < 0) die(name);
    close(fd);
    return 1;
}

/* Read a small cgroup file into buf (NUL-terminated); -1 when absent. */
static ssize_t read_knob_fd(int fd, char *buf, size_t size) {
    ssize_t n = pread(fd, buf, size - 1, 0);
    if (n < 0) return -1;
    buf[n] = '\0';
    return n;
}

static ssize_t read_knob(const char *name, char *buf, size_t size) {
    int fd = open_knob(name, O_RDONLY, NULL);
    if (fd < 0) return -1;
    ssize_t n = read_knob_fd(fd, buf, size);
    close(fd);
    return n;
}

/* The value after "key " in a "key value" listing (memory.events, cpu.stat). */
static long long keyed(const char *text, const char *key) {
    size_t k = strlen(key);
    for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
        if (strncmp(p, key, k) == 0 && p[k] == ' ') return strtoll(p + k + 1, NULL, 10);
    }
    return -1;
}

void cg_create(void) {
    char value[32];
    if (cfg.ncg == 0) return;
    /* Whatever stops the launcher from here on (an error in the namespaces
       or the file system view, a bad knob) still removes what it made. */
    atexit(cg_remove);
    proc_fd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
    snprintf(leaf, sizeof leaf, "t%d", (int)getpid());
    for (int i = 0; i < cfg.ncg; i++) {
        parent_fd[i] = open(cfg.cg_parent[i], O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (parent_fd[i] < 0) die("cgroup parent");
        /* A leaf of this name can only be left by a launcher that died with
           our pid: it is empty, remove it and start clean. */
        if (mkdirat(parent_fd[i], leaf, 0755) && (errno != EEXIST || unlinkat(parent_fd[i], leaf, AT_REMOVEDIR) ||
                                                  mkdirat(parent_fd[i], leaf, 0755))) {
            close(parent_fd[i]);
            die("cgroup mkdir");
        }
        leaf_fd[i] = openat(parent_fd[i], leaf, O_PATH | O_DIRECTORY | O_CLOEXEC);
        ncg = i + 1; /* made: cg_remove takes it away again */
        if (leaf_fd[i] < 0) die("cgroup open");
    }
    if (cfg.cg_memory > 0) {
        snprintf(value, sizeof value, "%lld", cfg.cg_memory);
        if (cfg.cg_version == 1) {
            set_knob("memory.limit_in_bytes", value, 1);
            /* memory+swap at the same cap: no swapping beyond the limit */
            if (!set_knob("memory.memsw.limit_in_bytes", value, 0)) set_knob("memory.swappiness", "0", 0);
        } else {
            set_knob("memory.max", value, 1);
            set_knob("memory.swap.max", "0", 0);
            set_knob("memory.oom.group", "1", 0); /* an OOM kill takes the whole test */
        }
    }
    if (cfg.cg_pids > 0) {
        snprintf(value, sizeof value, "%ld", cfg.cg_pids);
        set_knob("pids.max", value, 1);
    }
    cpu_fd = open_knob(cfg.cg_version == 1 ? "cpuacct.usage" : "cpu.stat", O_RDONLY, NULL);
    if (cpu_fd < 0) die("cgroup cpu accounting");
    oom_fd = open_knob(cfg.cg_version == 1 ? "memory.oom_control" : "memory.events", O_RDONLY, NULL);
    if (oom_fd < 0 && cfg.cg_memory > 0) die("cgroup oom events");
    for (int i = 0; i < ncg; i++) {
        procs_fd[i] = openat(leaf_fd[i], "cgroup.procs", O_WRONLY | O_CLOEXEC);
        if (procs_fd[i] < 0) die("cgroup.procs");
    }
}

/* In the sandbox's first process, before it forks: join every leaf (after a
   plain fork; cg_fork says whether it is needed). */
void cg_join(void) {
    for (int i = 0; i < ncg; i++) {
        if (write(procs_fd[i], "0", 1) < 0) die("cgroup join");
        close(procs_fd[i]);
    }
}

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

/* fork() into the run's cgroup.  Moving a process between cgroups takes a
   global lock whose writer waits for an RCU grace period (about a
   millisecond per hierarchy on a busy machine); cgroup v2 can instead create
   the child inside its leaf (clone3 with CLONE_INTO_CGROUP, Linux 5.7). The
   child of a raw clone3 has a stale thread id cached by glibc, which only
   raise() and pthread calls would use: the sandbox's init uses neither. */
pid_t cg_fork(int *must_join) {
    *must_join = 0;
    if (ncg == 1 && cfg.cg_version == 2) {
        int dir = openat(leaf_fd[0], ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dir >= 0) {
            struct clone_args args;
            memset(&args, 0, sizeof args);
            args.flags = CLONE_INTO_CGROUP;
            args.exit_signal = SIGCHLD;
            args.cgroup = (unsigned long long)dir;
            long pid = syscall(SYS_clone3, &args, sizeof args);
            int saved = errno;
            if (pid != 0) close(dir);
            if (pid == 0) {
                close(dir);
                close(procs_fd[0]);
                return 0;
            }
            if (pid > 0) return (pid_t)pid;
            if (saved != ENOSYS && saved != EINVAL && saved != E2BIG) {
                errno = saved;
                return -1;
            }
        }
    }
    *must_join = ncg > 0;
    return fork();
}

long long cg_cpu_ns(void) {
    char buf[1024];
    if (ncg == 0 || read_knob_fd(cpu_fd, buf, sizeof buf) < 0) return 0;
    if (cfg.cg_version == 1) return strtoll(buf, NULL, 10);
    long long us = keyed(buf, "usage_usec");
    return us < 0 ? 0 : us * 1000;
}

long cg_oom_kills(void) {
    char buf[1024];
    if (ncg == 0 || oom_fd < 0 || read_knob_fd(oom_fd, buf, sizeof buf) < 0) return 0;
    long long kills = keyed(buf, "oom_kill");
    return kills > 0 ? (long)kills : 0;
}

/* Pids (or thread ids) listed in a leaf file; returns the count read. */
static int list_ids(const char *name, int *ids, int max) {
    static char buf[65536];
    int fd = openat(leaf_fd[0], name, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    ssize_t len = 0, n;
    while (len < (ssize_t)sizeof buf - 1 && (n = read(fd, buf + len, sizeof buf - 1 - len)) > 0) len += n;
    close(fd);
    buf[len > 0 ? len : 0] = '\0';
    int count = 0;
    for (char *p = buf, *end; count < max && *p; p = end) {
        long v = strtol(p, &end, 10);
        if (end == p) break;
        ids[count++] = (int)v;
        while (*end == '\n') end++;
    }
    return count;
}

/* Time the live threads spent runnable but not running (schedstat's second
   field): a program starved by the machine is not idle. */
long long cg_wait_ns(void) {
    static int tids[4096];
    char path[64], buf[128];
    long long total = 0;
    if (ncg == 0 || proc_fd < 0) return 0;
    int n = list_ids(cfg.cg_version == 1 ? "tasks" : "cgroup.threads", tids, 4096);
    for (int i = 0; i < n; i++) {
        snprintf(path, sizeof path, "%d/schedstat", tids[i]);
        int fd = openat(proc_fd, path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) continue;
        ssize_t len = read(fd, buf, sizeof buf - 1);
        close(fd);
        if (len <= 0) continue;
        buf[len] = '\0';
        char *end;
        strtoll(buf, &end, 10);
        total += strtoll(end, NULL, 10);
    }
    return total;
}

/* Kill every process in the leaf and wait until it is empty. */
void cg_kill_all(void) {
    static int pids[4096];
    if (ncg == 0) return;
    set_knob("cgroup.kill", "1", 0);
    for (int round = 0; round < 2000; round++) {
        int n = list_ids("cgroup.procs", pids, 4096);
        if (n == 0) return;
        for (int i = 0; i < n; i++) kill(pids[i], SIGKILL);
        pause_ms(1);
    }
    fprintf(stderr, "WARNING cgroup %s did not empty\n", leaf);
}

/* Page cache of regular files still charged to the leaf: the output the run wrote and the inputs it
   was the first to read. The memory peak counts it, but it is not the program's memory (a program
   writing 40 MiB of output was reported 40 MiB larger). tmpfs and shared memory (shmem) are part of
   the cache figure and are the program's memory, so they stay counted. */
static long long file_cache(void) {
    char buf[8192];
    if (read_knob("memory.stat", buf, sizeof buf) <= 0) return 0;
    long long cache = keyed(buf, cfg.cg_version == 1 ? "cache" : "file");
    long long shmem = keyed(buf, "shmem");
    if (cache <= 0) return 0;
    if (shmem > 0) cache -= shmem;
    return cache > 0 ? cache : 0;
}

void cg_stats(struct cg_stats *out) {
    char buf[1024];
    out->cpu_ns = cg_cpu_ns();
    out->peak = -1;
    out->oom_kills = 0;
    if (ncg == 0) return;
    if (read_knob(cfg.cg_version == 1 ? "memory.max_usage_in_bytes" : "memory.peak", buf, sizeof buf) > 0) {
        long long peak = strtoll(buf, NULL, 10) - file_cache();
        out->peak = peak > 0 ? peak : 0;
    }
    out->oom_kills = cg_oom_kills();
}

/* Remove the leaves; an emptied cgroup can stay busy for a moment.
   Idempotent (also registered with atexit). */
void cg_remove(void) {
    for (int i = 0; i < ncg; i++) {
        if (leaf_fd[i] >= 0) close(leaf_fd[i]);
        int tries = 0;
        while (unlinkat(parent_fd[i], leaf, AT_REMOVEDIR) && errno == EBUSY && tries++ < 500) pause_ms(1);
        close(parent_fd[i]);
    }
    if (cpu_fd >= 0) close(cpu_fd);
    if (oom_fd >= 0) close(oom_fd);
    ncg = 0;
}
