//! The random-instruction differential test: random valid encodings of the
//! implemented data-processing classes (integer, scalar FP, AdvSIMD) run in
//! a harness guest program (tests/guest/randinsn_harness.c) under zarm and
//! under `qemu-aarch64`; the final X0–X15, NZCV, FPSR and V0–V15 must be
//! equal. Each case is a short sequence (`SEQ`) so a failure names few
//! instructions; its words are disassembled with GNU objdump in the report.
//!
//! A second test does the same with random loads and stores (the
//! immediate-offset, pre/post-indexed and pair forms, integer and SIMD&FP
//! registers) based on x15, which points into a 4 KiB scratch area of the
//! state block that is compared too.
//!
//! `ZARM_RANDOM_CASES` sets the number of cases (default 3000), and
//! `ZARM_RANDOM_SEED` the seed.

use std::io::Write;
use std::process::{Command, Stdio};
use zarm_frontend_a64::{decode, translate, TranslateOptions};
use zarm_ir::mem::FlatMemory;
use zarm_ir::testgen::Rng;
use zarm_ir::{ExceptionKind, Terminator};
use zarm_tests::*;

/// Registers, then the scratch area (see tests/guest/randinsn_harness.c).
const REGS_SIZE: usize = 416;
const SCRATCH: usize = 4096;
const STATE_SIZE: usize = REGS_SIZE + SCRATCH;
const SEQ: usize = 4;

/// Classes whose register fields sit at Rd=4:0, Rn=9:5 (and Rm=20:16,
/// Ra=14:10 where they have them) and that touch no memory, no PC and no
/// system state: safe to run anywhere in the harness.
const CLASSES: &[(&str, bool, bool)] = &[
    // (table name, has Rm at 20:16, has Ra at 14:10)
    ("ADD_SUB_imm", false, false),
    ("LOGICAL_imm", false, false),
    ("MOVE_WIDE", false, false),
    ("BITFIELD", false, false),
    ("EXTR", true, false),
    ("LOGICAL_shifted", true, false),
    ("ADD_SUB_shifted", true, false),
    ("ADD_SUB_extended", true, false),
    ("ADC_SBC", true, false),
    ("CCMN_CCMP", true, false),
    ("CSEL_family", true, false),
    ("DP_2SRC", true, false),
    ("DP_1SRC", false, false),
    ("DP_3SRC", true, true),
    ("FP_DP1", false, false),
    ("FP_DP2", true, false),
    ("FP_DP3", true, true),
    ("FP_CMP", true, false),
    ("FP_CCMP", true, false),
    ("FP_CSEL", true, false),
    ("FP_IMM", false, false),
    ("FP_INT_CONV", false, false),
    ("FP_FIXED_CONV", false, false),
    ("SIMD_PERMUTE", true, false),
    ("SIMD_EXT", true, false),
    ("SIMD_TBL", true, false),
    ("SIMD_COPY", false, false),
    ("SIMD_MOD_IMM", false, false),
    ("SIMD_SHIFT_IMM", false, false),
    ("SIMD_TWO_MISC", false, false),
    ("SIMD_ACROSS", false, false),
    ("SIMD_THREE_DIFF", true, false),
    ("SIMD_THREE_SAME", true, false),
    ("SIMD_BY_ELEM", true, false),
    ("SIMD_SCALAR_DUP", false, false),
    ("SIMD_SCALAR_SHIFT_IMM", false, false),
    ("SIMD_SCALAR_TWO_MISC", false, false),
    ("SIMD_SCALAR_PAIRWISE", false, false),
    ("SIMD_SCALAR_THREE_SAME", true, false),
    ("SIMD_SCALAR_BY_ELEM", true, false),
    ("CRYPTO_AES", false, false),
    ("CRYPTO_SHA3", true, false),
    ("CRYPTO_SHA2", false, false),
    ("CRYPTO_SHA512_3", true, false),
    ("CRYPTO_SHA512_2", false, false),
    ("CRYPTO_4REG", true, true),
    ("CRYPTO_XAR", true, false),
];


fn zarm_lifts(word: u32) -> bool {
    let mut mem = FlatMemory::new(0x1000, 4);
    mem.bytes.copy_from_slice(&word.to_le_bytes());
    let b = translate(&mut mem, 0x1000, &TranslateOptions { max_insns: 1 });
    !matches!(b.term, Terminator::Exception { kind: ExceptionKind::Undefined { .. }, .. })
}

