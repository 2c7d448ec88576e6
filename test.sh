#!/usr/bin/env bash
# Runs every test: the native workspace tests (decoder, IR, interpreter,
# runtime, guest programs and random instructions against qemu-aarch64),
# then the s390x part under qemu-s390x (or natively on an s390x host): the
# JIT backend's lock-step tests, and zarm built for s390x (big-endian host)
# running the guest programs with the JIT under three CPU models (all
# facilities; z14-like; no vector facility), with the interpreter, and
# in lock-step against the interpreter, and with a tiny code cache that
# forces eviction; the optimising tier (Cranelift) on every block, also in
# lock-step; Debian's arm64 binaries (tests/debian) under the JIT.
set -euo pipefail
cd "$(dirname "$0")"
# Each step's heading carries the minutes:seconds since the start, so a
# CI log shows where the time goes.
stamp() { printf '[%02d:%02d] ' $((SECONDS / 60)) $((SECONDS % 60)); }
./setup.sh

echo "$(stamp)== native: build"
cargo build --release --workspace --all-targets
echo "$(stamp)== native: tests"
cargo test --release --workspace
echo "$(stamp)== native: binfmt_misc registration"
bash tests/binfmt.sh

CPU_MODELS=("max" "max,vxeh2=off,minste3=off" "max,vx=off,vxeh=off,vxeh2=off,minste2=off,minste3=off")

echo "$(stamp)== s390x: backend (encoder, JIT lock-step against the interpreter)"
for cpu in "${CPU_MODELS[@]}"; do
    echo "$(stamp)-- qemu-s390x -cpu $cpu"
    ZARM_QEMU_CPU="$cpu" cargo test --release --target s390x-unknown-linux-gnu -p zarm-backend-s390x --test jit_vs_interp
done

echo "$(stamp)== s390x: zarm built for s390x against qemu-aarch64"
cargo build --release --target s390x-unknown-linux-gnu --bin zarm
export ZARM_BIN="$PWD/target/s390x-unknown-linux-gnu/release/zarm"
run_s390x() { # cpu-model, zarm args, tests...
    local cpu=$1 args=$2; shift 2
    echo "$(stamp)-- qemu-s390x -cpu $cpu, zarm $args"
    ZARM_RUNNER="qemu-s390x -cpu $cpu -L /usr/s390x-linux-gnu" ZARM_ARGS="$args" \
        cargo test --release -p zarm-tests "$@"
}
# The default 2^37-byte guest window costs qemu-s390x ~1 s per zarm start
# (a descriptor per reserved page; free on hardware): it is tested in the
# first run, the others use a 2^33 window (W33).
W33="--guest-window-bits 33"
# The default --jit-threshold (8) interprets each block's first seven runs;
# the runs that must put every block through generated code say 1 (J1).
J1="--jit-threshold 1"
run_s390x max "--engine jit" --test guest_programs --test random_insns --test stats
# The optimising tier (Cranelift): every block compiled by it
# (--tier-threshold 1), on the guest thread (ZARM_TIER_SYNC) under -cpu max,
# with the compile thread on the z14-like model; --tier=auto leaves it off
# on the model without vectors (below Cranelift's z14 base).
ZARM_TIER_SYNC=1 run_s390x max "--engine jit --tier-threshold 1 $J1 $W33" --test guest_programs --test stats
# Debian's programs run with the tier at its default threshold (hot
# loops become regions, as in use): every block of them through Cranelift
# took 293-330 s on the z14-like model (now ~120 s) for what the guest
# programs, the random instructions and lock-step already put through it.
for cpu in "${CPU_MODELS[@]:1}"; do
    run_s390x "$cpu" "--engine jit --tier=auto --tier-threshold 1 $J1 $W33" --test guest_programs --test random_insns --test stats
    run_s390x "$cpu" "--engine jit --tier=auto $J1 $W33" --test debian_binaries
done
run_s390x max "--engine jit $W33" --test debian_binaries
# The system-call fuzzer (engine-neutral runtime code; under qemu-user only
# required to finish) runs in the three runs above; the runs below, which
# test engines and code-cache mechanisms, skip it (NOFUZZ).
NOFUZZ=(-- --skip random_system_calls_match_the_host_kernel)
# Also every thread translating for itself (translations not shared).
run_s390x max "--engine jit --assist=none --share-translations=off $W33" --test guest_programs --test stats "${NOFUZZ[@]}"
# Lock-step against the interpreter, with every block through the tier
# (blocks it does not take run in the baseline JIT).
run_s390x max "--lockstep --tier-threshold 1 $W33" --test guest_programs "${NOFUZZ[@]}"
# Guest page permissions checked in generated code instead of by the host MMU.
run_s390x max "--engine jit --checked-pages $J1 $W33" --test guest_programs --test random_insns "${NOFUZZ[@]}"
# The interpreter alone: the guest programs and random instructions (the
# other guest-program tests run it block by block in lock-step above).
ZARM_RANDOM_CASES=500 run_s390x max "--engine interp $W33" --test random_insns
run_s390x max "--engine interp $W33" --test guest_programs -- guest_programs_match_qemu
ZARM_EXPECT_EVICTION=1 ZARM_GUEST_SUBSET="demo,strings" run_s390x max "--engine jit --code-cache-size 64K $J1 $W33" --test guest_programs "${NOFUZZ[@]}"
echo "$(stamp)== s390x: facility detection and --assist refusal"
Z=(qemu-s390x -cpu "max,vxeh2=off,minste3=off" -L /usr/s390x-linux-gnu "$ZARM_BIN")
info=$("${Z[@]}" --host-info)
grep -q "mie3    STFLE bit  61  absent" <<<"$info"
grep -q "vx      STFLE bit 129  present" <<<"$info"
if "${Z[@]}" --assist=mie3 tests/guest/build/demo 2>/tmp/zarm-assist.err; then
    echo "--assist=mie3 ran on a host without mie3"; exit 1
fi
grep -q "lacks the mie3 facility" /tmp/zarm-assist.err
echo "$(stamp)== s390x: --tier=on refused below Cranelift's z14 base"
NOVX=(qemu-s390x -cpu "${CPU_MODELS[2]}" -L /usr/s390x-linux-gnu "$ZARM_BIN")
if "${NOVX[@]}" --tier=on tests/guest/build/demo 2>/tmp/zarm-tier.err; then
    echo "--tier=on ran on a host without the vector facility"; exit 1
fi
grep -q "z14 base" /tmp/zarm-tier.err
if "${Z[@]}" --assist=none --tier=on tests/guest/build/demo 2>/tmp/zarm-tier.err; then
    echo "--tier=on ran with --assist=none"; exit 1
fi
grep -q "z14 base" /tmp/zarm-tier.err
echo "$(stamp)== all tests passed"
