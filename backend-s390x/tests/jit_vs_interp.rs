//! The baseline emitter against the interpreter, lock-step on random IR
//! blocks: same guest registers, flags, memory and exit for every block and
//! every facility level. Execution needs an s390x host (natively or under
//! qemu-s390x); on other hosts the test still compiles every block and
//! checks that the code disassembles (all s390x code is well-formed).

use zarm_backend_s390x::emit::{compile, EmitConfig};
use zarm_backend_s390x::facilities::HostFacilities;
use zarm_ir::testgen::{random_block, GenConfig, Rng};

const WINDOW_BITS: u32 = 16;
const MEM_BASE: u64 = 0x1000;

#[cfg_attr(not(target_arch = "s390x"), allow(dead_code))]
fn cases() -> u64 {
    std::env::var("ZARM_JIT_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(1500)
}

fn levels() -> Vec<(&'static str, HostFacilities)> {
    ["z196", "z14", "z15"].iter().map(|l| (*l, HostFacilities::machine_level(l).unwrap())).collect()
}

#[test]
fn every_random_block_compiles() {
    let mut rng = Rng(0x1234_5678_9abc);
    let gen = GenConfig { mem_base: MEM_BASE, max_insns: 10, helper_ops: true, vector_ops: true };
    for (name, facilities) in levels() {
        let cfg = EmitConfig { facilities, guest_addr_bits: WINDOW_BITS, window_guard: false, checked_pages: false, exit_checks: true };
        for case in 0..300 {
            let mut block = random_block(&mut rng, &gen);
            zarm_ir::passes::optimize(&mut block, true).unwrap();
            let c = compile(&block, &cfg).unwrap_or_else(|e| panic!("{name} case {case}: {e}"));
            assert!(!c.code.is_empty());
            assert_eq!(c.pc_map.len() as u32, block.guest_insns);
        }
    }
}

/// The optimising tier (Cranelift) on the same random blocks, each as a
/// one-block region, at the levels that have Cranelift's z14 base.
#[test]
fn every_random_block_compiles_in_the_tier() {
    use zarm_backend_s390x::clif::{unavailable_reason, Region, Tier, TierConfig};
    let mut rng = Rng(0x1234_5678_9abc);
    let gen = GenConfig { mem_base: MEM_BASE, max_insns: 10, helper_ops: true, vector_ops: true };
    let tcfg = TierConfig { guest_addr_bits: WINDOW_BITS, window_guard: false, exit_checks: true, one_pass: false, want_clif: false, block_counters: Vec::new(), helper_counters: Vec::new(), atomic_counters: false };
    for (name, facilities) in levels() {
        if unavailable_reason(facilities).is_some() {
            assert_eq!(name, "z196", "the tier needs z14");
            assert!(Tier::new(facilities).is_err());
            continue;
        }
        let mut tier = Tier::new(facilities).unwrap();
        for case in 0..300 {
            let mut block = random_block(&mut rng, &gen);
            zarm_ir::passes::optimize(&mut block, true).unwrap();
            let insns = block.guest_insns;
            let c = tier.compile(&Region::of(vec![block]), &tcfg).unwrap_or_else(|e| panic!("{name} case {case}: {e}"));
            assert!(!c.code.is_empty());
            assert_eq!(c.guest_insns, insns);
            // Every guest instruction's code is mapped back to its PC.
            assert!(c.pc_ranges.windows(2).all(|w| w[0].0 <= w[1].0));
        }
    }
}

#[cfg(target_arch = "s390x")]
mod exec {
    use super::*;
    use zarm_backend_s390x::emit::{JitContext, EXIT_EXCEPTION, EXIT_FAULT, EXIT_JUMP, EXIT_SYSCALL};
    use zarm_ir::mem::FlatMemory;
    use zarm_ir::{Block, BlockExit, CpuState, GuestMemory, Interpreter, Op, Value};

    type Trampoline = unsafe extern "C" fn(*mut CpuState, u64, *mut JitContext, u64) -> u64;

    fn initial(seed: u64) -> (CpuState, FlatMemory) {
        let mut rng = Rng(seed | 1);
        let mut cpu = CpuState::default();
        for x in cpu.x.iter_mut() {
            *x = rng.interesting();
        }
        cpu.nzcv = rng.next() & 0xf000_0000;
        // Half the time the flags are kept lazily, as generated code leaves
        // them (`nzcv` then stale): a block that reads NZCV must evaluate
        // them. The interpreter starts from the settled form (`settled`).
        if rng.below(2) == 0 {
            use zarm_ir::state::lazy_flags as lf;
            cpu.flags_op = [lf::ADD, lf::SUB, lf::LOGIC][rng.below(3) as usize] | [0, lf::W64][rng.below(2) as usize];
            cpu.flags_a = rng.interesting();
            cpu.flags_b = rng.interesting();
        }
        // Mostly the default FP mode; now and then RZ, FZ or DN, which the
        // native FP path must leave to the helper.
        cpu.fpcr = [0, 0, 0, 0, 3 << 22, 1 << 24, 1 << 25][rng.below(7) as usize];
        cpu.fpsr = [0, 0x10, 0x9f][rng.below(3) as usize];
        for v in cpu.v.iter_mut().take(8) {
            *v = (rng.interesting() as u128) << 64 | rng.interesting() as u128;
        }
        let mut mem = FlatMemory::new(0, 1 << WINDOW_BITS);
        for b in mem.bytes[MEM_BASE as usize..MEM_BASE as usize + 0x210].iter_mut() {
            *b = rng.next() as u8;
        }
        (cpu, mem)
    }

    /// `initial` with the flags settled: what the interpreter starts from.
    fn settled(seed: u64) -> (CpuState, FlatMemory) {
        let (mut cpu, mem) = initial(seed);
        cpu.settle_flags();
        (cpu, mem)
    }

    fn run_jit(block: &Block, cfg: &EmitConfig, seed: u64) -> (CpuState, Vec<u8>, BlockExit) {
        let compiled = compile(block, cfg).unwrap();
        let tramp = zarm_backend_s390x::emit::trampoline();
        let mut map = memmap2::MmapMut::map_anon(256 + compiled.code.len()).unwrap();
        map[..tramp.len()].copy_from_slice(&tramp);
        map[256..].copy_from_slice(&compiled.code);
        let exec = map.make_exec().unwrap();
        let enter: Trampoline = unsafe { std::mem::transmute(exec.as_ptr()) };
        let block_addr = exec.as_ptr() as u64 + 256;
        let mut ibtc = vec![[u64::MAX, 0]; zarm_backend_s390x::emit::IBTC_ENTRIES];
        let (mut cpu, mut mem) = initial(seed);
        // With `window_guard` the code may reach past the window's end, where
        // the runtime keeps a guard (only in runs the interpreter sees fault,
        // which the caller does not compare): spare bytes stand in for it.
        let window = mem.bytes.len();
        if cfg.window_guard {
            mem.bytes.resize(window + zarm_backend_s390x::emit::WINDOW_GUARD_BYTES as usize, 0);
        }
        let base = mem.bytes.as_mut_ptr() as u64;
        let mut mem_ref: &mut dyn GuestMemory = &mut mem;
        // The context hands helpers the same memory the code reaches directly.
        let mem_ptr: *mut &'static mut dyn GuestMemory = unsafe { std::mem::transmute(&mut mem_ref) };
        let mut ctx = JitContext::new(&mut cpu, mem_ptr, ibtc.as_mut_ptr(), std::ptr::null());
        let code = unsafe { enter(&mut cpu, base, &mut ctx, block_addr) };
        let exit = decode_exit(code, block, &cpu, &ctx);
        drop(ctx);
        mem.bytes.truncate(window);
        // As the runtime does whenever generated code returns.
        cpu.settle_flags();
        (cpu, mem.bytes, exit)
    }

    /// The block as a one-region function of the optimising tier, called
    /// directly (it follows the ELF ABI).
    fn run_tier(tier: &mut zarm_backend_s390x::clif::Tier, block: &Block, seed: u64) -> (CpuState, Vec<u8>, BlockExit) {
        run_tier_with(tier, block, seed, |_| {})
    }

    fn run_tier_with(tier: &mut zarm_backend_s390x::clif::Tier, block: &Block, seed: u64, setup: impl Fn(&mut CpuState)) -> (CpuState, Vec<u8>, BlockExit) {
        run_region(tier, &zarm_backend_s390x::clif::Region::of(vec![block.clone()]), seed, setup)
    }

    /// `run_tier` with the runtime's window guard (see `run_jit`): accesses
    /// at base + constant check the base once per block.
    fn run_tier_guarded(tier: &mut zarm_backend_s390x::clif::Tier, block: &Block, seed: u64) -> (CpuState, Vec<u8>, BlockExit) {
        run_region_cfg(tier, &zarm_backend_s390x::clif::Region::of(vec![block.clone()]), seed, |_| {}, true)
    }

    /// The region as a function of the optimising tier, called directly
    /// from `seed`'s state (its first block's exception exits decoded).
    fn run_region(tier: &mut zarm_backend_s390x::clif::Tier, region: &zarm_backend_s390x::clif::Region, seed: u64, setup: impl Fn(&mut CpuState)) -> (CpuState, Vec<u8>, BlockExit) {
        run_region_cfg(tier, region, seed, setup, false)
    }

    fn run_region_cfg(tier: &mut zarm_backend_s390x::clif::Tier, region: &zarm_backend_s390x::clif::Region, seed: u64, setup: impl Fn(&mut CpuState), window_guard: bool) -> (CpuState, Vec<u8>, BlockExit) {
        use zarm_backend_s390x::clif::TierConfig;
        type RegionFn = unsafe extern "C" fn(*mut CpuState, u64, *mut JitContext) -> u64;
        let block = &region.blocks[0];
        let tcfg = TierConfig { guest_addr_bits: WINDOW_BITS, window_guard, exit_checks: true, one_pass: false, want_clif: false, block_counters: Vec::new(), helper_counters: Vec::new(), atomic_counters: false };
        let compiled = tier.compile(region, &tcfg).unwrap();
        let mut map = memmap2::MmapMut::map_anon(compiled.code.len()).unwrap();
        map.copy_from_slice(&compiled.code);
        let exec = map.make_exec().unwrap();
        let f: RegionFn = unsafe { std::mem::transmute(exec.as_ptr()) };
        let mut ibtc = vec![[u64::MAX, 0]; zarm_backend_s390x::emit::IBTC_ENTRIES];
        // As the region's entry code does.
        let (mut cpu, mut mem) = settled(seed);
        setup(&mut cpu);
        // Spare bytes stand in for the runtime's guard (as in `run_jit`).
        let window = mem.bytes.len();
        if window_guard {
            mem.bytes.resize(window + zarm_backend_s390x::emit::WINDOW_GUARD_BYTES as usize, 0);
        }
        let base = mem.bytes.as_mut_ptr() as u64;
        let mut mem_ref: &mut dyn GuestMemory = &mut mem;
        let mem_ptr: *mut &'static mut dyn GuestMemory = unsafe { std::mem::transmute(&mut mem_ref) };
        let mut ctx = JitContext::new(&mut cpu, mem_ptr, ibtc.as_mut_ptr(), std::ptr::null());
        let code = unsafe { f(&mut cpu, base, &mut ctx) };
        let exit = decode_exit(code, block, &cpu, &ctx);
        drop(ctx);
        mem.bytes.truncate(window);
        // As the runtime does whenever generated code returns (the region
        // stores NZCV in its lazy form).
        cpu.settle_flags();
        (cpu, mem.bytes, exit)
    }

    fn decode_exit(code: u64, block: &Block, cpu: &CpuState, ctx: &JitContext) -> BlockExit {
        match code & 0xff {
            EXIT_JUMP => BlockExit::Jump(cpu.pc),
            EXIT_SYSCALL => BlockExit::Syscall { imm: (code >> 8) as u16, next_pc: cpu.pc },
            EXIT_EXCEPTION => match block.term {
                zarm_ir::Terminator::Exception { kind, pc } => BlockExit::Exception { kind, pc },
                _ => panic!("exception exit from a block without one"),
            },
            EXIT_FAULT => BlockExit::Fault { pc: cpu.pc, fault: ctx.fault() },
            other => panic!("bad exit code {other}"),
        }
    }

    /// The block made a counted loop: its terminator replaced by "x[r] -= 1;
    /// back to the start while x[r] != 0", `r` a register it does not use.
    /// With `fault_last`, the last iteration starts with a load outside the
    /// guest window, so the fault must see the previous iteration's state.
    fn looped(block: &Block, fault_last: bool) -> Option<(Block, u8)> {
        let mut used = [false; 32];
        for op in &block.ops {
            if let Op::GetGpr { r } | Op::SetGpr { r, .. } = op {
                used[*r as usize] = true;
            }
        }
        let r = (0..31u8).find(|r| !used[*r as usize])?;
        let mut b = block.clone();
        if fault_last && matches!(b.ops.first(), Some(Op::GuestInsn { .. })) {
            let rest: Vec<Op> = b.ops.drain(1..).collect();
            b.ops.push(Op::GetGpr { r });
            b.ops.push(Op::Const { value: 1 });
            b.ops.push(Op::Icmp { cc: zarm_ir::IntCC::Eq, w: zarm_ir::Width::W64, a: Value(1), b: Value(2) });
            b.ops.push(Op::Const { value: 1 << WINDOW_BITS });
            b.ops.push(Op::Const { value: MEM_BASE });
            b.ops.push(Op::Select { c: Value(3), a: Value(4), b: Value(5) });
            b.ops.push(Op::Load { size: zarm_ir::MemSize::B8, ord: zarm_ir::Ordering::Relaxed, addr: Value(6) });
            let k = b.ops.len() as u32 - 1;
            for mut op in rest {
                op.for_each_arg_mut(|a| a.0 += k);
                b.ops.push(op);
            }
            if let Some(a) = b.term.arg_mut() {
                a.0 += k;
            }
        }
        let g = Value(b.ops.len() as u32);
        b.ops.push(Op::GetGpr { r });
        b.ops.push(Op::Const { value: 1 });
        b.ops.push(Op::Sub { w: zarm_ir::Width::W64, a: g, b: Value(g.0 + 1) });
        b.ops.push(Op::SetGpr { r, v: Value(g.0 + 2) });
        b.ops.push(Op::Const { value: 0 });
        b.ops.push(Op::Icmp { cc: zarm_ir::IntCC::Ne, w: zarm_ir::Width::W64, a: Value(g.0 + 2), b: Value(g.0 + 4) });
        b.term = zarm_ir::Terminator::Branch { cond: Value(g.0 + 5), taken: b.start_pc, not_taken: b.end_pc };
        Some((b, r))
    }

    /// Random blocks as loops of 1 to 4 iterations, every other one faulting
    /// at the start of its last iteration: the tier compiles the back edge
    /// inside its function (registers and flags carried around the loop in
    /// variables, stored before memory operations and at the exits); the
    /// interpreter runs the block once per iteration.
    #[test]
    fn tier_loops_match_interpreter() {
        let gen = GenConfig { mem_base: MEM_BASE, max_insns: 12, helper_ops: true, vector_ops: true };
        let host = HostFacilities::detect();
        let Ok(mut tier) = zarm_backend_s390x::clif::Tier::new(host) else { return };
        let mut rng = Rng(0x100b_5eed);
        let mut looped_cases = 0;
        for case in 0..cases() / 3 {
            let mut block = random_block(&mut rng, &gen);
            zarm_ir::passes::optimize(&mut block, true).unwrap();
            let Some((block, r)) = looped(&block, case % 2 == 1) else { continue };
            zarm_ir::verify::verify(&block).unwrap_or_else(|e| panic!("case {case}: {e:?}"));
            let seed = rng.next();
            let iters = 1 + rng.below(4);
            let want = {
                let (mut cpu, mut mem) = settled(seed);
                cpu.x[r as usize] = iters;
                let mut exit = Interpreter::new().run(&block, &mut cpu, &mut mem);
                while exit == BlockExit::Jump(block.start_pc) {
                    exit = Interpreter::new().run(&block, &mut cpu, &mut mem);
                }
                (cpu, mem.bytes, exit)
            };
            let got = run_tier_with(&mut tier, &block, seed, |cpu| cpu.x[r as usize] = iters);
            looped_cases += 1;
            if want != got {
                let (w, g) = (&want.0, &got.0);
                let regs = state_diffs(w, g, "tier");
                panic!(
                    "case {case}: the tier's loop diverges ({iters} iterations)\nexit interp {:?} tier {:?}\nnzcv interp {:#x} tier {:#x}\n{}\nmemory equal: {}\n{}",
                    want.2, got.2, w.nzcv, g.nzcv, regs.join("\n"), want.1 == got.1, zarm_ir::print::print_block(&block)
                );
            }
        }
        assert!(looped_cases > 0);
    }

    /// Accesses at base + constant with the runtime's window guard: the
    /// tier checks the base once per block and folds the constants into
    /// displacements; loads and a store through one base, then a second
    /// base, against the interpreter — in the window, and with a base past
    /// its end, where the fault must name the accessed address (base +
    /// constant), not the base.
    #[test]
    fn tier_folds_constant_displacements() {
        let Some(mut tier) = host_levels().into_iter().rev().find_map(|(_, f, _)| zarm_backend_s390x::clif::Tier::new(f).ok()) else {
            return;
        };
        let block_at = |base: u64, other: u64| {
            let mut b = zarm_ir::Builder::new(0x4000);
            b.begin_insn(0x4000, 0);
            let x = b.konst(base);
            let y = b.konst(other);
            let mut loads = Vec::new();
            for (k, r) in [(0u64, 0u8), (8, 1), (0x1f8, 2)] {
                let c = b.konst(k);
                let a = b.push(Op::Add { w: zarm_ir::Width::W64, a: x, b: c });
                loads.push((b.push(Op::Load { size: zarm_ir::MemSize::B8, ord: zarm_ir::Ordering::Relaxed, addr: a }), r));
            }
            b.begin_insn(0x4004, 0);
            let c = b.konst(0x10);
            let a = b.push(Op::Add { w: zarm_ir::Width::W64, a: x, b: c });
            let v = loads[2].0;
            b.push(Op::Store { size: zarm_ir::MemSize::B4, ord: zarm_ir::Ordering::Relaxed, addr: a, v });
            b.begin_insn(0x4008, 0);
            let c = b.konst(0x20);
            let a = b.push(Op::Add { w: zarm_ir::Width::W64, a: c, b: y });
            loads.push((b.push(Op::Load { size: zarm_ir::MemSize::B2, ord: zarm_ir::Ordering::Relaxed, addr: a }), 3));
            for (l, r) in loads {
                b.set_gpr(r, l);
            }
            b.finish(zarm_ir::Terminator::Jump { target: 0x400c }, 0x400c)
        };
        let past = 1u64 << WINDOW_BITS;
        let mut faults = 0;
        for (seed, (base, other)) in [(MEM_BASE, MEM_BASE + 0x100), (MEM_BASE + 0x40, MEM_BASE), (past, MEM_BASE), (MEM_BASE, past + 0x1000)].into_iter().enumerate() {
            let block = block_at(base, other);
            let want = run_interp(&block, seed as u64);
            let got = run_tier_guarded(&mut tier, &block, seed as u64);
            assert_eq!(want, got, "bases {base:#x} and {other:#x}\n{}", zarm_ir::print::print_block(&block));
            faults += matches!(want.2, BlockExit::Fault { .. }) as u32;
        }
        assert_eq!(faults, 2);
    }

    /// A loop that calls a function: block A (the loop head) sets the link
    /// register and branches to F, a random block ending in RET; C, at A's
    /// return address, counts the loop down and branches back to A. The
    /// region predicts F's RET to go to C. Every other case A's link
    /// register is off by one instruction (and F may write it): the
    /// prediction misses and the region must leave for the real target.
    /// Against the interpreter running the three blocks by guest PC.
    #[test]
    fn tier_calls_and_returns_inside_a_region() {
        use zarm_ir::Terminator as T;
        let gen = GenConfig { mem_base: MEM_BASE, max_insns: 8, helper_ops: true, vector_ops: true };
        let Ok(mut tier) = zarm_backend_s390x::clif::Tier::new(HostFacilities::detect()) else { return };
        let mut rng = Rng(0xca11_5eed);
        let (a_pc, c_pc, f_pc) = (0x10000u64, 0x10008u64, 0x4000u64);
        for case in 0..cases() / 6 {
            let mut f = random_block(&mut rng, &gen);
            zarm_ir::passes::optimize(&mut f, true).unwrap();
            let ret = Value(f.ops.len() as u32);
            f.ops.push(Op::GetGpr { r: 30 });
            f.term = T::JumpIndirect { target: ret, is_call: false, is_return: true };
            let mut used = [false; 32];
            for op in &f.ops {
                if let Op::GetGpr { r } | Op::SetGpr { r, .. } = op {
                    used[*r as usize] = true;
                }
            }
            let Some(r) = (0..30u8).find(|r| !used[*r as usize]) else { continue };
            let link = if case % 2 == 0 { c_pc } else { c_pc + 4 };
            let a = {
                let mut b = zarm_ir::Builder::new(a_pc);
                b.begin_insn(a_pc, 0);
                b.begin_insn(a_pc + 4, 0);
                let l = b.konst(link);
                b.set_gpr(30, l);
                b.finish(T::Jump { target: f_pc }, c_pc)
            };
            let c = {
                let mut b = zarm_ir::Builder::new(c_pc);
                b.begin_insn(c_pc, 0);
                let (x, one) = (b.get_gpr(r), b.konst(1));
                let n = b.push(Op::Sub { w: zarm_ir::Width::W64, a: x, b: one });
                b.set_gpr(r, n);
                let zero = b.konst(0);
                let more = b.push(Op::Icmp { cc: zarm_ir::IntCC::Ne, w: zarm_ir::Width::W64, a: n, b: zero });
                b.finish(T::Branch { cond: more, taken: a_pc, not_taken: c_pc + 4 }, c_pc + 4)
            };
            let blocks = vec![a, f, c];
            for b in &blocks {
                zarm_ir::verify::verify(b).unwrap_or_else(|e| panic!("case {case}: {e:?}"));
            }
            let seed = rng.next();
            let iters = 1 + rng.below(4);
            let want = {
                let (mut cpu, mut mem) = settled(seed);
                cpu.x[r as usize] = iters;
                let mut pc = a_pc;
                let exit = loop {
                    let Some(b) = blocks.iter().find(|b| b.start_pc == pc) else { break BlockExit::Jump(pc) };
                    match Interpreter::new().run(b, &mut cpu, &mut mem) {
                        BlockExit::Jump(next) => pc = next,
                        other => break other,
                    }
                };
                (cpu, mem.bytes, exit)
            };
            let region = zarm_backend_s390x::clif::Region { blocks: blocks.clone(), indirect: vec![vec![], vec![c_pc], vec![]] };
            let got = run_region(&mut tier, &region, seed, |cpu| cpu.x[r as usize] = iters);
            if want != got {
                let (w, g) = (&want.0, &got.0);
                panic!(
                    "case {case}: the region with a call diverges (link {link:#x}, {iters} iterations)\nexit interp {:?} tier {:?}\n{}\nmemory equal: {}\n{}",
                    want.2, got.2, state_diffs(w, g, "tier").join("\n"), want.1 == got.1, zarm_ir::print::print_block(&blocks[1])
                );
            }
        }
    }

    /// The registers (and FPSR) where `g`, from `who`, differs from the
    /// interpreter's `w`, a line each.
    fn state_diffs(w: &CpuState, g: &CpuState, who: &str) -> Vec<String> {
        (0..32)
            .filter(|&r| w.x[r] != g.x[r])
            .map(|r| format!("x{r}: interp {:#x} {who} {:#x}", w.x[r], g.x[r]))
            .chain((0..32).filter(|&r| w.v[r] != g.v[r]).map(|r| format!("v{r}: interp {:#x} {who} {:#x}", w.v[r], g.v[r])))
            .chain((w.fpsr != g.fpsr).then(|| format!("fpsr: interp {:#x} {who} {:#x} (fpcr {:#x})", w.fpsr, g.fpsr, w.fpcr)))
            .collect()
    }

    fn run_interp(block: &Block, seed: u64) -> (CpuState, Vec<u8>, BlockExit) {
        let (mut cpu, mut mem) = settled(seed);
        let exit = Interpreter::new().run(block, &mut cpu, &mut mem);
        (cpu, mem.bytes, exit)
    }

    /// A one-instruction block computing `op` into X0; `op`'s argument k
    /// is the k-th value `inputs` makes.
    fn one_op_block(op: &Op, inputs: impl FnOnce(&mut zarm_ir::Builder) -> Vec<Value>) -> Block {
        let mut b = zarm_ir::Builder::new(0x4000);
        b.begin_insn(0x4000, 0);
        let vals = inputs(&mut b);
        let mut op = op.clone();
        for a in op.args_mut() {
            *a = vals[a.index()];
        }
        let r = b.push(op);
        b.set_gpr(0, r);
        b.finish(zarm_ir::Terminator::Jump { target: 0x4004 }, 0x4004)
    }

    /// Operations with a constant operand the emitter folds into the
    /// instruction (AND masks by RISBG, shifts and rotates by immediate
    /// amounts, add/sub and compare immediates), each alone in a block, on random
    /// register values, constant on either side.
    #[test]
    fn constant_operands() {
        use zarm_ir::IntCC;
        use zarm_ir::Width::{W32, W64};
        let masks = [
            0xff, 0xffff, 0xffff_ffff, 0xff00, 1 << 63, 1, 0x7fff_ffff_ffff_ffff, 0x0000_ffff_0000_0000, 0x1_ffff_0000,
            0x8000_0000_0000_0001, 0xf000_0000_0000_000f, 0xffff_0000_0000_ffff, 0x8000_0001, 0xffff_ffff_0000_0000,
            u64::MAX, 0, 0b1010, 0xff00_ff00, 0xfffe, 0xffff_ffff_ffff_fffe,
        ];
        let amounts = [0u64, 1, 7, 31, 32, 33, 63, 64, 65, 127, u64::MAX];
        let imms = [0u64, 1, 0x7fff, 0x8000, u64::MAX, u64::MAX - 0x7fff, 0x1_0000, 0xffff_ffff];
        let mut ops: Vec<(Op, u64)> = Vec::new();
        let (x, c) = (Value(0), Value(1));
        for w in [W32, W64] {
            for &k in &masks {
                ops.push((Op::And { w, a: x, b: c }, k));
                ops.push((Op::And { w, a: c, b: x }, k));
            }
            for &k in &amounts {
                ops.push((Op::Shl { w, a: x, b: c }, k));
                ops.push((Op::Lshr { w, a: x, b: c }, k));
                ops.push((Op::Ashr { w, a: x, b: c }, k));
                ops.push((Op::Ror { w, a: x, b: c }, k));
            }
            for &k in &imms {
                for cc in [IntCC::Eq, IntCC::Ult, IntCC::Uge, IntCC::Slt, IntCC::Sgt] {
                    ops.push((Op::Icmp { cc, w, a: x, b: c }, k));
                }
                ops.push((Op::Add { w, a: x, b: c }, k));
                ops.push((Op::Add { w, a: c, b: x }, k));
                ops.push((Op::Sub { w, a: x, b: c }, k));
                ops.push((Op::Sub { w, a: c, b: x }, k));
            }
        }
        let cfg = EmitConfig { facilities: HostFacilities::detect(), guest_addr_bits: WINDOW_BITS, window_guard: false, checked_pages: false, exit_checks: true };
        for (k, (op, value)) in ops.iter().enumerate() {
            let block = one_op_block(op, |b| vec![b.get_gpr(1), b.konst(*value)]);
            for seed in 1..=8 {
                let want = run_interp(&block, seed);
                let got = run_jit(&block, &cfg, seed);
                assert!(want == got, "case {k} ({op:?}, constant {value:#x}): x1 {:#x}: interp {:#x}, jit {:#x}", want.0.x[1], want.0.x[0], got.0.x[0]);
            }
        }
    }

    /// Single FP operations on chosen corner operands (found by the random
    /// test), each alone in a block, with the FPSR flags compared.
    #[test]
    fn fp_corner_cases() {
        use zarm_ir::fp::FpSize;
        let cases: &[(Op, [u64; 3])] = &[
            (
                Op::FpMulAdd { size: FpSize::D, neg_product: true, neg_addend: false, addend: Value(0), a: Value(1), b: Value(2) },
                [15665170809610084578, 18444492273895866816, 0],
            ),
            (
                Op::FpMulAdd { size: FpSize::S, neg_product: true, neg_addend: false, addend: Value(0), a: Value(1), b: Value(2) },
                [2155872254, 4211208258, 3338665984],
            ),
            (Op::FpUn { op: zarm_ir::fp::FpUnOp::Sqrt, size: FpSize::S, a: Value(0) }, [0xffff_ffff_8000_0000, 0, 0]),
            (Op::FpUn { op: zarm_ir::fp::FpUnOp::Sqrt, size: FpSize::S, a: Value(0) }, [0x8000_0000, 0, 0]),
            (Op::FpUn { op: zarm_ir::fp::FpUnOp::Sqrt, size: FpSize::D, a: Value(0) }, [0x8000_0000_0000_0000, 0, 0]),
        ];
        let cfg = EmitConfig { facilities: HostFacilities::detect(), guest_addr_bits: WINDOW_BITS, window_guard: false, checked_pages: false, exit_checks: true };
        for (k, (op, vals)) in cases.iter().enumerate() {
            let block = one_op_block(op, |b| vals.iter().map(|v| b.konst(*v)).collect());
            // Seeds whose initial FPCR is the default mode (the fast path)
            // and some whose is not.
            let default_mode: Vec<u64> = (1..).filter(|s| initial(*s).0.fpcr == 0).take(3).collect();
            for seed in default_mode.into_iter().chain([1, 2, 3]) {
                let want = run_interp(&block, seed);
                let got = run_jit(&block, &cfg, seed);
                assert!(
                    want == got,
                    "case {k}: x0 interp {:#x} jit {:#x}, fpsr interp {:#x} jit {:#x} (fpcr {:#x})\n{}",
                    want.0.x[0],
                    got.0.x[0],
                    want.0.fpsr,
                    got.0.fpsr,
                    want.0.fpcr,
                    zarm_ir::print::print_block(&block)
                );
            }
        }
    }

    /// FRINT*, FSQRT and FCVT*S/U on whole vectors, alone in a block at
    /// every level (the vector route where the level has it, else lane by
    /// lane), on lanes that are integers, halves, ties, negatives, zeros,
    /// out of range or NaN, with the FPSR compared from a clear start (the
    /// random blocks' other operations mostly raise inexact themselves).
    #[test]
    fn vector_fp_roundings_and_conversions() {
        use zarm_ir::fp::FpRounding as Rm;
        use zarm_ir::vector::VecUnOp as U;
        let d = |x: f64| x.to_bits();
        let s2 = |a: f32, b: f32| a.to_bits() as u64 | (b.to_bits() as u64) << 32;
        // (lo, hi) halves for doublewords, then for words.
        let doubles = [(d(2.5), d(-3.0)), (d(-0.375), d(7.0)), (d(4.0), d(-0.0)), (d(1e300), d(0.5)), (d(f64::NAN), d(1.5)), (d(-1.5), d(9.875))];
        let singles = [
            (s2(2.5, -3.0), s2(0.5, -0.5)),
            (s2(4.0, -0.0), s2(7.0, 1.0)),
            (s2(-2.5, 3.5), s2(1e20, 0.125)),
            (s2(f32::NAN, 1.0), s2(2.0, 3.0)),
            (s2(-7.75, 6.25), s2(-1.0, 0.0)),
        ];
        let modes = [Rm::TieEven, Rm::PosInf, Rm::NegInf, Rm::Zero, Rm::TieAway, Rm::Current];
        let mut ops = vec![U::Fsqrt];
        for mode in modes {
            ops.push(U::Frint { mode, exact: false });
            ops.push(U::Frint { mode, exact: true });
            if mode != Rm::Current {
                ops.push(U::FcvtToInt { signed: true, mode, fbits: 0 });
                ops.push(U::FcvtToInt { signed: false, mode, fbits: 0 });
            }
        }
        let seeds: Vec<u64> = (1..)
            .filter(|s| {
                let c = initial(*s).0;
                c.fpcr == 0 && c.fpsr == 0
            })
            .take(2)
            .chain((1..).filter(|s| initial(*s).0.fpcr != 0).take(1))
            .collect();
        for (name, _, cfg) in host_levels() {
            for op in &ops {
                for (esize, inputs) in [(8u8, &doubles[..]), (4, &singles[..])] {
                    for &(lo, hi) in inputs {
                        let mut b = zarm_ir::Builder::new(0x4000);
                        b.begin_insn(0x4000, 0);
                        let (lo, hi) = (b.konst(lo), b.konst(hi));
                        let v = b.push(Op::VFromHalves { lo, hi });
                        let r = b.push(Op::VUn { op: *op, esize, q: true, a: v });
                        b.push(Op::SetVec { r: 0, v: r });
                        let block = b.finish(zarm_ir::Terminator::Jump { target: 0x4004 }, 0x4004);
                        baseline_matches_on_v0(&block, &cfg, &seeds, || format!("{name}: {op:?} esize {esize}"));
                    }
                }
            }
        }
    }

    /// `block` (its result in V0) under the baseline with `cfg` against
    /// the interpreter, from each seed's state; `what` names the case.
    fn baseline_matches_on_v0(block: &Block, cfg: &EmitConfig, seeds: &[u64], what: impl Fn() -> String) {
        for &seed in seeds {
            let want = run_interp(block, seed);
            let got = run_jit(block, cfg, seed);
            assert!(
                want == got,
                "{}: v0 interp {:#x} jit {:#x}, fpsr interp {:#x} jit {:#x} (fpcr {:#x})",
                what(),
                want.0.v[0],
                got.0.v[0],
                want.0.fpsr,
                got.0.fpsr,
                want.0.fpcr
            );
        }
    }

    /// AdvSIMD FMAX/FMIN/FMAXNM/FMINNM, FABD, FACGE/FACGT and the pairwise
    /// FADDP/FMAXP/FMINP/FMAXNMP/FMINNMP on .2D and .4S, alone in a block,
    /// lane pairs of zeros of both signs, equal values, infinities,
    /// subnormals, quiet and signalling NaNs (the helper) and ordinary
    /// values either way round: the vector route and the lanes on the BFP
    /// unit at every level against the interpreter, FPSR included.
    #[test]
    fn vector_fp_max_min_abs() {
        use zarm_ir::vector::VecBinOp as B;
        let d = |x: f64| x.to_bits();
        let s2 = |a: f32, b: f32| a.to_bits() as u64 | (b.to_bits() as u64) << 32;
        // (a, b) vectors as (lo, hi) halves: doublewords, then words.
        let doubles = [
            ((d(0.0), d(-0.0)), (d(-0.0), d(0.0))),
            ((d(2.5), d(-3.0)), (d(-1.0), d(-3.0))),
            ((d(f64::INFINITY), d(1e-310)), (d(1e300), d(-1e-310))),
            ((d(f64::NAN), d(1.0)), (d(1.0), d(2.0))),
            ((0x7ff0_0000_0000_0001, d(1.0)), (d(1.0), d(2.0))),
            ((d(7.0), d(-0.0)), (d(7.0), d(-0.0))),
        ];
        let singles = [
            ((s2(0.0, -0.0), s2(1.0, -1.0)), (s2(-0.0, 0.0), s2(-1.0, 1.0))),
            ((s2(f32::NEG_INFINITY, 1e-40), s2(3.5, 3.5)), (s2(-1e30, -1e-40), s2(3.5, -3.5))),
            ((s2(2.0, f32::NAN), s2(0.0, 0.0)), (s2(1.0, 1.0), s2(-0.0, 0.0))),
            ((s2(f32::from_bits(0x7f80_0001), 5.0), s2(0.0, 0.0)), (s2(1.0, 1.0), s2(-0.0, 0.0))),
        ];
        let seeds: Vec<u64> = (1..)
            .filter(|s| initial(*s).0.fpcr == 0 && initial(*s).0.fpsr == 0)
            .take(1)
            .chain((1..).filter(|s| initial(*s).0.fpcr != 0).take(1))
            .collect();
        for (name, _, cfg) in host_levels() {
            for op in [B::Fmax, B::Fmin, B::Fmaxnm, B::Fminnm, B::Fabd, B::Facge, B::Facgt, B::Faddp, B::Fmaxp, B::Fminp, B::Fmaxnmp, B::Fminnmp] {
                for (esize, inputs) in [(8u8, &doubles[..]), (4, &singles[..])] {
                    for &((alo, ahi), (blo, bhi)) in inputs {
                        let mut b = zarm_ir::Builder::new(0x4000);
                        b.begin_insn(0x4000, 0);
                        let (alo, ahi, blo, bhi) = (b.konst(alo), b.konst(ahi), b.konst(blo), b.konst(bhi));
                        let va = b.push(Op::VFromHalves { lo: alo, hi: ahi });
                        let vb = b.push(Op::VFromHalves { lo: blo, hi: bhi });
                        let r = b.push(Op::VBin { op, esize, q: true, a: va, b: vb });
                        b.push(Op::SetVec { r: 0, v: r });
                        let block = b.finish(zarm_ir::Terminator::Jump { target: 0x4004 }, 0x4004);
                        baseline_matches_on_v0(&block, &cfg, &seeds, || format!("{name}: {op:?} esize {esize}"));
                    }
                }
            }
        }
    }

    /// Scalar FMAX/FMIN/FMAXNM/FMINNM and FRINT*, alone in a block, on
    /// zeros of both signs, equal operands, infinities, subnormals, quiet
    /// and signalling NaNs, ties and halves: the baseline at every level
    /// and the tier, against the interpreter, FPSR included.
    #[test]
    fn scalar_fp_max_min_round() {
        use zarm_ir::fp::{FpBinOp as F, FpRounding as Rm, FpSize, FpUnOp};
        let d = |x: f64| x.to_bits();
        let f = |x: f32| x.to_bits() as u64;
        let (dsnan, fsnan) = (0x7ff0_0000_0000_0001u64, 0x7f80_0001u64);
        let pairs_d = [
            (d(0.0), d(-0.0)), (d(-0.0), d(0.0)), (d(1.5), d(1.5)), (d(2.0), d(-3.0)), (d(f64::NEG_INFINITY), d(5.0)),
            (d(f64::NAN), d(1.0)), (d(1.0), dsnan), (1, 0x8000_0000_0000_0002), (d(f64::INFINITY), d(f64::INFINITY)), (d(-7.25), d(-7.5)),
        ];
        let pairs_s = [
            (f(0.0), f(-0.0)), (f(-0.0), f(0.0)), (f(1.5), f(1.5)), (f(2.0), f(-3.0)), (f(f32::NEG_INFINITY), f(5.0)),
            (f(f32::NAN), f(1.0)), (f(1.0), fsnan), (1, 0x8000_0002), (f(f32::INFINITY), f(f32::INFINITY)), (f(-7.25), f(-7.5)),
        ];
        let rd = [2.5, -2.5, 0.5, -0.5, 1e300, -0.0, 3.0, -1.75, 4.5e-310].map(d);
        let rs = [2.5f32, -2.5, 0.5, -0.5, 1e30, -0.0, 3.0, -1.75, 1e-40].map(f);
        let mut blocks = Vec::new();
        for (size, pairs, singles, snan) in [(FpSize::D, &pairs_d, &rd, dsnan), (FpSize::S, &pairs_s, &rs, fsnan)] {
            for op in [F::Max, F::Min, F::MaxNum, F::MinNum] {
                for &(x, y) in pairs.iter() {
                    blocks.push(one_op_block(&Op::FpBin { op, size, a: Value(0), b: Value(1) }, |b| vec![b.konst(x), b.konst(y)]));
                }
            }
            for mode in [Rm::TieEven, Rm::PosInf, Rm::NegInf, Rm::Zero, Rm::TieAway, Rm::Current] {
                for exact in [false, true] {
                    for &x in singles.iter().chain([snan].iter()) {
                        let op = Op::FpUn { op: FpUnOp::Round { mode, exact }, size, a: Value(0) };
                        blocks.push(one_op_block(&op, |b| vec![b.konst(x)]));
                    }
                }
            }
        }
        // A clear FPSR with the default FPCR, the same with IXC set (the
        // tier's guard), and a non-default FPCR.
        let seeds: Vec<u64> = (1..)
            .filter(|s| initial(*s).0.fpcr == 0 && initial(*s).0.fpsr == 0)
            .take(1)
            .chain((1..).filter(|s| initial(*s).0.fpcr == 0 && initial(*s).0.fpsr == 0x10).take(1))
            .chain((1..).filter(|s| initial(*s).0.fpcr != 0).take(1))
            .collect();
        check_fp_blocks(&blocks, &seeds);
    }

    /// Scalar FP arithmetic whose results lie at the edges of what the
    /// tier takes natively (finite, magnitude at least 2^(Emin+1)): the
    /// smallest normal reached by rounding a tiny result up (underflow: the
    /// helper must compute it), twice it, the largest finite value,
    /// overflow to infinity, subnormals, zeros, NaN; in the baseline at
    /// every level and in the tier, against the interpreter, FPSR
    /// included, from a clear FPSR and with IXC already set (the tier's
    /// fast path).
    #[test]
    fn scalar_fp_results_at_the_guard_bounds() {
        use zarm_ir::fp::{FpBinOp as F, FpSize};
        // Per size: the bits of an f64 value, of 1 − ulp (the largest value
        // below one), of the smallest normal and of the largest finite
        // value, and the sign bit.
        let cases = |v: fn(f64) -> u64, below1: u64, min: u64, max: u64, sign: u64| {
            [
                (F::Mul, below1, min),
                (F::Mul, below1 | sign, min),
                (F::Mul, v(1.0), min),
                (F::Mul, v(1.5), min),
                (F::Mul, v(2.0), min),
                (F::Mul, below1, min << 1),
                (F::Add, min, 1),
                (F::Sub, min, 1),
                (F::Mul, max, v(1.0)),
                (F::Mul, max, v(-1.0)),
                (F::Mul, max, v(1.5)),
                (F::Add, max, max),
                (F::Div, v(1.0), v(0.0)),
                (F::Sub, v(1.0), v(1.0)),
                (F::Mul, v(0.5), min),
                (F::Div, v(0.0), v(0.0)),
                (F::Mul, v(3.0), v(1.0 / 3.0)),
            ]
        };
        let mut blocks = Vec::new();
        for (size, rows) in [
            (FpSize::D, cases(|x| x.to_bits(), 0x3fef_ffff_ffff_ffff, f64::MIN_POSITIVE.to_bits(), f64::MAX.to_bits(), 1 << 63)),
            (FpSize::S, cases(|x| (x as f32).to_bits() as u64, 0x3f7f_ffff, f32::MIN_POSITIVE.to_bits() as u64, f32::MAX.to_bits() as u64, 1 << 31)),
        ] {
            for (op, x, y) in rows {
                blocks.push(one_op_block(&Op::FpBin { op, size, a: Value(0), b: Value(1) }, |b| vec![b.konst(x), b.konst(y)]));
            }
        }
        let seeds = default_mode_seeds(1, 2);
        check_fp_blocks(&blocks, &seeds);
    }

    /// An FPCR or FPSR write (MSR) before a scalar FP operation in the same
    /// block: the rounding mode set to +∞ (the division must round up, on
    /// the helper) or FPSR cleared (the inexact division must raise IXC
    /// again), from the default mode with IXC set — where the tier's guard
    /// was true at entry and must be read again after the write.
    #[test]
    fn fp_guard_follows_fpcr_and_fpsr_writes() {
        use zarm_ir::fp::{FpBinOp, FpSize};
        use zarm_ir::SysReg;
        let block = |reg: SysReg, value: u64| {
            let mut b = zarm_ir::Builder::new(0x4000);
            b.begin_insn(0x4000, 0);
            let k = b.konst(value);
            b.push(Op::SetSys { reg, v: k });
            b.begin_insn(0x4004, 0);
            let (x, y) = (b.konst(1f64.to_bits()), b.konst(3f64.to_bits()));
            let r = b.push(Op::FpBin { op: FpBinOp::Div, size: FpSize::D, a: x, b: y });
            b.set_gpr(0, r);
            b.finish(zarm_ir::Terminator::Jump { target: 0x4008 }, 0x4008)
        };
        let blocks = [block(SysReg::Fpcr, 1 << 22), block(SysReg::Fpsr, 0)];
        let seeds: Vec<u64> = (1..).filter(|s| initial(*s).0.fpcr == 0 && initial(*s).0.fpsr == 0x10).take(2).collect();
        check_fp_blocks(&blocks, &seeds);
    }

    /// FCVTZS/FCVTZU and SCVTF/UCVTF of both widths and FP sizes on
    /// operands at and beside the integer ranges' bounds (±2^31, 2^32,
    /// ±2^63, 2^64, just below them, −1, ±0.5, NaN, infinity) and integers
    /// needing rounding, from a clear FPSR and with IXC set (the tier's
    /// fast path; out of range must take the helper for IOC and the
    /// saturated value).
    #[test]
    fn fp_int_conversions_at_the_range_bounds() {
        use zarm_ir::fp::{FpRounding, FpSize};
        use zarm_ir::Width;
        let p = |k: i32| 2f64.powi(k);
        let reals = [
            p(31), -p(31), -p(31) - 1.0, p(31) - 0.5, p(32), p(32) - 0.5, p(32) - 1.0, p(63), -p(63), p(63) - 1024.0, -p(63) - 2048.0,
            p(64), p(64) - 2048.0, -1.0, -0.5, 0.5, -0.0, 1e300, f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 12345.75,
        ];
        let ints = [0u64, 1, u64::MAX, 1 << 63, (1 << 63) - 1, (1 << 53) + 1, (1 << 24) + 1, 0x8000_0000, 0xffff_ffff, 0x7fff_ffff];
        let mut blocks = Vec::new();
        for size in [FpSize::S, FpSize::D] {
            for w in [Width::W32, Width::W64] {
                for signed in [false, true] {
                    for &x in &reals {
                        let bits = if size == FpSize::S { (x as f32).to_bits() as u64 } else { x.to_bits() };
                        let op = Op::FpToInt { from: size, w, signed, mode: FpRounding::Zero, fbits: 0, a: Value(0) };
                        blocks.push(one_op_block(&op, |b| vec![b.konst(bits)]));
                    }
                    for &v in &ints {
                        let op = Op::IntToFp { to: size, w, signed, fbits: 0, a: Value(0) };
                        blocks.push(one_op_block(&op, |b| vec![b.konst(v)]));
                    }
                }
            }
        }
        let seeds = default_mode_seeds(1, 1);
        check_fp_blocks(&blocks, &seeds);
    }

    /// FADD/FSUB/FMUL/FDIV and FMLA/FMLS on vectors of single and double
    /// lanes (64 and 128 bits) of ordinary values, and the same with one
    /// lane that is not (a NaN, a zero, an overflow, a tiny result): the
    /// baseline's vector route and its lane-by-lane fallback, and the tier
    /// (which calls the helper for them), FPSR included.
    #[test]
    fn vector_fp_arithmetic_lane_by_lane() {
        use zarm_ir::vector::{VecBinOp as B, VecTernOp as T};
        let s = |x: [f32; 2]| x[0].to_bits() as u64 | (x[1].to_bits() as u64) << 32;
        let d = |x: f64| x.to_bits();
        // (low half, high half) of three operands, per lane size.
        let good_s = [(s([1.5, -2.25]), s([3.0, 1e10])), (s([0.1, 7.0]), s([-5.5, 2.0])), (s([4.0, 0.3]), s([1e-3, -9.0]))];
        let good_d = [(d(1.1), d(-2.2)), (d(3.3e100), d(0.5)), (d(-7.0), d(1e-300))];
        let mut blocks = Vec::new();
        for (esize, good) in [(4u8, good_s), (8u8, good_d)] {
            let bad = if esize == 4 { [s([f32::NAN, 1.0]), s([0.0, 1.0]), s([f32::MAX, 1.0]), s([1e-30, 1.0])] } else { [d(f64::NAN), d(0.0), d(f64::MAX), d(1e-300)] };
            for spoil in [None, Some(0), Some(1), Some(2), Some(3)] {
                let mut ops = good;
                if let Some(k) = spoil {
                    // The second operand's high half gets the bad lane.
                    ops[1].1 = bad[k];
                    ops[2].1 = bad[k];
                }
                for q in [false, true] {
                    let vops: Vec<Op> = [B::Fadd, B::Fsub, B::Fmul, B::Fdiv]
                        .map(|op| Op::VBin { op, esize, q, a: Value(0), b: Value(1) })
                        .into_iter()
                        .chain([T::Fmla, T::Fmls].map(|op| Op::VTern { op, esize, q, d: Value(0), n: Value(1), m: Value(2) }))
                        .collect();
                    for vop in vops {
                        blocks.push(vector_op_block(&vop, &ops));
                    }
                }
            }
        }
        check_fp_blocks(&blocks, &default_mode_seeds(1, 2));
    }

    /// With FPSR.IXC clear the tier still takes scalar sums, products and
    /// multiply-adds natively when their results are exact, and must leave
    /// the inexact ones to the helper (which raises IXC): sums whose
    /// smaller operand is lost in either order, a product whose error term
    /// underflows to zero in the FMA that measures it (exact-looking, but
    /// not), multiply-adds with an inexact product or sum, zero factors and
    /// results (exact) against products that underflow to zero (not),
    /// single and double; the same operands in vectors for the baseline;
    /// narrowing conversions. (Integer conversions: the range-bounds test,
    /// from a clear FPSR too.)
    #[test]
    fn fp_exactness_without_ixc() {
        use zarm_ir::fp::{FpBinOp as F, FpSize};
        use zarm_ir::vector::{VecBinOp as B, VecTernOp as T};
        let d = |x: f64| x.to_bits();
        let f = |x: f32| x.to_bits() as u64;
        let tiny_d = f64::from_bits(0x3ff0_0000_0000_0001) * 2f64.powi(-1000);
        let tiny_f = f32::from_bits(0x3f80_0001) * 2f32.powi(-110);
        let pairs = [
            (FpSize::D, d(1.5), d(2.25)),
            (FpSize::D, d(1e-20), d(1.0)),
            (FpSize::D, d(1.0), d(1e-20)),
            (FpSize::D, d(0.1), d(3.0)),
            (FpSize::D, d(f64::from_bits(0x3ff0_0000_0000_0001)), d(tiny_d)),
            (FpSize::S, f(1.5), f(2.25)),
            (FpSize::S, f(1e-10), f(1.0)),
            (FpSize::S, f(1.0), f(1e-10)),
            (FpSize::S, f(0.1), f(3.0)),
            (FpSize::S, f(f32::from_bits(0x3f80_0001)), f(tiny_f)),
            // Zero factors, a sum that cancels, infinity times zero, and
            // products of nonzero factors that underflow to zero.
            (FpSize::D, d(0.0), d(5.0)),
            (FpSize::D, d(-0.0), d(-3.0)),
            (FpSize::D, d(2.0), d(-2.0)),
            (FpSize::D, d(f64::INFINITY), d(0.0)),
            (FpSize::D, d(1e-200), d(1e-200)),
            (FpSize::S, f(0.0), f(5.0)),
            (FpSize::S, f(2.0), f(-2.0)),
            (FpSize::S, f(1e-30), f(1e-30)),
        ];
        let mut blocks = Vec::new();
        for &(size, x, y) in &pairs {
            for op in [F::Add, F::Sub, F::Mul, F::NMul] {
                blocks.push(one_op_block(&Op::FpBin { op, size, a: Value(0), b: Value(1) }, |b| vec![b.konst(x), b.konst(y)]));
            }
            for (neg_product, neg_addend) in [(false, false), (true, false), (false, true)] {
                for addend in [x, y] {
                    let op = Op::FpMulAdd { size, neg_product, neg_addend, addend: Value(0), a: Value(1), b: Value(2) };
                    blocks.push(one_op_block(&op, |b| vec![b.konst(addend), b.konst(x), b.konst(y)]));
                }
            }
            // The same operands in every lane of a vector.
            let esize = if size == FpSize::S { 4u8 } else { 8 };
            let splat = |v: u64| if size == FpSize::S { v | v << 32 } else { v };
            let vops: Vec<Op> = [B::Fadd, B::Fsub, B::Fmul]
                .map(|op| Op::VBin { op, esize, q: true, a: Value(0), b: Value(1) })
                .into_iter()
                .chain([T::Fmla, T::Fmls].map(|op| Op::VTern { op, esize, q: true, d: Value(0), n: Value(1), m: Value(2) }))
                .collect();
            for vop in vops {
                blocks.push(vector_op_block(&vop, &[x, y, y].map(|v| (splat(v), splat(v)))));
            }
        }
        // FCVT double to single: exact, inexact, overflowing, tiny.
        for x in [1.5, 0.1, 1e300, 1e-40, -3.0] {
            blocks.push(one_op_block(&Op::FpConvert { from: FpSize::D, to: FpSize::S, a: Value(0) }, |b| vec![b.konst(d(x))]));
        }
        check_fp_blocks(&blocks, &default_mode_seeds(2, 1));
    }

    /// A one-instruction block computing vector operation `op` into V0; its
    /// argument k is the vector of halves `operands[k]` (low, high).
    fn vector_op_block(op: &Op, operands: &[(u64, u64)]) -> Block {
        let mut b = zarm_ir::Builder::new(0x4000);
        b.begin_insn(0x4000, 0);
        let vals: Vec<Value> = operands
            .iter()
            .map(|&(lo, hi)| {
                let (lo, hi) = (b.konst(lo), b.konst(hi));
                b.push(Op::VFromHalves { lo, hi })
            })
            .collect();
        let mut op = op.clone();
        for a in op.args_mut() {
            *a = vals[a.index()];
        }
        let r = b.push(op);
        b.push(Op::SetVec { r: 0, v: r });
        b.finish(zarm_ir::Terminator::Jump { target: 0x4004 }, 0x4004)
    }

    /// Seeds whose initial state has the default FPCR: `clear` of them with
    /// FPSR clear, then `ixc` with only FPSR.IXC set (the tier's fast path).
    fn default_mode_seeds(clear: usize, ixc: usize) -> Vec<u64> {
        let with = |fpsr: u64, n: usize| (1..).filter(move |s| initial(*s).0.fpcr == 0 && initial(*s).0.fpsr == fpsr).take(n);
        with(0, clear).chain(with(0x10, ixc)).collect()
    }

    /// Each block from each seed's state: the baseline at every level the
    /// host can execute and the tier (where the level has its z14 base)
    /// against the interpreter — result, FPSR and the whole state.
    fn check_fp_blocks(blocks: &[Block], seeds: &[u64]) {
        for (name, facilities, cfg) in host_levels() {
            let mut tier = zarm_backend_s390x::clif::Tier::new(facilities).ok();
            for block in blocks {
                for &seed in seeds {
                    let want = run_interp(block, seed);
                    let got = run_jit(block, &cfg, seed);
                    let what = || zarm_ir::print::print_block(block);
                    assert!(want == got, "{name}: x0 interp {:#x} jit {:#x}, fpsr interp {:#x} jit {:#x} (fpcr {:#x})\n{}", want.0.x[0], got.0.x[0], want.0.fpsr, got.0.fpsr, want.0.fpcr, what());
                    if let Some(tier) = tier.as_mut() {
                        let got = run_tier(tier, block, seed);
                        assert!(want == got, "{name} tier: x0 interp {:#x} tier {:#x}, fpsr interp {:#x} tier {:#x} (fpcr {:#x})\n{}", want.0.x[0], got.0.x[0], want.0.fpsr, got.0.fpsr, want.0.fpcr, what());
                    }
                }
            }
        }
    }

    /// The levels the host (or qemu's -cpu model) can execute, each with
    /// the emitter configuration of the directed tests.
    fn host_levels() -> Vec<(&'static str, HostFacilities, EmitConfig)> {
        let host = HostFacilities::detect();
        levels()
            .into_iter()
            .filter(|(_, f)| zarm_backend_s390x::facilities::Facility::ALL.iter().all(|x| !f.has(*x) || host.has(*x)))
            .map(|(name, facilities)| (name, facilities, EmitConfig { facilities, guest_addr_bits: WINDOW_BITS, window_guard: false, checked_pages: false, exit_checks: true }))
            .collect()
    }

    #[test]
    fn jit_matches_interpreter_on_random_blocks() {
        // Long blocks too, so that values outnumber the host registers and spill.
        let max_insns = std::env::var("ZARM_JIT_MAX_INSNS").ok().and_then(|s| s.parse().ok()).unwrap_or(40);
        let gen = GenConfig { mem_base: MEM_BASE, max_insns, helper_ops: true, vector_ops: true };
        for (name, facilities, _) in host_levels() {
            // The newest level with the runtime's window guard, so accesses
            // at base + constant fold their displacement and check the base
            // once; the others check every address. Runs the interpreter
            // sees fault are compared only without the guard (a fault in the
            // guard needs the runtime's host signal handler).
            let window_guard = name == "z15";
            let cfg = EmitConfig { facilities, guest_addr_bits: WINDOW_BITS, window_guard, checked_pages: false, exit_checks: true };
            // The optimising tier too, where the level has its z14 base.
            let mut tier = zarm_backend_s390x::clif::Tier::new(facilities).ok();
            let mut rng = Rng(0xfeed_0000 ^ name.len() as u64);
            for case in 0..cases() {
                let mut block = random_block(&mut rng, &gen);
                zarm_ir::passes::optimize(&mut block, true).unwrap();
                let seed = rng.next();
                let want = run_interp(&block, seed);
                // With the guard the tier folds displacements too (runs
                // the interpreter sees fault compared only without it).
                if let Some(tier) = tier.as_mut().filter(|_| !(window_guard && matches!(want.2, BlockExit::Fault { .. }))) {
                    let got = if window_guard { run_tier_guarded(tier, &block, seed) } else { run_tier(tier, &block, seed) };
                    if want != got {
                        let (w, g) = (&want.0, &got.0);
                        let regs = state_diffs(w, g, "tier");
                        panic!(
                            "{name} case {case}: the tier diverges from the interpreter\nexit interp {:?} tier {:?}\nnzcv interp {:#x} tier {:#x}\n{}\nmemory equal: {}\n{}",
                            want.2, got.2, w.nzcv, g.nzcv, regs.join("\n"), want.1 == got.1, zarm_ir::print::print_block(&block)
                        );
                    }
                }
                if window_guard && matches!(want.2, BlockExit::Fault { .. }) {
                    continue;
                }
                let got = run_jit(&block, &cfg, seed);
                if want != got && std::env::var_os("ZARM_JIT_SHRINK").is_some() {
                    // Debug aid: the shortest prefix of the block that diverges.
                    for k in 1..=block.ops.len() {
                        let mut p = block.clone();
                        p.ops.truncate(k);
                        p.term = zarm_ir::Terminator::Jump { target: p.end_pc };
                        if run_interp(&p, seed) != run_jit(&p, &cfg, seed) {
                            let (w, g) = (run_interp(&p, seed).0, run_jit(&p, &cfg, seed).0);
                            panic!("first divergence after op {}: {}\nfpsr {:#x} vs {:#x}, init fpsr {:#x}", k - 1, zarm_ir::print::print_block(&p), w.fpsr, g.fpsr, initial(seed).0.fpsr);
                        }
                    }
                }
                if want != got {
                    let (w, g) = (&want.0, &got.0);
                    let regs = state_diffs(w, g, "jit");
                    panic!(
                        "{name} case {case}: JIT diverges from the interpreter\nexit interp {:?} jit {:?}\nnzcv interp {:#x} jit {:#x}\n{}\nmemory equal: {}\n{}\nhost code:\n{}",
                        want.2,
                        got.2,
                        w.nzcv,
                        g.nzcv,
                        regs.join("\n"),
                        want.1 == got.1,
                        zarm_ir::print::print_block(&block),
                        zarm_backend_s390x::disasm::disassemble(&compile(&block, &cfg).unwrap().code, 0)
                    );
                }
            }
        }
    }
}
