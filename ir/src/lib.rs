//! zarm's host-neutral intermediate representation.
//!
//! A guest block is lifted into a [`Block`]: a straight list of [`Op`]s in
//! SSA form (value `i` is defined by operation `i`) ending in one
//! [`Terminator`]. The opcode list in [`op`] is the single source of truth for
//! names, argument and result types and effects.
//!
//! This crate owns: the opcode list, the builder, the verifier, the printer,
//! the optimisation passes, and the interpreter that defines what every
//! opcode means. It must not know the guest's encodings (frontend) or the
//! host's instructions (backend).

pub mod block;
pub mod fp;
pub mod interp;
pub mod mem;
pub mod op;
pub mod passes;
pub mod print;
pub mod state;
pub mod testgen;
pub mod types;
pub mod vector;
pub mod verify;

pub use block::{Block, Builder, ExceptionKind, Terminator};
pub use interp::{BlockExit, Interpreter};
pub use mem::{FaultKind, GuestMemory, MemFault};
pub use op::{Effect, Op};
pub use state::CpuState;
pub use types::*;
