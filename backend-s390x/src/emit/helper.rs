//! The bridge from compiled code to the reference semantics: operations the
//! emitter does not lower natively call [`jit_eval`], which runs the IR
//! interpreter's definition of that one operation.

use zarm_ir::interp::eval_op;
use zarm_ir::{CpuState, FaultKind, GuestMemory, MemFault, Op};

/// `fault_kind` value written by generated code for an access outside the
/// guest address window.
pub const FAULT_OUT_OF_WINDOW: u64 = 16;

// Fault stubs store the address, kind and write flag with one STMG.
const _: () = assert!(
    std::mem::offset_of!(JitContext, fault_kind) == std::mem::offset_of!(JitContext, fault_addr) + 8
        && std::mem::offset_of!(JitContext, fault_write) == std::mem::offset_of!(JitContext, fault_addr) + 16
);

/// Per-thread context the generated code reaches through r11.
#[repr(C)]
pub struct JitContext {
    pub cpu: *mut CpuState,
    /// The guest memory, for helpers that need it (atomics, exclusives, …).
    pub mem: *mut &'static mut dyn GuestMemory,
    pub fault_addr: u64,
    /// 0 unmapped, 1 permission, 2 alignment, `FAULT_OUT_OF_WINDOW`.
    pub fault_kind: u64,
    pub fault_write: u64,
    /// Nonzero: leave at the next block entry (signals, invalidation).
    pub exit_request: u64,
    /// The indirect-branch target cache: `IBTC_ENTRIES` pairs of
    /// (guest pc, host code address); guest pc `u64::MAX` marks a free entry.
    pub ibtc: *mut [u64; 2],
    /// The guest page-permission table (one byte per 4 KiB page: bit 0
    /// read, bit 1 write), for code compiled with `checked_pages`.
    pub pages: *const u8,
    /// The five IEEE flags of the FPC (invalid, divide-by-zero, overflow,
    /// underflow, inexact, from bit 4 down to bit 0) as FPSR bits (IOC,
    /// DZC, OFC, UFC, IXC from bit 0 up): the fast FP path's lookup table.
    pub fpc_to_fpsr: [u8; 32],
    /// The fixed frame's stack pointer, stored by the entry trampoline: a
    /// host fault inside optimised code (which runs on its own frame below
    /// it) returns through the fault exit with r15 reset to it.
    pub frame_sp: u64,
    /// This thread's tier-up table (`emit::HotCount`): `HOT_SLOTS` i64
    /// counts; null without the tier.
    pub countdowns: *mut i64,
}

/// See `JitContext::fpc_to_fpsr`.
pub const fn fpc_to_fpsr_table() -> [u8; 32] {
    let mut t = [0u8; 32];
    let mut k = 0;
    while k < 32 {
        let mut out = 0u8;
        let mut bit = 0;
        while bit < 5 {
            // FPC order: k bit 4 = invalid … bit 0 = inexact; FPSR: IOC = bit 0 … IXC = bit 4.
            if k & (1 << bit) != 0 {
                out |= 1 << (4 - bit);
            }
            bit += 1;
        }
        t[k] = out;
        k += 1;
    }
    t
}

impl JitContext {
    /// A context with no fault recorded, for generated code that uses the
    /// indirect-branch cache `ibtc` (`IBTC_ENTRIES` entries) and, when
    /// compiled with `checked_pages`, the permission table `pages`.
    pub fn new(cpu: *mut CpuState, mem: *mut &'static mut dyn GuestMemory, ibtc: *mut [u64; 2], pages: *const u8) -> Self {
        JitContext { cpu, mem, fault_addr: 0, fault_kind: 0, fault_write: 0, exit_request: 0, ibtc, pages, fpc_to_fpsr: fpc_to_fpsr_table(), frame_sp: 0, countdowns: std::ptr::null_mut() }
    }

    fn record_fault(&mut self, f: MemFault) {
        self.fault_addr = f.addr;
        self.fault_kind = match f.kind {
            FaultKind::Unmapped => 0,
            FaultKind::Permission => 1,
            FaultKind::Alignment => 2,
        };
        self.fault_write = f.write as u64;
    }

    /// The fault the last `EXIT_FAULT` reported.
    pub fn fault(&self) -> MemFault {
        let kind = match self.fault_kind {
            1 => FaultKind::Permission,
            2 => FaultKind::Alignment,
            _ => FaultKind::Unmapped,
        };
        MemFault { addr: self.fault_addr, kind, write: self.fault_write != 0 }
    }
}

/// A copy of `op` for `jit_eval`: its arguments renumbered 0..k, the
/// indices of the argument array generated code fills.
pub fn helper_operand(op: &Op) -> Op {
    let mut h = op.clone();
    let mut k = 0;
    h.for_each_arg_mut(|a| {
        *a = zarm_ir::Value(k);
        k += 1;
    });
    h
}

/// Evaluates `op`, whose arguments were renumbered 0..k, on the argument
/// array `args`; writes the result to `out`. Returns 0, or 1 after a fault
/// (recorded in the context).
///
/// # Safety
/// Called only from generated code with the pointers the emitter set up.
pub unsafe extern "C" fn jit_eval(ctx: *mut JitContext, op: *const Op, args: *const u128, out: *mut u128) -> u64 {
    let ctx = &mut *ctx;
    let op = &*op;
    let args = std::slice::from_raw_parts(args, 4);
    let cpu = &mut *ctx.cpu;
    let mem: &mut dyn GuestMemory = &mut **ctx.mem;
    let r = eval_op(op, args, cpu, mem);
    if mem.code_changed() {
        // A write reached translated code: leave at the next block entry
        // so the dispatcher drops the stale translations.
        ctx.exit_request = 1;
    }
    match r {
        Ok(v) => {
            *out = v;
            0
        }
        Err(f) => {
            ctx.record_fault(f);
            1
        }
    }
}

/// Called by generated code before it reads NZCV while the flags are kept
/// lazily (`CpuState::flags_op`): evaluates them into `nzcv`.
///
/// # Safety
/// Called only from generated code, with the CPU state it runs on.
pub unsafe extern "C" fn jit_settle_flags(cpu: *mut CpuState) {
    // SAFETY: generated code passes its pinned CPU state pointer.
    unsafe { (*cpu).settle_flags() }
}

/// Called by generated code when the page check refused a direct write of
/// `len` bytes at guest `addr`: returns 0 when the write may proceed (the
/// page held translated code and is now unprotected; the block finishes and
/// the dispatcher invalidates at the next block entry), or 1 with the fault
/// recorded in the context.
///
/// # Safety
/// Called only from generated code with the context the emitter set up.
pub unsafe extern "C" fn jit_prepare_write(ctx: *mut JitContext, addr: u64, len: u64) -> u64 {
    let ctx = &mut *ctx;
    let mem: &mut dyn GuestMemory = &mut **ctx.mem;
    match mem.prepare_write(addr, len) {
        Ok(()) => {
            ctx.exit_request = 1;
            0
        }
        Err(f) => {
            ctx.record_fault(f);
            1
        }
    }
}
