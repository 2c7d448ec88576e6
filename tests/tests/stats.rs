//! `--stats-json` on a guest program whose dynamic instruction mix is known
//! (tests/guest/stats_mix.S): 3 + 11 × 1000 + 3 guest instructions, of which
//! 1000 each are CSEL, BIC, SMULH, CLZ, CRC32X, UQADD (vector, through
//! the helper), FADD (guarded fast path; the guard holds) and FDIV of zero
//! by zero (guarded; the NaN fails the guard, so the helper runs). The executed counts must be exact, for the interpreter and
//! for the JIT (per-block counters in generated code), the route split must
//! follow `--assist`, the helper operations are named, and the loop is the
//! hottest block. With `--jit-threshold 1` every block is compiled at its
//! first run; with the default (2) the interpreter runs each block's first
//! execution, and the counts show exactly that.

use serde_json::Value;
use zarm_tests::*;

const LOOPS: u64 = 1000;

fn stats(extra: &[&str]) -> Value {
    stats_of("stats_mix", extra)
}

/// The `--stats-json` figures of guest program `name` run with `extra`
/// options (its output checked against qemu-aarch64's).
fn stats_of(name: &str, extra: &[&str]) -> Value {
    stats_of_env(name, extra, &[])
}

/// `stats_of` with environment variables `env` set for zarm.
fn stats_of_env(name: &str, extra: &[&str], env: &[(&str, &str)]) -> Value {
    let prog = guest_dir().join(name);
    let file = std::env::temp_dir().join(format!("zarm-stats-{name}-{}-{}.json", std::process::id(), extra.join("_").replace(['-', '='], "")));
    let file_s = file.to_str().unwrap().to_string();
    let mut args = vec!["--stats-json", &file_s];
    args.extend_from_slice(extra);
    let z = run_zarm_env(&prog, &[], &args, env, b"");
    let q = run_qemu(&prog, &[], b"");
    assert_eq!(z.observable(), q.observable(), "zarm and qemu-aarch64 differ; zarm stderr:\n{}", String::from_utf8_lossy(&z.stderr));
    let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("no stats file ({e}); stderr:\n{}", String::from_utf8_lossy(&z.stderr)));
    let _ = std::fs::remove_file(&file);
    serde_json::from_str(&text).expect("valid JSON")
}

fn route<'a>(v: &'a Value, name: &str) -> &'a Value {
    v["routes"].as_array().unwrap().iter().find(|r| r["route"] == name).unwrap_or_else(|| panic!("no route {name}"))
}

fn n(v: &Value) -> u64 {
    v.as_u64().unwrap_or_else(|| panic!("not a count: {v}"))
}

