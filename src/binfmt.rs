//! `zarm --install-binfmt` / `--uninstall-binfmt`: register zarm with the
//! kernel's binfmt_misc as the interpreter of AArch64 ELF executables, so
//! they run when executed directly (shells, `make`, containers).
//!
//! The entry matches the ELF identification of 64-bit little-endian
//! AArch64 executables (ET_EXEC and ET_DYN, e_machine EM_AARCH64 = 183)
//! with the flags
//! - `F`: the kernel opens zarm at registration, so the entry also works
//!   inside chroots and containers that do not contain zarm;
//! - `P`: the program's own argv[0] is preserved; the kernel then passes
//!   `zarm <full path> <argv[0]> <args...>` and marks it in zarm's
//!   AT_FLAGS, which `main` reads (see `preserved_argv0`).
//!
//! Setuid guest programs run with the caller's credentials (no `C` flag).
//! The guest root for dynamic programs comes from `ZARM_LD_PREFIX` in the
//! environment of whoever runs the program.

use std::io::Write;
use std::path::{Path, PathBuf};

const BINFMT_DIR: &str = "/proc/sys/fs/binfmt_misc";

/// The ELF header bytes an AArch64 executable starts with, and the mask of
/// the bits that must match (the low bit of e_type is free: 2 or 3).
const MAGIC: [u8; 20] = [0x7f, b'E', b'L', b'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0xb7, 0];
const MASK: [u8; 20] = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe, 0xff, 0xff, 0xff];

fn escaped(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("\\x{b:02x}")).collect()
}

/// The line written to `register` for interpreter `interp`.
pub fn registration(name: &str, interp: &Path) -> String {
    format!(":{name}:M::{}:{}:{}:FP", escaped(&MAGIC), escaped(&MASK), interp.display())
}

/// Makes sure binfmt_misc is mounted (mounting it as systemd would).
fn ensure_mounted() -> Result<(), String> {
    if Path::new(BINFMT_DIR).join("register").exists() {
        return Ok(());
    }
    let status = std::process::Command::new("mount")
        .args(["-t", "binfmt_misc", "binfmt_misc", BINFMT_DIR])
        .status()
        .map_err(|e| format!("cannot run mount: {e}"))?;
    if status.success() && Path::new(BINFMT_DIR).join("register").exists() {
        Ok(())
    } else {
        Err(format!("binfmt_misc is not mounted at {BINFMT_DIR} and mounting it failed (root needed)"))
    }
}

fn check_name(name: &str) -> Result<(), String> {
    if name.is_empty() || name.len() > 64 || name.contains(['/', ':']) || name == "register" || name == "status" || name.starts_with('.') {
        return Err(format!("'{name}' cannot name a binfmt_misc entry"));
    }
    Ok(())
}

pub fn install(name: &str) -> Result<String, String> {
    check_name(name)?;
    let exe: PathBuf = std::env::current_exe().and_then(std::fs::canonicalize).map_err(|e| format!("cannot find zarm's own path: {e}"))?;
    ensure_mounted()?;
    let entry = Path::new(BINFMT_DIR).join(name);
    if entry.exists() {
        return Err(format!("{} exists already; remove it first with --uninstall-binfmt", entry.display()));
    }
    let line = registration(name, &exe);
    std::fs::OpenOptions::new()
        .write(true)
        .open(Path::new(BINFMT_DIR).join("register"))
        .and_then(|mut f| f.write_all(line.as_bytes()))
        .map_err(|e| format!("cannot register with binfmt_misc: {e} (root needed)"))?;
    Ok(format!("registered {} as the interpreter of AArch64 ELF programs ({})", exe.display(), entry.display()))
}

pub fn uninstall(name: &str) -> Result<String, String> {
    check_name(name)?;
    let entry = Path::new(BINFMT_DIR).join(name);
    if !entry.exists() {
        return Err(format!("{} is not registered", entry.display()));
    }
    std::fs::write(&entry, b"-1").map_err(|e| format!("cannot remove {}: {e} (root needed)", entry.display()))?;
    Ok(format!("removed {}", entry.display()))
}

/// Was zarm started by binfmt_misc with the `P` flag? Then its arguments
/// are `<full path> <the program's argv[0]> <args...>`.
pub fn preserved_argv0() -> bool {
    const AT_FLAGS_PRESERVE_ARGV0: u64 = 1;
    // SAFETY: getauxval has no preconditions.
    (unsafe { libc::getauxval(libc::AT_FLAGS) }) & AT_FLAGS_PRESERVE_ARGV0 != 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registration_line_has_the_aarch64_elf_header() {
        let line = registration("zarm-aarch64", Path::new("/usr/bin/zarm"));
        let fields: Vec<&str> = line.split(':').collect();
        assert_eq!(fields.len(), 8, "{line}");
        assert_eq!(&fields[1..4], &["zarm-aarch64", "M", ""]);
        // The magic is a real AArch64 executable's first 20 bytes.
        let hdr: Vec<u8> = fields[4].split("\\x").skip(1).map(|h| u8::from_str_radix(h, 16).unwrap()).collect();
        let mask: Vec<u8> = fields[5].split("\\x").skip(1).map(|h| u8::from_str_radix(h, 16).unwrap()).collect();
        assert_eq!((hdr.len(), mask.len()), (20, 20));
        assert_eq!(u16::from_le_bytes([hdr[18], hdr[19]]), 183, "EM_AARCH64");
        for e_type in [2u8, 3] {
            assert_eq!(e_type & mask[16], hdr[16], "e_type {e_type} matches");
        }
        assert_ne!(1 & mask[16], hdr[16], "ET_REL does not match");
        assert_eq!(&fields[6..], &["/usr/bin/zarm", "FP"]);
    }

    #[test]
    fn bad_names_are_refused() {
        for n in ["", "a/b", "a:b", "register", "status", ".x"] {
            assert!(check_name(n).is_err(), "{n}");
        }
        assert!(check_name("zarm-aarch64").is_ok());
    }
}
