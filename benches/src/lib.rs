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

/// Translates every block of `.text` once (as the benchmarks measure
/// translation): decode and lift, then optionally optimise and emit s390x.
/// Returns the blocks translated and the host code bytes emitted.
pub fn translate_text(mem: &mut FlatMemory, start: u64, insns: u64, optimise: bool, emit: Option<&zarm_backend_s390x::emit::EmitConfig>) -> (u64, u64) {
    let opts = zarm_frontend_a64::TranslateOptions::default();
    let mut pc = start;
    let (mut blocks, mut bytes) = (0, 0);
    while pc < start + 4 * insns {
        let mut block = zarm_frontend_a64::translate(mem, pc, &opts);
        if optimise {
            zarm_ir::passes::optimize(&mut block, false).unwrap();
        }
        if let Some(cfg) = emit {
            if let Ok(c) = zarm_backend_s390x::emit::compile(&block, cfg) {
                bytes += c.code.len() as u64;
            }
        }
        blocks += 1;
        pc = block.end_pc.max(pc + 4);
    }
    (blocks, bytes)
}

/// The emitter configuration the translation benchmarks use (a z15, the
/// default window with guard bytes).
pub fn emit_config() -> zarm_backend_s390x::emit::EmitConfig {
    zarm_backend_s390x::emit::EmitConfig {
        facilities: zarm_backend_s390x::facilities::HostFacilities::machine_level("z15").unwrap(),
        guest_addr_bits: 37,
        window_guard: true,
        checked_pages: false,
        exit_checks: true,
    }
}
