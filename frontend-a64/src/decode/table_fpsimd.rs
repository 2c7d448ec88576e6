//! Scalar FP and AdvSIMD data-processing instructions.

use super::Line;
#[allow(unused_imports)]
use crate::lift::{fp, simd};

pub(super) const LINES: &[Line] = &[];
