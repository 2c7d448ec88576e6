//! Shared pieces of zarm's benchmarks: real guest code to translate (the
//! `.text` of a built guest program) as a flat guest memory.

use zarm_ir::mem::FlatMemory;

/// The `.text` of an AArch64 ELF as (memory, start address, instruction count).
pub fn guest_text(path: &std::path::Path) -> Option<(FlatMemory, u64, u64)> {
    use object::{Object, ObjectSection};
    let data = std::fs::read(path).ok()?;
    let file = object::File::parse(&*data).ok()?;
    let text = file.section_by_name(".text")?;
    let bytes = text.data().ok()?;
    let mut mem = FlatMemory::new(text.address(), bytes.len());
    mem.bytes.copy_from_slice(bytes);
    Some((mem, text.address(), bytes.len() as u64 / 4))
}

/// The demo guest program, built by tests/guest/build.sh.
pub fn demo_path() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/guest/build/demo")
}