/// `cold`: loop iterations the interpreter ran before the blocks were
/// compiled (0 with `--jit-threshold 1`; 2 with 2: the first in the block
/// at _start, the second in the loop block's first run).
fn check(v: &Value, assist_none: bool, cold: u64) {
    assert_eq!(n(&v["guest_insns_executed"]), 3 + 11 * LOOPS + 3, "{v:#}");
    if v["engine"] != "jit" {
        return;
    }
    // The first runs of _start with the first iteration (3 + 11), of the
    // loop block (11) and of the exit (3).
    let interpreted = if cold == 0 { 0 } else { 3 + 11 + 11 + 3 };
    assert_eq!(n(&v["interpreted_before_compilation"]["guest_insns"]), interpreted, "{v:#}");
    let loops = LOOPS - cold;
    let mut native_assisted = 0;
    for (name, want) in [
        ("Select", loops),
        ("AndNotFamily", loops),
        ("SMulHigh", loops),
        ("CountLeadingZeros", loops),
        ("UMulHigh", 0),
        ("LittleEndianAccess", 0),
        ("AtomicBitwise", 0),
        ("FullBarrier", 0),
        ("Crc32", loops),
        ("FloatScalar", 2 * loops),
        ("Helper", loops),
    ] {
        let r = route(v, name);
        let (nat, fb) = (n(&r["executed_native"]), n(&r["executed_fallback"]));
        assert_eq!(nat + fb, want, "route {name}: {r}");
        if r["facility"].is_string() {
            if assist_none {
                assert_eq!(nat, 0, "--assist=none took the native route of {name}: {r}");
            }
            native_assisted += nat;
        } else {
            assert_eq!(fb, 0, "{name} needs no facility: {r}");
        }
    }
    // Each of these instructions takes one route, so the assisted count is
    // the sum of the native counts of routes that need a facility.
    assert_eq!(n(&v["assisted_insns_executed"]), native_assisted, "{v:#}");
    // The operations that call the helper, by name, on every host, counted
    // by calls made: UQADD always, FDIV (guarded) on every iteration as
    // its guard fails; FADD, whose guard holds, never — in baseline code,
    // which reads the host's inexact flag, nor in optimised code, whose
    // guard, with FPSR.IXC clear as this loop leaves it, asks for an exact
    // result, which the sum of zeros is.
    let helpers = v["helper_ops"].as_array().unwrap_or_else(|| panic!("no helper_ops: {v:#}"));
    let mut named: Vec<_> = helpers.iter().map(|h| (h["op"].as_str().unwrap_or("?").to_string(), h["guarded"].as_bool(), n(&h["executed"]))).collect();
    named.sort();
    let want = vec![("FpBin.Div".to_string(), Some(true), loops), ("VBin.Uqadd".to_string(), Some(false), loops)];
    assert_eq!(named, want, "{v:#}");
    // The hottest block is the loop from its second iteration on (the
    // first runs in the block that starts at _start): entered LOOPS - 1
    // times in generated code (one less when its first run was
    // interpreted), 11 instructions each (a block the tier replaced is
    // listed once as baseline and once as optimised code: its entries add
    // up).
    let entered = LOOPS - cold.max(1);
    let hot = v["hot_blocks"].as_array().unwrap_or_else(|| panic!("no hot_blocks: {v:#}"));
    let pc = &hot[0]["pc"];
    let (entries, insns) = hot.iter().filter(|b| &b["pc"] == pc).fold((0, 0), |(e, i), b| (e + n(&b["entries"]), i + n(&b["guest_insns_executed"])));
    assert_eq!((entries, insns), (entered, 11 * entered), "{v:#}");
}

#[test]
fn stats_count_a_known_instruction_mix() {
    check(&stats(&["--jit-threshold=1"]), false, 0);
}

#[test]
fn stats_count_blocks_interpreted_before_compilation() {
    check(&stats(&["--jit-threshold=2"]), false, 2);
}

#[test]
fn stats_follow_assist_none() {
    check(&stats(&["--assist=none", "--jit-threshold=1"]), true, 0);
}

/// The `--stats-json` figures of guest program `name` with the tier on at
/// threshold 200, compiling on the guest thread (so the counts do not
/// depend on when a compile thread finishes); `None` where the tier does
/// not run (the interpreter, or a host or `--assist` below Cranelift's
/// base).
fn tier_stats(name: &str) -> Option<Value> {
    let v = stats_of_env(name, &["--tier=auto", "--tier-threshold=200"], &[("ZARM_TIER_SYNC", "1")]);
    (v["engine"] == "jit" && v["tier"]["on"] == true).then_some(v)
}

/// Above `--tier-threshold 1` regions form only when the tier-up
/// countdown that generated code keeps in a loop latch reaches the
/// threshold: the hot loops of tests/guest/hotloops become regions, which
/// then run.
#[test]
fn hot_loops_become_regions() {
    let Some(v) = tier_stats("hotloops") else { return };
    let tier = &v["tier"];
    assert!(n(&tier["regions"]) >= 1 && n(&tier["guest_insns_executed"]) > 0, "{v:#}");
    // Each latch's first countdown comes while new code is still being
    // translated (at least the rest of its own loop): it starts again.
    assert!(n(&tier["deferred_while_translating"]) >= 1, "{v:#}");
    // Compiled synchronously (ZARM_TIER_SYNC): nothing left in flight.
    assert_eq!(n(&tier["still_compiling_at_exit"]), 0, "{v:#}");
}

