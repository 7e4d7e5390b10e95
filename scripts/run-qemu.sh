#!/bin/sh
# Boot rvmm on QEMU virt with OpenSBI, the console on this terminal.
# Arguments are passed to QEMU (make run gives -smp, -m, -kernel, -append).
# Leave QEMU with Ctrl-A X.
exec qemu-system-riscv64 -M virt -bios default -nographic "$@"