/// A random word of decoder class `name` (its fixed bits set, the others
/// random) and the class's fixed bits, for `fits` once the word's fields
/// are narrowed.
fn class_word(rng: &mut Rng, name: &str) -> (u32, u32, u32) {
    let e = decode::entries().iter().find(|e| e.name == name).expect("class in the decoder table");
    (e.value | (rng.next() as u32 & !e.mask), e.mask, e.value)
}

/// Is `w` still of its class (`mask`, `value`) and lifted by zarm?
fn fits(w: u32, mask: u32, value: u32) -> bool {
    w & mask == value && zarm_lifts(w)
}

fn random_word(rng: &mut Rng) -> u32 {
    loop {
        let (name, has_rm, has_ra) = CLASSES[rng.below(CLASSES.len() as u64) as usize];
        let (mut w, mask, value) = class_word(rng, name);
        // Registers 0-15 only: x16/x17 belong to the harness, SP is never a target.
        w &= !(1 << 4 | 1 << 9);
        if has_rm {
            w &= !(1 << 20);
        }
        if has_ra {
            w &= !(1 << 14);
        }
        if fits(w, mask, value) {
            return w;
        }
    }
}

/// Load/store classes of the memory test: every access is x15 plus at
/// most ±256 bytes (offsets are narrowed to that), so four of them, with
/// writeback, stay inside the scratch area around x15.
const MEM_CLASSES: &[&str] = &["LDR_STR_uimm", "LDR_STR_imm9", "LDP_STP"];

fn random_mem_word(rng: &mut Rng) -> u32 {
    loop {
        let name = MEM_CLASSES[rng.below(MEM_CLASSES.len() as u64) as usize];
        let (mut w, mask, value) = class_word(rng, name);
        let simd = w >> 26 & 1 == 1;
        // Base x15; data registers 0-15 (x16 up belong to the harness or
        // are callee-saved), now and then XZR for a general register.
        w = w & !(0x1f << 5) | 15 << 5;
        let pick = |rng: &mut Rng| if !simd && rng.below(8) == 0 { 31 } else { rng.below(16) as u32 };
        let rt = pick(rng);
        w = w & !0x1f | rt;
        match name {
            // imm12, scaled by the access size (at most 16): below 512.
            "LDR_STR_uimm" => w = w & !(0xfff << 10) | (rng.below(32) as u32) << 10,
            // imm7 in -16..15, scaled by at most 16.
            "LDP_STP" => {
                let rt2 = pick(rng);
                let load = w >> 22 & 1 == 1;
                if load && rt2 == rt {
                    continue; // constrained unpredictable
                }
                w = w & !(0x1f << 10) | rt2 << 10;
                w = w & !(0x7f << 15) | ((rng.below(32) as u32).wrapping_sub(16) & 0x7f) << 15;
            }
            _ => {}
        }
        // A general register that is also the base with writeback is
        // constrained unpredictable; x15 is the base anyway.
        if !simd && (rt == 15 || (name == "LDP_STP" && w >> 10 & 0x1f == 15)) {
            continue;
        }
        if fits(w, mask, value) {
            return w;
        }
    }
}

fn interesting_u64(rng: &mut Rng) -> u64 {
    match rng.below(10) {
        0 => rng.below(256),
        1 => u64::MAX - rng.below(3),
        2 => 1 << 63,
        3 => 0x7fff_ffff_ffff_ffff,
        4 => 0xffff_ffff,
        5 => 0x8000_0000,
        6 => 1.5f64.to_bits(),
        7 => (rng.next() as u32 as f32).to_bits() as u64 | (1.0f32.to_bits() as u64) << 32,
        _ => rng.next(),
    }
}

fn fp_lane(rng: &mut Rng) -> u64 {
    let special = [
        0u64,
        1 << 63,
        1.0f64.to_bits(),
        (-2.5f64).to_bits(),
        f64::INFINITY.to_bits(),
        f64::NEG_INFINITY.to_bits(),
        0x7ff8_0000_0000_0001, // quiet NaN with payload
        0x7ff0_0000_0000_0001, // signalling NaN
        1,                     // denormal
        0x000f_ffff_ffff_ffff,
        f64::MAX.to_bits(),
        0x4330_0000_0000_0001, // 2^52 + 1
        (0.1f32.to_bits() as u64) << 32 | 0x7fc0_0001,
        (f32::MIN_POSITIVE.to_bits() as u64) | 0x0000_0001 << 32,
    ];
    if rng.below(3) == 0 {
        rng.next()
    } else {
        special[rng.below(special.len() as u64) as usize]
    }
}