/// `--tier-thread`: the compile thread starts with the tier (early, the
/// default) or with the first region to compile (lazy), so a program that
/// never turns hot never has one — under qemu-user a second thread slows
/// the whole process, which is what lazy is for.
#[test]
fn a_lazy_compile_thread_waits_for_the_first_region() {
    let never_hot = ["--tier=auto", "--tier-threshold=2000000000"];
    let lazy = stats_of("stats_mix", &[&never_hot[..], &["--tier-thread=lazy"]].concat());
    if lazy["engine"] != "jit" || lazy["tier"]["on"] != true {
        return;
    }
    assert_eq!(n(&lazy["tier"]["regions"]), 0, "{lazy:#}");
    assert_eq!(lazy["tier"]["compile_thread_running"], false, "{lazy:#}");
    // Lock-step and the tier compiling on the guest thread
    // (ZARM_TIER_SYNC) have no compile thread at all.
    let threadless = std::env::var_os("ZARM_TIER_SYNC").is_some() || std::env::var("ZARM_ARGS").unwrap_or_default().contains("--lockstep");
    let early = stats_of("stats_mix", &never_hot);
    assert_eq!(early["tier"]["compile_thread_running"], !threadless, "{early:#}");
    if threadless {
        return;
    }
    // A hot loop starts the lazy thread (its region may still be
    // compiling when the program ends).
    let hot = stats_of("hotloops", &["--tier=auto", "--tier-threshold=200", "--tier-thread=lazy"]);
    let t = &hot["tier"];
    assert!(n(&t["regions"]) + n(&t["still_compiling_at_exit"]) >= 1, "{hot:#}");
    assert_eq!(t["compile_thread_running"], true, "{hot:#}");
}

/// Loops that call functions become regions through the calls: the
/// callee's blocks are in the region, its RET compared with the return
/// addresses of the region's calls and a BLR with the function pointer's
/// value when the region formed. tests/guest/calls_loop's loops (a direct
/// call, a constant function pointer, two call sites of one function) run
/// mostly in optimised code (0.1% before regions followed calls).
#[test]
fn loops_calling_functions_become_regions() {
    assert_mostly_optimised("calls_loop");
}

/// With the tier on (`tier_stats`), more than 30% of guest program
/// `name`'s instructions run in optimised code.
fn assert_mostly_optimised(name: &str) {
    let Some(v) = tier_stats(name) else { return };
    let share = v["tier"]["executed_fraction"].as_f64().unwrap_or_else(|| panic!("no executed_fraction: {v:#}"));
    assert!(share > 0.3, "{name}: {v:#}");
}

/// Callees far from their loop are in its region too (before 2026-12-07
/// regions reached only 64 KiB from their head, so a loop calling another
/// library's function formed none): tests/guest/far_calls's loops call a
/// function 256 KiB away and one generated at run time in an mmap'd
/// buffer, and about half of its instructions run in optimised code (0.1%
/// before). That the region goes when the far code is rewritten is checked
/// by the program's output (guest_programs against qemu-aarch64).
#[test]
fn loops_calling_far_functions_become_regions() {
    assert_mostly_optimised("far_calls");
}

