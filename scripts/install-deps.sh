#!/bin/sh
# Install the Debian packages rvmm needs that are missing (idempotent: when
# everything is present it only checks and exits). Uses apt-get, through
# sudo when not run as root.
#
#   scripts/install-deps.sh [PACKAGE...]
#
# PACKAGEs are what one target needs on top of the list below (make dt-sweep:
# linux-source-6.1 or -6.12, Linux's device tree sources).
set -e

PACKAGES="make gcc libc6-dev gcc-riscv64-unknown-elf qemu-system-misc opensbi u-boot-qemu
device-tree-compiler picolibc-riscv64-unknown-elf clang gdb-multiarch fdisk e2fsprogs gnuplot-nox"
# real programs under the malloc shim (tests/real), make realbench (callgrind, max RSS)
PACKAGES="$PACKAGES python3 sqlite3 perl mawk valgrind time"
# clang's libFuzzer runtime for -fsanitize=fuzzer (make fuzz; the version of Debian's clang)
PACKAGES="$PACKAGES libclang-rt-dev"
# the library's headers compiled as C++ and a C++ program on it (tests/qemu/embed-outside.sh)
PACKAGES="$PACKAGES g++"
PACKAGES="$PACKAGES $*"

missing=""
for p in $PACKAGES; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
	echo "deps: missing packages:$missing" >&2
	echo "deps: this is not a Debian system (no apt-get); install them by hand" >&2
	exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	if ! command -v sudo >/dev/null 2>&1; then
		echo "deps: missing packages:$missing" >&2
		echo "deps: installing them needs root: run this as root, or install sudo" >&2
		exit 1
	fi
	SUDO=sudo
fi
echo "deps: installing$missing"
$SUDO apt-get update -qq
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
echo "deps: done"
