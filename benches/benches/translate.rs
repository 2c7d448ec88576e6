//! Translation and interpretation throughput, on the build host:
//! - decode+lift: the A64 frontend over the whole `.text` of the demo
//!   program (guest instructions per second);
//! - baseline emitter: decode, lift, optimise and compile to s390x bytes
//!   (the JIT's translation cost, measured natively — the bytes are the
//!   same on any host);
//! - optimising tier: Cranelift compile time per block (the first 200
//!   blocks of the demo's `.text`, each compiled as a one-block region);
//! - interpreter: a counting loop run by the IR interpreter.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use zarm_benches::translate_text;
use zarm_backend_s390x::facilities::HostFacilities;
use zarm_frontend_a64::{translate, TranslateOptions};
use zarm_ir::mem::FlatMemory;
use zarm_ir::{BlockExit, CpuState, Interpreter};

fn translation(c: &mut Criterion) {
    let Some((mut mem, start, insns)) = zarm_benches::guest_text(&zarm_benches::demo_path()) else {
        panic!("build the guest programs first (./setup.sh)");
    };
    let opts = TranslateOptions::default();
    let mut g = c.benchmark_group("translate");
    g.throughput(Throughput::Elements(insns));
    g.sample_size(10);
    g.bench_function("decode+lift (guest insns)", |b| b.iter(|| translate_text(&mut mem, start, insns, false, None)));
    g.bench_function("decode+lift+optimise (guest insns)", |b| b.iter(|| translate_text(&mut mem, start, insns, true, None)));
    let cfg = zarm_benches::emit_config();
    g.bench_function("decode+lift+optimise+emit s390x (guest insns)", |b| b.iter(|| translate_text(&mut mem, start, insns, true, Some(&cfg))));
    g.finish();

    // The optimising tier: Cranelift compile time per block.
    let mut blocks = Vec::new();
    let mut pc = start;
    while pc < start + 4 * insns && blocks.len() < 200 {
        let mut block = translate(&mut mem, pc, &opts);
        zarm_ir::passes::optimize(&mut block, false).unwrap();
        pc = block.end_pc.max(pc + 4);
        blocks.push(block);
    }
    let block_insns: u64 = blocks.iter().map(|b| b.guest_insns as u64).sum();
    let mut tier = zarm_backend_s390x::clif::Tier::new(HostFacilities::machine_level("z15").unwrap()).unwrap();
    let tcfg = zarm_backend_s390x::clif::TierConfig { guest_addr_bits: 37, window_guard: true, exit_checks: true, one_pass: false, want_clif: false, block_counters: Vec::new(), helper_counters: Vec::new(), atomic_counters: false };
    let mut g = c.benchmark_group("tier");
    g.throughput(Throughput::Elements(blocks.len() as u64));
    g.sample_size(10);
    g.bench_function(format!("Cranelift compile, one-block regions ({} blocks, {block_insns} guest insns)", blocks.len()), |b| {
        b.iter(|| {
            for block in &blocks {
                let region = zarm_backend_s390x::clif::Region::of(vec![block.clone()]);
                let _ = tier.compile(&region, &tcfg);
            }
        })
    });
    g.finish();
}

fn interpreter(c: &mut Criterion) {
    // x0 = 0; x1 = 50000; loop: add x0, x0, x1; subs x1, x1, #1; b.ne loop; svc #0
    let code: [u32; 6] = [0xd2800000, 0xd2986a01, 0x8b010000, 0xf1000421, 0x54ffffc1, 0xd4000001];
    let mut mem = FlatMemory::new(0x1000, 4096);
    for (i, w) in code.iter().enumerate() {
        mem.bytes[4 * i..4 * i + 4].copy_from_slice(&w.to_le_bytes());
    }
    let opts = TranslateOptions::default();
    let mut blocks = std::collections::HashMap::new();
    for pc in [0x1000u64, 0x1008, 0x1014] {
        let mut b = translate(&mut mem, pc, &opts);
        zarm_ir::passes::optimize(&mut b, false).unwrap();
        blocks.insert(pc, b);
    }
    let mut g = c.benchmark_group("interpreter");
    // 2 setup instructions + 3 per iteration + the SVC.
    g.throughput(Throughput::Elements(2 + 3 * 50_000 + 1));
    g.sample_size(10);
    g.bench_function("counting loop (guest insns)", |b| {
        let mut interp = Interpreter::new();
        b.iter(|| {
            let mut cpu = CpuState::default();
            cpu.pc = 0x1000;
            loop {
                let block = &blocks[&cpu.pc];
                match interp.run(block, &mut cpu, &mut mem) {
                    BlockExit::Jump(_) => {}
                    _ => break,
                }
            }
            assert_eq!(cpu.x[0], 50_000 * 50_001 / 2);
        })
    });
    g.finish();
}

criterion_group!(benches, translation, interpreter);
criterion_main!(benches);