/// Every hot block that did not become a region is explained: by the
/// operation the tier cannot lower where the baseline lowers it natively,
/// by the lack of a loop back to it inside the region, or by a hot exit.
/// tests/guest/strings has hot loops of each of the first two kinds (its
/// vectorised string functions, with AdvSIMD operations the tier does not
/// lower, such as the pairwise UMINP, and loops that do not come back to
/// their head inside the region).
#[test]
fn rejected_regions_are_explained() {
    // Regions at once: waiting for the start-up to end, the short loops
    // of each string function would be left behind before they formed.
    let v = stats_of_env("strings", &["--tier=auto", "--tier-threshold=200", "--tier-start-wait=off"], &[("ZARM_TIER_SYNC", "1")]);
    if v["engine"] != "jit" || v["tier"]["on"] != true {
        return;
    }
    assert_eq!(n(&v["tier"]["deferred_while_translating"]), 0, "{v:#}");
    let tier = &v["tier"];
    let why = &tier["rejected_why"];
    let ops: u64 = why["ops"].as_object().unwrap_or_else(|| panic!("no ops: {v:#}")).values().map(n).sum();
    assert_eq!(n(&tier["rejected"]), ops + n(&why["no_loop"]) + n(&why["hot_exit"]), "{v:#}");
    assert!(ops > 0 && n(&why["no_loop"]) > 0, "{v:#}");
    assert!(why["ops"].as_object().unwrap().keys().any(|k| k.starts_with("VBin.")), "{v:#}");
}

/// AdvSIMD loops the tier lowers itself become regions instead of staying
/// baseline: the AES rounds of tests/guest/crypto_aes (AESE, AESMC,
/// AESD, AESIMC) and the string scans of tests/guest/strings (UMINP, CMEQ
/// against zero, CMHS; on 2026-12-07 its one remaining vector rejection was
/// UZP1). Before 2026-12-07 their heads were rejected with these operations
/// named.
#[test]
fn vector_loops_become_regions() {
    for (name, lowered) in [("crypto_aes", &["VAes."][..]), ("strings", &["VBin.Uminp", "VBin.Umaxp", "VUn.CmEq0", "VBin.CmHs"][..])] {
        let Some(v) = tier_stats(name) else { return };
        let tier = &v["tier"];
        assert!(n(&tier["regions"]) > 0, "{name}: {v:#}");
        let ops = tier["rejected_why"]["ops"].as_object().cloned().unwrap_or_default();
        for k in ops.keys() {
            assert!(!lowered.iter().any(|l| k.starts_with(l)), "{name}: a loop was rejected for {k}, which the tier lowers: {v:#}");
        }
    }
}

/// A hot loop head where one thread formed no region is not formed again
/// by the others: they take its verdict (tests/guest/threads.c: threads
/// running the same loops, most of which do not come back to their head
/// inside a region; 75 of 104 rejections were verdicts taken on
/// 2026-12-06). With --share-translations=off (in $ZARM_ARGS) every thread
/// forms its own.
#[test]
fn other_threads_take_a_rejected_regions_verdict() {
    let Some(v) = tier_stats("threads") else { return };
    let tier = &v["tier"];
    let taken = n(&tier["rejected_by_other_threads_verdict"]);
    assert!(taken <= n(&tier["rejected"]), "{v:#}");
    if v["translation"]["shared_between_threads"] == false {
        assert_eq!(taken, 0, "{v:#}");
    } else {
        assert!(taken > 0, "no thread took another's verdict: {v:#}");
    }
}

/// A region one thread had compiled is installed by the others instead of
/// being formed and compiled again (tests/guest/threads_hot: the first
/// worker runs its loop alone, then three more run the same loop; on
/// 2026-12-06 all three installed the first one's region, and 98.9% of
/// the instructions ran in optimised code). With --share-translations=off
/// (in $ZARM_ARGS) every thread compiles its own.
#[test]
fn other_threads_install_a_compiled_region() {
    let Some(v) = tier_stats("threads_hot") else { return };
    let tier = &v["tier"];
    let installed = n(&tier["installed_from_other_threads"]);
    if v["translation"]["shared_between_threads"] == false {
        assert_eq!(installed, 0, "{v:#}");
    } else {
        assert!(installed >= 3, "the workers did not take the first one's region: {v:#}");
    }
    assert!(tier["executed_fraction"].as_f64().unwrap_or(0.0) > 0.5, "{v:#}");
}

