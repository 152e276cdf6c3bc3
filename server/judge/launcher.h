/*
 * Shared declarations of the sandbox launcher (launcher.c and its three
 * helpers: launcher_fs.c, launcher_cgroup.c, launcher_seccomp.c).
 */
#ifndef TT_LAUNCHER_H
#define TT_LAUNCHER_H

#define _GNU_SOURCE
#include <sys/types.h>

#define MAX_LIST 64
#define MAX_CGROUPS 8
#define BOX "/tmp/box"

struct config {
    long cpu_ms, wall_ms, nproc;
    long long as_bytes, stack_bytes, fsize_bytes, scratch_bytes;
    int uid, gid, netns, ipcns, mntns, pidns, userns, seccomp;
    const char *hide[MAX_LIST];   /* paths covered inside the sandbox's view */
    int nhide;
    const char *bind[MAX_LIST];   /* host paths ("path" or "src=dst") bound read-only into the new root */
    int nbind;
    const char *link[MAX_LIST];   /* "path=target" symlinks made in the new root */
    int nlink;
    const char *root;             /* empty folder to build the allow-list root on, or NULL */
    int cg_version;               /* 0: no cgroups, 1 or 2 */
    const char *cg_parent[MAX_CGROUPS];
    int ncg;
    long long cg_memory;          /* bytes, 0: no memory limit */
    long cg_pids;                 /* 0: no pids limit */
    const char *dir, *errpath;
    char **argv;
};

extern struct config cfg;
extern int report_fd;

void die(const char *stage) __attribute__((noreturn));
void write_file(const char *path, const char *text);

/* launcher_fs.c: namespaces and the file system view (before the fork). */
void map_user(uid_t uid, gid_t gid);
void enter_namespaces(void);
void mount_proc(void);

/* launcher_cgroup.c: one cgroup per run. */
struct cg_stats {
    long long cpu_ns;   /* user + system of every process that ran in it */
    long long peak;     /* bytes, -1 when the kernel does not say */
    long oom_kills;
    long long wait_ns;  /* run-queue wait of the live threads (measured at the wall limit) */
};
void cg_create(void);
pid_t cg_fork(int *must_join);
void cg_join(void);
long long cg_cpu_ns(void);
long cg_oom_kills(void);
long long cg_wait_ns(void);
void cg_kill_all(void);
void cg_stats(struct cg_stats *out);
void cg_remove(void);

/* launcher_seccomp.c: the system-call filter. */
int seccomp_install(void);

#endif
