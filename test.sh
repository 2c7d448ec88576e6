#!/usr/bin/env bash
# Runs every test: the native workspace tests (decoder, IR, interpreter,
# runtime, guest programs against qemu-aarch64), then the s390x part — the
# JIT backend's lock-step tests and the guest programs with zarm built for
# s390x, both under qemu-s390x (or natively on an s390x host).
set -euo pipefail
cd "$(dirname "$0")"
./setup.sh

echo "== native: build"
cargo build --release --workspace --all-targets
echo "== native: tests"
cargo test --release --workspace

echo "== s390x: backend (encoder, JIT lock-step against the interpreter)"
for cpu in max "max,vxeh2=off,minste3=off" "max,vx=off,vxeh=off,vxeh2=off,minste2=off,minste3=off"; do
    echo "-- qemu-s390x -cpu $cpu"
    ZARM_QEMU_CPU="$cpu" cargo test --release --target s390x-unknown-linux-gnu -p zarm-backend-s390x --test jit_vs_interp
done

echo "== s390x: guest programs with zarm built for s390x (big-endian host)"
cargo build --release --target s390x-unknown-linux-gnu --bin zarm
ZARM_BIN="$PWD/target/s390x-unknown-linux-gnu/release/zarm" \
ZARM_RUNNER="qemu-s390x -cpu max -L /usr/s390x-linux-gnu" \
ZARM_GUEST_SUBSET="${ZARM_GUEST_SUBSET:-demo,arith,strings,setjmp,fileio,args_env,exit_code,abort,segv,sigill,atomics,atomics_lse,timecheck,flags,pie_start}" \
    cargo test --release -p zarm-tests --test guest_programs
echo "== all tests passed"
