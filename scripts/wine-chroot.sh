#!/usr/bin/env bash
# A Debian trixie chroot with Wine 10, to run dist/mps-win-x64.exe on a Linux CI machine.
# Debian 12's Wine 8 cannot start Node 24's node.exe; trixie's Wine 10 can. Debian's own
# packages only (debootstrap + apt inside the chroot).
#
#   scripts/wine-chroot.sh build          # build once, reuse afterwards (marker file); prints ROOT
#   scripts/wine-chroot.sh status         # "ready ROOT" (exit 0) or "missing ROOT" (exit 1)
#   scripts/wine-chroot.sh mount DIR      # bind DIR (absolute) at the same path inside ROOT
#   scripts/wine-chroot.sh umount DIR     # undo one such bind
#   scripts/wine-chroot.sh umount-all     # every mount under ROOT (binds, /proc, /dev)
#   scripts/wine-chroot.sh remove         # umount-all, check nothing is left mounted, delete ROOT
#   scripts/wine-chroot.sh run DIR ARGS.. # cd DIR in the chroot and `wine ARGS` (stdout/stderr as given)
#
# ROOT is $MPS_WINE_ROOT, default /var/cache/mps-wine/trixie. Needs root.
#
# Danger: while a host folder is bind-mounted into ROOT, deleting ROOT deletes the host's files
# (with /dev bound, device nodes). Nothing here removes a path under ROOT without first checking
# /proc/self/mountinfo that no mount is left beneath it; only single test folders are bound,
# never /tmp or the repository.
set -euo pipefail

