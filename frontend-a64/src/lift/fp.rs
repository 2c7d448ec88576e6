//! Scalar floating-point lifting.

#[allow(unused_imports)]
use super::*;