fn initial_state(rng: &mut Rng) -> Vec<u8> {
    let mut s = vec![0u8; STATE_SIZE];
    for i in 0..16 {
        s[8 * i..8 * i + 8].copy_from_slice(&interesting_u64(rng).to_le_bytes());
    }
    s[128..136].copy_from_slice(&((rng.below(16)) << 28).to_le_bytes());
    // FPCR: rounding mode, and now and then flush-to-zero or default NaN.
    let fpcr = rng.below(4) << 22 | if rng.below(6) == 0 { 1 << 24 } else { 0 } | if rng.below(6) == 0 { 1 << 25 } else { 0 };
    s[136..144].copy_from_slice(&fpcr.to_le_bytes());
    for i in 0..16 {
        let off = 160 + 16 * i;
        s[off..off + 8].copy_from_slice(&fp_lane(rng).to_le_bytes());
        s[off + 8..off + 16].copy_from_slice(&fp_lane(rng).to_le_bytes());
    }
    for chunk in s[REGS_SIZE..].chunks_mut(8) {
        chunk.copy_from_slice(&interesting_u64(rng).to_le_bytes());
    }
    s
}

fn frame_words() -> (Vec<u32>, Vec<u32>) {
    let bin = std::fs::read(guest_dir().join("randinsn_frame.bin")).expect("randinsn_frame.bin (tests/guest/build.sh)");
    let words: Vec<u32> = bin.chunks(4).map(|c| u32::from_le_bytes(c.try_into().unwrap())).collect();
    let split = words.iter().position(|w| *w == 0xffff_ffff).expect("marker");
    (words[..split].to_vec(), words[split + 1..].to_vec())
}

fn run_harness(use_zarm: bool, input: &[u8]) -> Vec<u8> {
    let prog = guest_dir().join("randinsn_harness");
    let mut cmd = if use_zarm {
        let runner = zarm_runner();
        let mut c = if runner.is_empty() { Command::new(zarm_bin()) } else { Command::new(&runner[0]) };
        if !runner.is_empty() {
            c.args(&runner[1..]).arg(zarm_bin());
        }
        if let Ok(extra) = std::env::var("ZARM_ARGS") {
            c.args(extra.split_whitespace());
        }
        c.arg(&prog);
        c
    } else {
        let mut c = Command::new("qemu-aarch64");
        c.arg(&prog);
        c
    };
    die_with_test(&mut cmd);
    let mut child = cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("spawn");
    let mut stdin = child.stdin.take().unwrap();
    let data = input.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&data);
    });
    let out = child.wait_with_output().expect("wait");
    writer.join().unwrap();
    out.stdout
}

fn objdump(words: &[u32]) -> String {
    let path = std::env::temp_dir().join(format!("zarm-rand-{}.bin", std::process::id()));
    let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    std::fs::write(&path, bytes).unwrap();
    let out = Command::new("aarch64-linux-gnu-objdump").args(["-D", "-b", "binary", "-m", "aarch64"]).arg(&path).output();
    let _ = std::fs::remove_file(&path);
    match out {
        Ok(o) => String::from_utf8_lossy(&o.stdout).lines().filter(|l| l.contains(":\t")).collect::<Vec<_>>().join("\n"),
        Err(_) => words.iter().map(|w| format!("{w:08x}")).collect::<Vec<_>>().join(" "),
    }
}

fn describe(state_a: &[u8], state_b: &[u8]) -> String {
    let mut out = Vec::new();
    let word = |s: &[u8], o: usize| u64::from_le_bytes(s[o..o + 8].try_into().unwrap());
    for i in 0..16 {
        if word(state_a, 8 * i) != word(state_b, 8 * i) {
            out.push(format!("x{i}: zarm {:#x} qemu {:#x}", word(state_a, 8 * i), word(state_b, 8 * i)));
        }
    }
    for (name, off) in [("nzcv", 128), ("fpsr", 144)] {
        if word(state_a, off) != word(state_b, off) {
            out.push(format!("{name}: zarm {:#x} qemu {:#x}", word(state_a, off), word(state_b, off)));
        }
    }
    for i in 0..16 {
        let o = 160 + 16 * i;
        if state_a[o..o + 16] != state_b[o..o + 16] {
            out.push(format!("v{i}: zarm {:016x}{:016x} qemu {:016x}{:016x}", word(state_a, o + 8), word(state_a, o), word(state_b, o + 8), word(state_b, o)));
        }
    }
    for o in (REGS_SIZE..STATE_SIZE).step_by(8) {
        if word(state_a, o) != word(state_b, o) {
            let at = o as i64 - (REGS_SIZE + SCRATCH / 2) as i64;
            out.push(format!("memory at x15{at:+}: zarm {:#018x} qemu {:#018x}", word(state_a, o), word(state_b, o)));
        }
    }
    out.join("\n    ")
}

