//! The printer: one line per operation, stable enough for snapshot tests.
//!
//! ```text
//! block 0x400000..0x400008 (2 insns)
//!   ; 0x400000 d2800540
//!   v1 = Const value=42
//!   SetGpr r=0 v1
//!   ...
//!   jump 0x400008
//! ```

use crate::block::{Block, Terminator};
use crate::op::Op;
use std::fmt::Write;

pub fn print_block(block: &Block) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "block {:#x}..{:#x} ({} insns)", block.start_pc, block.end_pc, block.guest_insns);
    for (i, op) in block.ops.iter().enumerate() {
        if let Op::GuestInsn { pc, word } = op {
            let _ = writeln!(s, "  ; {pc:#x} {word:08x}");
            continue;
        }
        s.push_str("  ");
        if op.result_type().is_some() {
            let _ = write!(s, "v{i} = ");
        }
        s.push_str(op.name());
        for (name, value) in op.params() {
            let _ = write!(s, " {name}={value}");
        }
        let args = op.args();
        for (k, (a, _)) in args.iter().enumerate() {
            s.push_str(if k == 0 { " " } else { ", " });
            let _ = write!(s, "{a}");
        }
        s.push('\n');
    }
    let _ = match &block.term {
        Terminator::Jump { target } => writeln!(s, "  jump {target:#x}"),
        Terminator::JumpIndirect { target, is_call, is_return } => {
            writeln!(s, "  jump_indirect {target}{}{}", if *is_call { " call" } else { "" }, if *is_return { " return" } else { "" })
        }
        Terminator::Branch { cond, taken, not_taken } => writeln!(s, "  branch {cond} ? {taken:#x} : {not_taken:#x}"),
        Terminator::Syscall { imm, next_pc } => writeln!(s, "  syscall #{imm} then {next_pc:#x}"),
        Terminator::Exception { kind, pc } => writeln!(s, "  exception {kind:?} at {pc:#x}"),
    };
    s
}