ROOT=${MPS_WINE_ROOT:-/var/cache/mps-wine/trixie}
# The Debian mirror this machine's apt already uses (deb822 .sources or a one-line sources.list),
# so the chroot comes from the same place as every other package; MPS_WINE_MIRROR overrides it.
apt_mirror() {
  local line
  line=$(grep -hsE '^URIs:[[:space:]]+[a-z]+://[^[:space:]]+/debian/?([[:space:]]|$)' /etc/apt/sources.list.d/*.sources | head -n 1)
  if [[ -n $line ]]; then
    awk '{print $2}' <<<"$line"
    return
  fi
  grep -hsE '^deb[[:space:]]+[a-z]+://[^[:space:]]+/debian/?[[:space:]]' /etc/apt/sources.list /etc/apt/sources.list.d/*.list |
    head -n 1 | awk '{print $2}'
}
MIRROR=${MPS_WINE_MIRROR:-$(apt_mirror)}
MARKER="$ROOT/.mps-wine-ready"
LOCK="$ROOT.lock"

die() {
  printf 'wine-chroot: %s\n' "$*" >&2
  exit 1
}

[[ $(id -u) -eq 0 ]] || die "needs root (debootstrap, chroot and mount)"
[[ $ROOT == /* && $ROOT != / ]] || die "MPS_WINE_ROOT must be an absolute path other than '/': got '$ROOT'"

# Mount points under ROOT, deepest first (so nested binds come off before their parents).
mounts_under_root() {
  awk -v root="$ROOT" '{ gsub(/\\040/, " ", $5); if ($5 == root || index($5, root "/") == 1) print $5 }' \
    /proc/self/mountinfo | sort -r -u
}

is_mounted() {
  awk -v p="$1" '$5 == p { found = 1 } END { exit !found }' /proc/self/mountinfo
}

umount_all() {
  local m
  while read -r m; do
    [[ -n $m ]] || continue
    umount "$m" 2>/dev/null || umount -l "$m"
  done < <(mounts_under_root)
  [[ -z $(mounts_under_root) ]] || die "still mounted under $ROOT: $(mounts_under_root | tr '\n' ' ')"
}

# /proc and /dev inside the chroot: Wine and apt need them. Idempotent.
mount_system() {
  mkdir -p "$ROOT/proc" "$ROOT/dev"
  is_mounted "$ROOT/proc" || mount -t proc proc "$ROOT/proc"
  if ! is_mounted "$ROOT/dev"; then
    mount --bind /dev "$ROOT/dev"
    # Read-only: nothing inside the chroot should create or delete host device nodes.
    mount -o remount,bind,ro "$ROOT/dev" 2>/dev/null || true
  fi
}

# debootstrap's minbase writes no /etc/hosts: without it "localhost" does not resolve in the chroot.
configure() {
  if [[ ! -s $ROOT/etc/hosts ]]; then
    printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$ROOT/etc/hosts"
  fi
}

in_chroot() {
  chroot "$ROOT" env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"
}

build() {
  if [[ -f $MARKER ]]; then
    configure
    mount_system
    echo "$ROOT"
    return
  fi
  local started=$SECONDS
  if [[ -e $ROOT ]]; then
    # A half-built chroot from an interrupted run: start over, but only once nothing is mounted in it.
    umount_all
    echo "wine-chroot: removing the unfinished chroot $ROOT" >&2
    rm -rf --one-file-system "$ROOT"
  fi
  command -v debootstrap >/dev/null || die "debootstrap is not installed (apt-get install debootstrap)"
  [[ -n $MIRROR ]] || die "apt's configuration names no Debian mirror: set MPS_WINE_MIRROR to one"
  mkdir -p "$(dirname "$ROOT")"
  echo "wine-chroot: debootstrap trixie into $ROOT" >&2
  debootstrap --variant=minbase trixie "$ROOT" "$MIRROR" >"$ROOT.debootstrap.log" 2>&1 ||
    die "debootstrap failed (log: $ROOT.debootstrap.log): $(tail -n 3 "$ROOT.debootstrap.log" | tr '\n' ' ')"
  cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
  configure
  mount_system
  echo "wine-chroot: apt-get install wine wine64 ca-certificates" >&2
  in_chroot bash -c 'export DEBIAN_FRONTEND=noninteractive &&
    apt-get update -qq && apt-get install -y -qq --no-install-recommends wine wine64 ca-certificates' \
    >"$ROOT.apt.log" 2>&1 || die "apt-get in the chroot failed (log: $ROOT.apt.log)"
  echo "wine-chroot: wineboot -i" >&2
  in_chroot env WINEPREFIX=/root/.wine WINEDEBUG=-all wineboot -i >/dev/null 2>&1 ||
    die "wineboot -i failed in $ROOT"
  in_chroot env WINEPREFIX=/root/.wine WINEDEBUG=-all wineserver -w || true
  mkdir -p "$ROOT/opt/mps"
  in_chroot wine --version >"$MARKER"
  echo "wine-chroot: built in $((SECONDS - started)) s ($(cat "$MARKER"))" >&2
  echo "$ROOT"
}

bind_dir() {
  local dir=$1
  [[ $dir == /* && -d $dir ]] || die "mount: '$dir' is not an absolute path to a folder"
  [[ $dir != / ]] || die "mount: refusing to bind '/'"
  [[ -f $MARKER ]] || die "the chroot is not built: run '$0 build' first"
  mount_system
  if ! is_mounted "$ROOT$dir"; then
    mkdir -p "$ROOT$dir"
    mount --bind "$dir" "$ROOT$dir"
  fi
}

unbind_dir() {
  local dir=$1
  if is_mounted "$ROOT$dir"; then umount "$ROOT$dir" 2>/dev/null || umount -l "$ROOT$dir"; fi
  # The empty mount point stays out of the way; rmdir only ever removes an empty folder.
  if ! is_mounted "$ROOT$dir"; then rmdir "$ROOT$dir" 2>/dev/null || true; fi
}

remove() {
  [[ -e $ROOT ]] || return 0
  umount_all
  rm -rf --one-file-system "$ROOT" "$ROOT.debootstrap.log" "$ROOT.apt.log"
}

cmd=${1:-}
shift || true
mkdir -p "$(dirname "$ROOT")"
# One writer at a time: test files run in parallel and may all ask for the chroot at once.
case $cmd in
  run)
    dir=${1:?run: folder}
    shift
    [[ -f $MARKER ]] || die "the chroot is not built: run '$0 build' first"
    # Wine aborts (free(): invalid pointer) when TMPDIR is set.
    exec chroot "$ROOT" env -u TMPDIR WINEPREFIX=/root/.wine WINEDEBUG="${WINEDEBUG:--all}" \
      bash -c 'cd "$1" && shift && exec wine "$@"' wine-run "$dir" "$@"
    ;;
  status)
    if [[ -f $MARKER ]]; then echo "ready $ROOT"; else
      echo "missing $ROOT"
      exit 1
    fi
    ;;
  build | mount | umount | umount-all | remove)
    exec 9>"$LOCK"
    flock 9
    case $cmd in
      build) build ;;
      mount) bind_dir "${1:?mount: folder}" ;;
      umount) unbind_dir "${1:?umount: folder}" ;;
      umount-all) umount_all ;;
      remove) remove ;;
    esac
    ;;
  *) die "usage: $0 build|status|mount DIR|umount DIR|umount-all|remove|run DIR ARGS..." ;;
esac
