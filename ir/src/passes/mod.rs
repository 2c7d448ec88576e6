//! Optimisation passes, one file each. Every pass keeps guest state precise
//! at every operation that may fault (see `Op::may_fault`), so a fault
//! observes exactly the state the interpreter would have before that guest
//! instruction.

pub mod const_fold;
pub mod dce;
pub mod flags;
pub mod forward;

use crate::block::Block;

/// The standard pipeline. With `verify_each`, the verifier runs after every
/// pass and a failure names the pass.
pub fn optimize(block: &mut Block, verify_each: bool) -> Result<(), String> {
    let passes: [(&str, fn(&mut Block)); 4] = [
        ("forward", forward::run),
        ("const_fold", const_fold::run),
        ("flags", flags::run),
        ("dce", dce::run),
    ];
    for (name, pass) in passes {
        pass(block);
        if verify_each {
            crate::verify::verify(block).map_err(|e| format!("after {name}: {e}"))?;
        }
    }
    block.compact();
    if verify_each {
        crate::verify::verify(block).map_err(|e| format!("after compact: {e}"))?;
    }
    Ok(())
}