#[test]
fn random_instructions_match_qemu() {
    let (pro, epi) = frame_words();
    run_cases(0x5eed_cafe_f00d, &pro, &epi, random_word);
}

/// Random loads and stores around x15, which the prologue points at the
/// middle of the scratch area (`add x15, x16, #2464`) and the epilogue
/// turns back into an offset from the state block (`sub x15, x15, x16`)
/// so that it compares equal wherever the block is (encodings checked
/// with GNU as).
#[test]
fn random_loads_and_stores_match_qemu() {
    const ADD_X15_X16_2464: u32 = 0x9126_820f;
    const SUB_X15_X15_X16: u32 = 0xcb10_01ef;
    assert_eq!(REGS_SIZE + SCRATCH / 2, 2464);
    let (mut pro, epi) = frame_words();
    pro.push(ADD_X15_X16_2464);
    let epi: Vec<u32> = std::iter::once(SUB_X15_X15_X16).chain(epi).collect();
    run_cases(0x10ad_5707_e5eed, &pro, &epi, random_mem_word);
}

/// Runs `ZARM_RANDOM_CASES` sequences of `SEQ` words from `gen` between
/// `pro` and `epi` under qemu-aarch64 and zarm and compares the states.
fn run_cases(default_seed: u64, pro: &[u32], epi: &[u32], gen: fn(&mut Rng) -> u32) {
    let cases: usize = std::env::var("ZARM_RANDOM_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(3000);
    let seed: u64 = std::env::var("ZARM_RANDOM_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(default_seed);
    let mut rng = Rng(seed | 1);
    // The cases in `test_jobs()` chunks, each run by its own harness
    // process (in parallel).
    let jobs = test_jobs();
    let mut inputs = vec![Vec::new(); jobs];
    let mut seqs = Vec::new();
    for k in 0..cases {
        let seq: Vec<u32> = (0..SEQ).map(|_| gen(&mut rng)).collect();
        let words: Vec<u32> = pro.iter().chain(seq.iter()).chain(epi.iter()).copied().collect();
        let input = &mut inputs[k * jobs / cases.max(1)];
        input.extend_from_slice(&(words.len() as u32).to_le_bytes());
        for w in &words {
            input.extend_from_slice(&w.to_le_bytes());
        }
        input.extend_from_slice(&initial_state(&mut rng));
        seqs.push(seq);
    }
    let runs = for_each_parallel(&inputs, |input| Some((run_harness(false, input), run_harness(true, input))));
    // The chunks' results in order; zarm's end at the first chunk it did
    // not finish (the case there is reported as where it stopped).
    let q: Vec<u8> = runs.iter().flat_map(|(qc, _)| qc.iter().copied()).collect();
    let mut z = Vec::new();
    for (qc, zc) in &runs {
        z.extend_from_slice(zc);
        if zc.len() < qc.len() {
            break;
        }
    }
    assert_eq!(q.len(), cases * STATE_SIZE, "qemu-aarch64 ran only {} of {cases} cases", q.len() / STATE_SIZE);
    let mut failures = Vec::new();
    for k in 0..cases {
        let (qs, zs) = (&q[k * STATE_SIZE..(k + 1) * STATE_SIZE], z.get(k * STATE_SIZE..(k + 1) * STATE_SIZE));
        match zs {
            None => {
                failures.push(format!("case {k}: zarm stopped (ran {} cases); sequence:\n{}", z.len() / STATE_SIZE, objdump(&seqs[k])));
                break;
            }
            Some(zs) if zs != qs => {
                failures.push(format!("case {k}:\n{}\n    {}", objdump(&seqs[k]), describe(zs, qs)));
            }
            _ => {}
        }
    }
    assert!(failures.is_empty(), "{} of {cases} random sequences differ (seed {seed:#x}); first ones:\n{}", failures.len(), failures.iter().take(8).cloned().collect::<Vec<_>>().join("\n"));
}