/// `--stats` counts every guest thread, not just the first: in
/// tests/guest/stats_threads.S only the second thread runs CLZ (exactly
/// 1000 times, in 3005 instructions with its start and exit).
#[test]
fn stats_count_every_thread() {
    let v = stats_of("stats_threads", &["--jit-threshold=1"]);
    assert_eq!(n(&v["threads"]), 2, "{v:#}");
    // The second thread's 3005 instructions, plus the first thread's own
    // (at least 18: 11 to start it, one pass of the wait loop, 3 to exit).
    assert!(n(&v["guest_insns_executed"]) >= 3005 + 18, "{v:#}");
    if v["engine"] == "jit" {
        let clz = route(&v, "CountLeadingZeros");
        assert_eq!(n(&clz["executed_native"]) + n(&clz["executed_fallback"]), 1000, "{v:#}");
    }
}

/// A thread still running when another ends the process stops to add its
/// figures (tests/guest/stats_running.S: a spinner that ran exactly 1000
/// CLZ, and a waiter blocked in futex, which may be reported as not
/// counted instead: every thread is accounted for either way).
#[test]
fn stats_count_threads_still_running_at_exit_group() {
    let v = stats_of("stats_running", &["--jit-threshold=1"]);
    assert!(n(&v["threads"]) >= 2, "the spinner's figures are missing: {v:#}");
    assert_eq!(n(&v["threads"]) + n(&v["threads_not_counted"]), 3, "{v:#}");
    // The spinner's 3000 loop instructions at least.
    assert!(n(&v["guest_insns_executed"]) >= 3000, "{v:#}");
    if v["engine"] == "jit" {
        let clz = route(&v, "CountLeadingZeros");
        assert_eq!(n(&clz["executed_native"]) + n(&clz["executed_fallback"]), 1000, "{v:#}");
    }
}

/// Code memory is made writable once per inserted block or batch of
/// blocks: the block's own exits to existing blocks are chained before the
/// write, older exits waiting for it are patched in the same round where
/// their pages neighbour it, and a thread takes other threads'
/// translations near a missing block in one batch (tests/guest/threads.c:
/// four workers running the same code). Writing each chain separately
/// would take a round per chain made on top of one per block, installing
/// each block separately one per installed block. (Threads workload under
/// qemu-s390x, 2026-12-06: 2,152 blocks, 19,229 installed, 20,261 chains,
/// 2,931 rounds; with --share-translations=off 5,325 blocks, 4,792 chains,
/// 5,421 rounds.)
#[test]
fn code_memory_is_written_per_batch_not_per_chain() {
    let v = stats_of("threads", &["--jit-threshold=1"]);
    if v["engine"] != "jit" {
        return;
    }
    let t = &v["translation"];
    let c = &v["cache"];
    let (blocks, installed) = (n(&t["blocks"]), n(&t["blocks_installed_from_other_threads"]));
    let (writes, chains) = (n(&c["code_writes"]), n(&c["chains_made"]));
    // Chains joined to the writes of blocks, not one round each.
    assert!(writes <= blocks + installed + chains / 4, "code memory written {writes} times for {blocks} + {installed} blocks and {chains} chains: {v:#}");
    // With --share-translations=off (in $ZARM_ARGS) nothing is on offer.
    if t["shared_between_threads"] == false {
        assert_eq!(installed, 0, "{v:#}");
        return;
    }
    assert_eq!(t["shared_between_threads"], true, "{v:#}");
    assert!(installed > 0, "no thread installed another's translation: {v:#}");
    // Installed translations written in batches, not one round each.
    assert!(writes < (blocks + installed) / 2, "code memory written {writes} times for {blocks} + {installed} blocks: {v:#}");
}
