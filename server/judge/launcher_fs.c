/*
 * Namespaces and the file system a sandboxed program sees.
 *
 * With -R the program gets an allow-list root: a small tmpfs holding only
 * read-only bind mounts of what the toolchains need (-b paths), symlinks
 * (-l), a synthesized /etc/passwd, four device nodes, a private /proc, a
 * small private /tmp and its own box at /tmp/box; then pivot_root, and the
 * host's tree is detached.  Nothing else of the host exists in there, so a
 * copy of the test data anywhere outside the bound folders cannot be opened,
 * included by a compiler or listed.
 *
 * Without -R (a kernel or container that refuses pivot_root) the host's tree
 * stays, with the -h paths covered and /tmp, /var/tmp, /dev/shm private.
 */
#include "launcher.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char *const DEVICES[] = {"null", "zero", "random", "urandom"};
static const char *const DEV_LINKS[][2] = {
    {"fd", "/proc/self/fd"}, {"stdin", "/proc/self/fd/0"}, {"stdout", "/proc/self/fd/1"}, {"stderr", "/proc/self/fd/2"}};

/* Map our own ids to root of a fresh user namespace (ids read beforehand:
   after unshare they read as the overflow id). */
void map_user(uid_t uid, gid_t gid) {
    char line[64];
    snprintf(line, sizeof line, "0 %d 1", (int)uid);
    write_file("/proc/self/uid_map", line);
    write_file("/proc/self/setgroups", "deny");
    snprintf(line, sizeof line, "0 %d 1", (int)gid);
    write_file("/proc/self/gid_map", line);
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

/* mkdir -p of an absolute path inside the new root (all of it ours). */
static void make_dirs(char *path) {
    for (char *p = path + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(path, 0755) && errno != EEXIST) die("mkdir");
        *p = '/';
    }
    if (mkdir(path, 0755) && errno != EEXIST) die("mkdir");
}

static void make_file(const char *path, const char *text, mode_t mode) {
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0 || (text && write(fd, text, strlen(text)) < 0)) die(path);
    close(fd);
}

/* Flags a bind's read-only remount must keep: an unprivileged mount
   namespace may not drop nosuid/nodev/noexec its source was mounted with. */
static unsigned long locked_flags(const char *path) {
    struct statvfs sv;
    unsigned long flags = 0;
    if (statvfs(path, &sv)) return 0;
    if (sv.f_flag & ST_NOSUID) flags |= MS_NOSUID;
    if (sv.f_flag & ST_NODEV) flags |= MS_NODEV;
    if (sv.f_flag & ST_NOEXEC) flags |= MS_NOEXEC;
    return flags;
}

/* Bind src under root (at dst for "src=dst", else at the same path);
   read-only unless it is a device. */
static void bind_into(const char *root, const char *spec, int device) {
    char target[PATH_MAX], src[PATH_MAX];
    struct stat st;
    const char *eq = strchr(spec, '=');
    const char *dst = eq ? eq + 1 : spec;
    if (snprintf(src, sizeof src, "%.*s", eq ? (int)(eq - spec) : (int)strlen(spec), spec) >= (int)sizeof src)
        die("bind path");
    if (stat(src, &st)) {
        if (eq) die("bind source"); /* asked for by name: its absence is an error */
        return; /* the toolchain lacks it here: nothing to show */
    }
    if (snprintf(target, sizeof target, "%s%s", root, dst) >= (int)sizeof target) die("bind path");
    if (S_ISDIR(st.st_mode)) {
        make_dirs(target);
    } else {
        char *slash = strrchr(target, '/');
        *slash = '\0';
        make_dirs(target);
        *slash = '/';
        make_file(target, NULL, 0644);
    }
    if (mount(src, target, NULL, MS_BIND, NULL)) die("bind");
    unsigned long flags = MS_BIND | MS_REMOUNT | MS_NOSUID | locked_flags(src);
    flags |= device ? MS_NOEXEC : MS_RDONLY | MS_NODEV;
    if (mount(NULL, target, NULL, flags, NULL)) die("bind remount");
}

static void make_link(const char *root, const char *spec) {
    char path[PATH_MAX];
    const char *eq = strchr(spec, '=');
    if (!eq || snprintf(path, sizeof path, "%s%.*s", root, (int)(eq - spec), spec) >= (int)sizeof path) {
        errno = EINVAL;
        die("link spec");
    }
    char *slash = strrchr(path, '/');
    *slash = '\0';
    make_dirs(path);
    *slash = '/';
    if (symlink(eq + 1, path) && errno != EEXIST) die("symlink");
}

