//! AdvSIMD lifting.

#[allow(unused_imports)]
use super::*;
