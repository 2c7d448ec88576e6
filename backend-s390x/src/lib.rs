//! The s390x backend: the z/Architecture encoder (`encode`). The baseline
//! emitter, facility detection and assist routing (issues #3 and #4) build on
//! it. Depends only on `zarm-ir`; knows nothing of A64.

pub mod clif;
pub mod encode;
pub mod disasm;
pub mod emit;
pub mod facilities;
pub mod routing;
