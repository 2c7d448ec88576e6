#!/usr/bin/env bash
# Builds the guest test programs into tests/guest/build/ with the AArch64
# cross compiler: static by default, static-pie and LSE variants as named.
set -euo pipefail
cd "$(dirname "$0")"
CC=${AARCH64_CC:-aarch64-linux-gnu-gcc}
mkdir -p build
build() { # out src flags...
    local out=$1 src=$2; shift 2
    if [ ! -f "build/$out" ] || [ "$src" -nt "build/$out" ]; then
        "$CC" -O2 -Wall -static "$@" -o "build/$out" "$src" -lm
    fi
}
for src in *.c; do
    [ "$src" = randinsn_harness.c ] && continue
    [ "$src" = flags.c ] && continue
    [ "$src" = dyn.c ] && continue
    [ "$src" = dyn_calls.c ] && continue
    [ "$src" = crypto_aes.c ] && continue
    [ "$src" = crypto_sha.c ] && continue
    [ "$src" = crypto_sha3.c ] && continue
    [ "$src" = pmull.c ] && continue
    [ "$src" = threads.c ] && continue
    [ "$src" = robust.c ] && continue
    build "${src%.c}" "$src"
done
build flags flags.c -march=armv8-a+crc
build crypto_aes crypto_aes.c -march=armv8-a+crypto
build crypto_sha crypto_sha.c -march=armv8-a+crypto
build crypto_sha3 crypto_sha3.c -march=armv8.2-a+sha3
build pmull pmull.c -march=armv8-a+crypto
# Dynamically linked: run with -L pointing at the cross toolchain's sysroot.
if [ ! -f build/dyn ] || [ dyn.c -nt build/dyn ]; then
    "$CC" -O2 -Wall -o build/dyn dyn.c -lm -ldl -lpthread
fi
if [ ! -f build/dyn_calls ] || [ dyn_calls.c -nt build/dyn_calls ]; then
    "$CC" -O2 -Wall -fno-builtin -o build/dyn_calls dyn_calls.c
fi
build atomics_lse atomics.c -march=armv8.1-a
# glibc's own static-pie start-up is not enabled in Debian's arm64 cross
# libc (the binaries crash under qemu-aarch64 too), so the static-pie test
# is a libc-free program.
if [ ! -f build/pie_start ] || [ pie_start.S -nt build/pie_start ]; then
    "$CC" -nostdlib -static-pie -fPIE -o build/pie_start pie_start.S
fi
if [ ! -f build/stats_mix ] || [ stats_mix.S -nt build/stats_mix ]; then
    "$CC" -nostdlib -static -o build/stats_mix stats_mix.S
fi
if [ ! -f build/stats_threads ] || [ stats_threads.S -nt build/stats_threads ]; then
    "$CC" -nostdlib -static -o build/stats_threads stats_threads.S
fi
if [ ! -f build/stats_running ] || [ stats_running.S -nt build/stats_running ]; then
    "$CC" -nostdlib -static -o build/stats_running stats_running.S
fi
build randinsn_harness randinsn_harness.c
if [ ! -f build/randinsn_frame.bin ] || [ randinsn_frame.S -nt build/randinsn_frame.bin ]; then
    "${AARCH64_AS:-aarch64-linux-gnu-as}" -o build/randinsn_frame.o randinsn_frame.S
    "${AARCH64_OBJCOPY:-aarch64-linux-gnu-objcopy}" -O binary -j .text build/randinsn_frame.o build/randinsn_frame.bin
fi
# The same source for the host: the oracle of `procs exec` (real Linux).
if [ ! -f build/procs.host ] || [ procs.c -nt build/procs.host ]; then
    "${HOST_CC:-cc}" -O2 -Wall -o build/procs.host procs.c
fi
# Threads, with exclusives (armv8.0) and with LSE atomics.
if [ ! -f build/threads ] || [ threads.c -nt build/threads ]; then
    "$CC" -O2 -Wall -static -pthread -o build/threads threads.c
fi
if [ ! -f build/threads_lse ] || [ threads.c -nt build/threads_lse ]; then
    "$CC" -O2 -Wall -static -pthread -march=armv8.1-a -o build/threads_lse threads.c
fi
# Robust mutexes: qemu-aarch64 has no robust lists, so the oracle is the
# host build of the same source.
if [ ! -f build/robust ] || [ robust.c -nt build/robust ]; then
    "$CC" -O2 -Wall -static -pthread -o build/robust robust.c
fi
# System calls with bad arguments: the oracle is the host kernel.
if [ ! -f build/syscall_args.host ] || [ syscall_args.c -nt build/syscall_args.host ]; then
    "${HOST_CC:-cc}" -O2 -Wall -o build/syscall_args.host syscall_args.c
fi
if [ ! -f build/syscall_fuzz.host ] || [ syscall_fuzz.c -nt build/syscall_fuzz.host ]; then
    "${HOST_CC:-cc}" -O2 -Wall -o build/syscall_fuzz.host syscall_fuzz.c
fi
if [ ! -f build/robust.host ] || [ robust.c -nt build/robust.host ]; then
    "${HOST_CC:-cc}" -O2 -Wall -pthread -o build/robust.host robust.c
fi
