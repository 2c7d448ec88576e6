//! The z/Architecture encoder: `formats` has one function per instruction
//! format, `insns` one thin named function per instruction. Nothing here
//! decides *which* instruction to use; that is the emitter's and the assist
//! router's job.

pub mod formats;
pub mod insns;

pub use insns::*;
