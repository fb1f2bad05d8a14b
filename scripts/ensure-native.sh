#!/usr/bin/env bash
# Makes sure TorchSharp's native library can load on this machine.
# libtorch 2.10 (TorchSharp 0.107) needs libstdc++ with GLIBCXX_3.4.32; Debian 12 ships 3.4.30.
# On Debian 12, as root, this installs libstdc++6 from Debian 13 (trixie) with a temporary,
# single-use apt source list (the system's sources are left untouched). Elsewhere it prints
# what to install and exits non-zero.
set -euo pipefail

required=GLIBCXX_3.4.32
# Which distribution this is; TCD_OS_RELEASE names another file (tests run the Debian 12 branch on any machine).
os_release=${TCD_OS_RELEASE:-/etc/os-release}

libstdcxx_path() {
  ldconfig -p 2>/dev/null | awk '/libstdc\+\+\.so\.6 .*x86-64|libstdc\+\+\.so\.6 .*AArch64/ {print $NF; exit}'
}

has_required_glibcxx() {
  local lib
  lib=$(libstdcxx_path)
  [ -n "$lib" ] && grep -qa "$required" "$lib"
}

if has_required_glibcxx; then
  exit 0
fi

echo "[tcd] libstdc++ lacks $required, which TorchSharp's native library (libtorch 2.10) needs." >&2

is_debian12=false
if [ -r "$os_release" ] && . "$os_release" && [ "${ID:-}" = debian ] && [ "${VERSION_ID:-}" = 12 ]; then
  is_debian12=true
fi

if [ "$is_debian12" = true ] && [ "$(id -u)" = 0 ]; then
  echo "[tcd] Debian 12 detected, running as root: installing libstdc++6 from Debian 13 (trixie)..." >&2
  uri=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  uri=${uri:-http://deb.debian.org/debian}
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  mkdir -p "$work/lists/partial"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri trixie main" >"$work/trixie.list"
  apt_opts=(-o "Dir::Etc::sourcelist=$work/trixie.list" -o Dir::Etc::sourceparts=/nonexistent -o "Dir::State::Lists=$work/lists")
  DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" install -y -qq libstdc++6/trixie >&2
  if has_required_glibcxx; then
    echo "[tcd] libstdc++ now provides $required." >&2
    exit 0
  fi
  echo "[tcd] installing libstdc++6 from trixie did not provide $required." >&2
  exit 1
fi

cat >&2 <<MSG
[tcd] Cannot fix this automatically here. Install a libstdc++ that provides $required (GCC 13 or newer):
  - Debian 12 (as root): re-run this script with sudo, or install 'libstdc++6' from Debian 13 (trixie).
  - Ubuntu 22.04: sudo add-apt-repository ppa:ubuntu-toolchain-r/test && sudo apt-get install libstdc++6
  - Or use a distribution with GCC 13+ (Debian 13, Ubuntu 24.04, Fedora 39+).
Check with: strings \$(ldconfig -p | awk '/libstdc\\+\\+.so.6/ {print \$NF; exit}') | grep $required
MSG
exit 1
