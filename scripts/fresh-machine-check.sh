#!/usr/bin/env bash
# On demand: proves the README's two commands work on a fresh Debian 12
# machine with nothing else installed.
#
# Builds a clean Debian 12 (bookworm) root with debootstrap, configures
# Debian's main and security archives in it (LLVM 22 comes from security),
# bind-mounts the machine image's /usr/local/cuda read-only (the CUDA toolkit
# is no Debian package), clones this repository in, and runs
#     bash scripts/setup.sh && bash scripts/test.sh
# in a chroot. Prints how long each step took. Needs root and debootstrap.
#
# usage: scripts/fresh-machine-check.sh [WORKDIR]    (default /tmp/modelc-fresh)
# Environment: MIRROR, SECURITY_MIRROR (default: the URIs this machine's apt
#   uses), KEEP=1 keeps WORKDIR afterwards.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=${1:-/tmp/modelc-fresh}
TARGET=$WORK/rootfs

[ "$(id -u)" -eq 0 ] || { echo "fresh-machine-check: run as root" >&2; exit 2; }
command -v debootstrap >/dev/null ||
  { echo "fresh-machine-check: install debootstrap first" >&2; exit 2; }

# The archives this machine's apt already uses, unless told otherwise.
apt_uris() { # PATTERN: the first URI whose line or stanza mentions it
  cat /etc/apt/sources.list.d/*.sources 2>/dev/null |
    awk -v want="$1" 'BEGIN { RS = ""; }
      $0 ~ want { for (i = 1; i <= NF; i++) if ($i == "URIs:") { print $(i + 1); exit } }'
  grep -hE '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
    awk -v want="$1" '$0 ~ want { print $2; exit }' || true
}
MIRROR=${MIRROR:-$(apt_uris 'Suites: bookworm( |$)' | head -1)}
SECURITY_MIRROR=${SECURITY_MIRROR:-$(apt_uris 'bookworm-security' | head -1)}
[ -n "$MIRROR" ] && [ -n "$SECURITY_MIRROR" ] ||
  { echo "fresh-machine-check: set MIRROR and SECURITY_MIRROR" >&2; exit 2; }

# Anything still mounted below WORK (a run that died, a chroot opened by hand)
# is the host's own /dev, /proc or CUDA toolkit: removing WORK through it would
# delete the host's files. Never remove WORK while a mount is left, and never
# cross into another file system when removing it.
mounts_below() { awk -v w="$WORK/" 'index($2 "/", w) == 1 { print $2 }' /proc/mounts; }
remove_work() {
  if [ -n "$(mounts_below)" ]; then
    echo "fresh-machine-check: still mounted below $WORK, not removing it:" >&2
    mounts_below >&2
    return 1
  fi
  rm -rf --one-file-system "$WORK"
}
mounted=()
cleanup() {
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount -l "${mounted[$i]}" 2>/dev/null || true; done
  [ "${KEEP:-0}" = 1 ] || remove_work
}
trap cleanup EXIT
bind() { # FROM TO [ro]
  mkdir -p "$2"
  mount --bind "$1" "$2"
  mounted+=("$2")
  if [ "${3:-}" = ro ]; then mount -o remount,bind,ro "$2"; fi
}

start=$(date +%s)
step() { echo "== fresh-machine-check: $1 ($(( $(date +%s) - start )) s so far)"; }

remove_work || exit 1
mkdir -p "$WORK"
step "debootstrap bookworm from $MIRROR"
debootstrap --variant=minbase bookworm "$TARGET" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 ||
  { tail -20 "$WORK/debootstrap.log"; exit 1; }
cat >"$TARGET/etc/apt/sources.list" <<SOURCES
deb $MIRROR bookworm main
deb $MIRROR bookworm-updates main
deb $SECURITY_MIRROR bookworm-security main
SOURCES
cp /etc/resolv.conf "$TARGET/etc/resolv.conf"
# The network's own certificate authorities, as every machine of this kind
# trusts them (the registries are reached through them); nothing else of the
# host's comes along.
chroot_env=(HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8)
if [ -d /usr/local/share/ca-certificates ]; then
  mkdir -p "$TARGET/usr/local/share/ca-certificates"
  cp -r /usr/local/share/ca-certificates/. "$TARGET/usr/local/share/ca-certificates/"
fi
if [ -n "${NODE_EXTRA_CA_CERTS:-}" ] && [ -f "$NODE_EXTRA_CA_CERTS" ]; then
  mkdir -p "$TARGET/etc/ssl"
  cp "$NODE_EXTRA_CA_CERTS" "$TARGET/etc/ssl/network-ca.crt"
  chroot_env+=(NODE_EXTRA_CA_CERTS=/etc/ssl/network-ca.crt)
fi
bind /proc "$TARGET/proc"
bind /sys "$TARGET/sys"
bind /dev "$TARGET/dev"
bind /dev/pts "$TARGET/dev/pts"
if [ -d /usr/local/cuda ]; then
  bind "$(readlink -f /usr/local/cuda)" "$TARGET/usr/local/cuda" ro
else
  echo "fresh-machine-check: no /usr/local/cuda on this machine; the CUDA tests will fail" >&2
fi

step "cloning the repository"
git clone -q "$ROOT" "$TARGET/root/modelc"

step "bash scripts/setup.sh"
t0=$(date +%s)
chroot "$TARGET" /usr/bin/env -i "${chroot_env[@]}" bash -c 'cd /root/modelc && bash scripts/setup.sh'
setup_s=$(( $(date +%s) - t0 ))

step "bash scripts/test.sh"
t0=$(date +%s)
status=0
chroot "$TARGET" /usr/bin/env -i "${chroot_env[@]}" bash -c 'cd /root/modelc && bash scripts/test.sh' || status=$?
test_s=$(( $(date +%s) - t0 ))

total=$(( $(date +%s) - start ))
echo "== fresh-machine-check: setup.sh ${setup_s} s, test.sh ${test_s} s, ${total} s in all"
if [ $status -ne 0 ]; then
  echo "== fresh-machine-check: FAILED (test.sh exit $status)"
  exit 1
fi
echo "== fresh-machine-check: passed"