/* Accounts the sandbox may look up: tools ask for their user's name and home. */
static void write_etc(const char *root) {
    char path[PATH_MAX], text[512];
    snprintf(path, sizeof path, "%s/etc", root);
    make_dirs(path);
    int uid = cfg.uid >= 0 ? cfg.uid : 0, gid = cfg.gid >= 0 ? cfg.gid : 0;
    snprintf(path, sizeof path, "%s/etc/passwd", root);
    snprintf(text, sizeof text,
             "root:x:0:0:root:/root:/usr/sbin/nologin\n"
             "judge:x:%d:%d:judge:/tmp:/usr/sbin/nologin\n"
             "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n", uid, gid);
    make_file(path, text, 0644);
    snprintf(path, sizeof path, "%s/etc/group", root);
    snprintf(text, sizeof text, "root:x:0:\njudge:x:%d:\nnogroup:x:65534:\n", gid);
    make_file(path, text, 0644);
    snprintf(path, sizeof path, "%s/etc/hosts", root);
    make_file(path, "127.0.0.1 localhost\n::1 localhost\n", 0644);
}

static void build_root(void) {
    const char *root = cfg.root;
    char path[PATH_MAX], opts[96];
    if (mount("tt-root", root, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,nr_inodes=4096,mode=0755")) die("root tmpfs");
    write_etc(root);
    for (int i = 0; i < cfg.nbind; i++) bind_into(root, cfg.bind[i], 0);
    for (int i = 0; i < cfg.nlink; i++) make_link(root, cfg.link[i]);
    for (size_t i = 0; i < sizeof DEVICES / sizeof *DEVICES; i++) {
        snprintf(path, sizeof path, "/dev/%s", DEVICES[i]);
        bind_into(root, path, 1);
    }
    for (size_t i = 0; i < sizeof DEV_LINKS / sizeof *DEV_LINKS; i++) {
        snprintf(path, sizeof path, "/dev/%s=%s", DEV_LINKS[i][0], DEV_LINKS[i][1]);
        make_link(root, path);
    }
    snprintf(opts, sizeof opts, "size=%lld,mode=1777", cfg.scratch_bytes);
    const char *scratches[] = {"/tmp", "/dev/shm"};
    for (int i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "%s%s", root, scratches[i]);
        make_dirs(path);
        if (mount("none", path, "tmpfs", MS_NOSUID | MS_NODEV, opts)) die("scratch");
    }
    /* The box is our cwd: bind it by "." (its host path may be covered). */
    snprintf(path, sizeof path, "%s%s", root, BOX);
    if (mkdir(path, 0755)) die("mkdir box");
    if (mount(".", path, NULL, MS_BIND, NULL)) die("bind box");
    if (mount(NULL, path, NULL, MS_BIND | MS_REMOUNT | MS_NOSUID | MS_NODEV | locked_flags("."), NULL))
        die("bind box remount");
    snprintf(path, sizeof path, "%s/proc", root);
    make_dirs(path);

    if (chdir(root)) die("chdir root");
    if (mkdir(".old", 0700)) die("mkdir old root");
    if (syscall(SYS_pivot_root, ".", ".old")) die("pivot_root");
    if (umount2("/.old", MNT_DETACH)) die("detach old root");
    if (rmdir("/.old")) die("rmdir old root");
    if (mount(NULL, "/", NULL, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL)) die("root read-only");
    for (int i = 0; i < cfg.nhide; i++) hide(cfg.hide[i]); /* protected paths inside bound folders */
    if (chdir(BOX)) die("chdir box");
}

/* Runs in the launcher before the fork: namespaces and the filesystem view. */
void enter_namespaces(void) {
    /* A private IPC namespace also frees SysV shared memory a program
       leaves behind, which would otherwise outlive it on the host. */
    int flags = (cfg.userns ? CLONE_NEWUSER : 0) | (cfg.netns ? CLONE_NEWNET : 0) |
                (cfg.ipcns ? CLONE_NEWIPC : 0) | (cfg.mntns ? CLONE_NEWNS | CLONE_NEWUTS : 0) |
                (cfg.pidns ? CLONE_NEWPID : 0);
    if (flags == 0) return;
    uid_t uid = getuid();
    gid_t gid = getgid();
    if (unshare(flags)) die("unshare");
    if (cfg.userns) map_user(uid, gid);
    if (!cfg.mntns) return;
    if (sethostname("judge", 5)) die("sethostname");
    /* Private propagation, so nothing done here leaks back to the host. */
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL)) die("private");
    if (cfg.root) {
        build_root();
        return;
    }
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

/* In the PID namespace's init: a /proc that shows only the sandbox. */
void mount_proc(void) {
    if (!cfg.mntns) return;
    if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) && cfg.root) die("mount proc");
}
