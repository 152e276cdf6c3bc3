#!/bin/sh
# Container entry: give the judge a writable cgroup tree, then run the server (PID 1 is tini, see compose).
#
# Docker mounts the container's own cgroup namespace read-only unless the
# container is privileged.  With CAP_SYS_ADMIN (docker-compose.yml) the mount
# can be made writable: it still shows only the container's own subtree, so
# the judge can create one cgroup per test there and nothing outside it.
set -eu
for mount in $(awk '$3 == "cgroup" || $3 == "cgroup2" { print $2 }' /proc/self/mounts); do
    if grep -qs " $mount cgroup[2]* ro[, ]" /proc/self/mounts; then
        mount -o remount,rw "$mount" 2>/dev/null || echo "entrypoint: cannot make $mount writable" >&2
    fi
done
exec "$@"
