//! Loading a static or static-pie AArch64 ELF into the guest address space
//! and building the initial stack exactly as Linux does for arm64:
//! argc, argv[], NULL, envp[], NULL, auxv pairs, AT_NULL, then the strings
//! and the AT_RANDOM bytes above, with SP 16-byte aligned.

use crate::memory::{GuestSpace, PAGE, PROT_EXEC, PROT_READ, PROT_WRITE};
use object::elf;
use object::read::elf::{FileHeader, ProgramHeader};
use object::LittleEndian as LE;
use std::fmt;

pub const STACK_SIZE: u64 = 8 << 20;

#[derive(Debug)]
pub struct LoadError(pub String);

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for LoadError {}

fn err<T>(msg: impl Into<String>) -> Result<T, LoadError> {
    Err(LoadError(msg.into()))
}

/// What the loader learned about the program.
#[derive(Debug, Clone)]
pub struct LoadedImage {
    pub entry: u64,
    pub phdr: u64,
    pub phent: u64,
    pub phnum: u64,
    pub load_bias: u64,
    pub brk: u64,
    /// The program interpreter named by PT_INTERP (dynamic executables).
    pub interp: Option<Vec<u8>>,
    /// Where the interpreter was loaded (AT_BASE), 0 for static programs.
    pub interp_base: u64,
    /// The PT_LOAD segments' pages: (start, end, file offset of start).
    pub segments: Vec<(u64, u64, u64)>,
}

/// Where an ELF file's segments go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placement {
    /// The program: ET_EXEC at its addresses, ET_DYN at the layout's PIE base; below
    /// the mmap area.
    Program,
    /// The dynamic loader (ET_DYN only), wherever the mmap area has room,
    /// as Linux places it.
    Interpreter,
}

/// Maps the program's PT_LOAD segments. Every field is validated: a
/// malformed or foreign ELF is an error, never a panic.
pub fn load_elf(space: &mut GuestSpace, data: &[u8]) -> Result<LoadedImage, LoadError> {
    load_elf_as(space, data, Placement::Program)
}

/// `load_elf` for the program or its interpreter.
pub fn load_elf_as(space: &mut GuestSpace, data: &[u8], placement: Placement) -> Result<LoadedImage, LoadError> {
    if data.len() < 4 || &data[..4] != b"\x7fELF" {
        return err("not an ELF file");
    }
    if data.len() < 5 || data[4] != elf::ELFCLASS64 {
        return err("not a 64-bit ELF file (zarm runs AArch64 programs)");
    }
    if data.len() < 6 || data[5] != elf::ELFDATA2LSB {
        return err("not a little-endian ELF file (zarm runs AArch64 programs)");
    }
    let hdr = elf::FileHeader64::<LE>::parse(data).map_err(|e| LoadError(format!("malformed ELF header: {e}")))?;
    let endian = LE;
    if hdr.e_machine(endian) != elf::EM_AARCH64 {
        return err(format!("ELF machine {} is not AArch64 (183)", hdr.e_machine(endian)));
    }
    let etype = hdr.e_type(endian);
    if etype != elf::ET_EXEC && etype != elf::ET_DYN {
        return err("not an executable ELF file");
    }
    let phdrs = hdr.program_headers(endian, data).map_err(|e| LoadError(format!("malformed program headers: {e}")))?;
    let mut interp = None;
    if let Some(p) = phdrs.iter().find(|p| p.p_type(endian) == elf::PT_INTERP) {
        if placement == Placement::Interpreter {
            return err("the program interpreter itself names an interpreter");
        }
        let (off, size) = (p.p_offset(endian) as usize, p.p_filesz(endian) as usize);
        let raw = off.checked_add(size).and_then(|e| data.get(off..e)).ok_or(LoadError("PT_INTERP lies outside the file".into()))?;
        let path: Vec<u8> = raw.iter().copied().take_while(|&b| b != 0).collect();
        if path.is_empty() || size > 4096 {
            return err("malformed PT_INTERP");
        }
        interp = Some(path);
    }
    let loads: Vec<_> = phdrs.iter().filter(|p| p.p_type(endian) == elf::PT_LOAD).collect();
    if loads.is_empty() {
        return err("ELF file has no loadable segments");
    }
    let (limit, bias) = match placement {
        Placement::Program => (space.layout.mmap_min, if etype == elf::ET_DYN { space.layout.pie_base } else { 0 }),
        Placement::Interpreter => {
            if etype != elf::ET_DYN {
                return err("the program interpreter is not position-independent (ET_DYN)");
            }
            let lo = loads.iter().map(|p| p.p_vaddr(endian)).min().unwrap_or(0) & !(PAGE - 1);
            let hi = loads.iter().map(|p| p.p_vaddr(endian).saturating_add(p.p_memsz(endian))).max().unwrap_or(0);
            let span = hi.checked_sub(lo).filter(|&s| s > 0 && s < 1 << 32).ok_or(LoadError("the interpreter's segments span no or too much memory".into()))?;
            let at = space.find_free(span).ok_or(LoadError("no room for the program interpreter".into()))?;
            (space.layout.window, at - lo)
        }
    };
    let mut hi = 0u64;
    let mut phdr_addr = None;
    let mut segments = Vec::new();
    for p in &loads {
        let (vaddr, memsz, filesz, off) =
            (p.p_vaddr(endian), p.p_memsz(endian), p.p_filesz(endian), p.p_offset(endian));
        if filesz > memsz {
            return err("segment's file size exceeds its memory size");
        }
        let end_file = off.checked_add(filesz).filter(|&e| e <= data.len() as u64);
        if end_file.is_none() {
            return err("segment extends past the end of the file");
        }
        if (vaddr ^ off) & (PAGE - 1) != 0 {
            // Linux maps a segment's pages from the file, which cannot
            // shift its bytes within a page: such a file fails to exec
            // there (and qemu-aarch64 refuses it).
            return err(format!("segment at {vaddr:#x}: its file offset {off:#x} differs from its address modulo the page size ({PAGE})"));
        }
        let start = vaddr.checked_add(bias).ok_or(LoadError("segment address overflows".into()))?;
        let end = start.checked_add(memsz).ok_or(LoadError("segment size overflows".into()))?;
        if end > limit {
            return err(format!("segment at {start:#x}..{end:#x} lies outside the guest's program area"));
        }
        let flags = p.p_flags(endian);
        let mut prot = 0;
        if flags & elf::PF_R != 0 {
            prot |= PROT_READ;
        }
        if flags & elf::PF_W != 0 {
            prot |= PROT_WRITE;
        }
        if flags & elf::PF_X != 0 {
            prot |= PROT_EXEC;
        }
        let page_start = start & !(PAGE - 1);
        let page_end = end.next_multiple_of(PAGE);
        segments.push((page_start, page_end, off.saturating_sub(start - page_start)));
        // Segments may share a page: keep what an earlier one mapped and
        // widen its permissions; map each run of fresh pages at once.
        let mut a = page_start;
        while a < page_end {
            if let Some(old) = space.perms(a) {
                space.protect(a, PAGE, old | prot).map_err(|_| LoadError("cannot map segment".into()))?;
                a += PAGE;
                continue;
            }
            let mut run_end = a + PAGE;
            while run_end < page_end && space.perms(run_end).is_none() {
                run_end += PAGE;
            }
            space.map(a, run_end - a, prot).map_err(|_| LoadError("cannot map segment".into()))?;
            a = run_end;
        }
        space
            .write_bytes_unchecked(start, &data[off as usize..(off + filesz) as usize])
            .ok_or(LoadError("cannot write segment".into()))?;
        let phoff = hdr.e_phoff(endian);
        if phoff >= off && phoff < off + filesz {
            phdr_addr = Some(start + (phoff - off));
        }
        hi = hi.max(end);
    }
    if let Some(p) = phdrs.iter().find(|p| p.p_type(endian) == elf::PT_PHDR) {
        phdr_addr = Some(p.p_vaddr(endian) + bias);
    }
    let brk = hi.next_multiple_of(PAGE);
    Ok(LoadedImage {
        entry: hdr.e_entry(endian).wrapping_add(bias),
        phdr: phdr_addr.unwrap_or(0),
        phent: hdr.e_phentsize(endian) as u64,
        phnum: phdrs.len() as u64,
        load_bias: bias,
        brk,
        interp,
        interp_base: 0,
        segments,
    })
}

// auxv keys (Linux <uapi/linux/auxvec.h>, arm64 <asm/auxvec.h>).
pub const AT_NULL: u64 = 0;
pub const AT_PHDR: u64 = 3;
pub const AT_PHENT: u64 = 4;
pub const AT_PHNUM: u64 = 5;
pub const AT_PAGESZ: u64 = 6;
pub const AT_BASE: u64 = 7;
pub const AT_FLAGS: u64 = 8;
pub const AT_ENTRY: u64 = 9;
pub const AT_UID: u64 = 11;
pub const AT_EUID: u64 = 12;
pub const AT_GID: u64 = 13;
pub const AT_EGID: u64 = 14;
pub const AT_PLATFORM: u64 = 15;
pub const AT_HWCAP: u64 = 16;
pub const AT_CLKTCK: u64 = 17;
pub const AT_SECURE: u64 = 23;
pub const AT_RANDOM: u64 = 25;
pub const AT_HWCAP2: u64 = 26;
pub const AT_EXECFN: u64 = 31;
pub const AT_MINSIGSTKSZ: u64 = 51;

/// Maps the stack and writes argc/argv/envp/auxv; returns the initial SP.
pub fn build_stack(space: &mut GuestSpace, img: &LoadedImage, argv: &[Vec<u8>], envp: &[Vec<u8>], execfn: &[u8]) -> Result<u64, LoadError> {
    let stack_top = space.layout.stack_top;
    let bottom = stack_top - STACK_SIZE;
    space.map(bottom, STACK_SIZE, PROT_READ | PROT_WRITE).map_err(|_| LoadError("cannot map the stack".into()))?;
    let mut sp = stack_top;
    let mut push_bytes = |space: &mut GuestSpace, bytes: &[u8]| -> Result<u64, LoadError> {
        sp -= bytes.len() as u64;
        space.write_bytes(sp, bytes).ok_or(LoadError("stack overflow while building arguments".into()))?;
        Ok(sp)
    };
    let cstr = |s: &[u8]| {
        let mut v = s.to_vec();
        v.push(0);
        v
    };
    let execfn_addr = push_bytes(space, &cstr(execfn))?;
    let mut env_addrs = Vec::new();
    for e in envp.iter().rev() {
        env_addrs.push(push_bytes(space, &cstr(e))?);
    }
    env_addrs.reverse();
    let mut arg_addrs = Vec::new();
    for a in argv.iter().rev() {
        arg_addrs.push(push_bytes(space, &cstr(a))?);
    }
    arg_addrs.reverse();
    let platform = push_bytes(space, b"aarch64\0")?;
    let mut random = [0u8; 16];
    getrandom_bytes(&mut random);
    let random_addr = push_bytes(space, &random)?;

    // SAFETY: getuid and friends cannot fail.
    let (uid, euid, gid, egid) = unsafe { (libc::getuid(), libc::geteuid(), libc::getgid(), libc::getegid()) };
    let auxv: Vec<(u64, u64)> = vec![
        (AT_HWCAP, zarm_frontend_a64::features::HWCAP),
        (AT_PAGESZ, PAGE),
        (AT_CLKTCK, 100),
        (AT_PHDR, img.phdr),
        (AT_PHENT, img.phent),
        (AT_PHNUM, img.phnum),
        (AT_BASE, img.interp_base),
        (AT_FLAGS, 0),
        (AT_ENTRY, img.entry),
        (AT_UID, uid as u64),
        (AT_EUID, euid as u64),
        (AT_GID, gid as u64),
        (AT_EGID, egid as u64),
        (AT_SECURE, 0),
        (AT_RANDOM, random_addr),
        (AT_HWCAP2, zarm_frontend_a64::features::HWCAP2),
        (AT_EXECFN, execfn_addr),
        (AT_PLATFORM, platform),
        (AT_MINSIGSTKSZ, 5120),
        (AT_NULL, 0),
    ];
    let words = 1 + arg_addrs.len() + 1 + env_addrs.len() + 1 + 2 * auxv.len();
    sp = (sp - 8 * words as u64) & !15;
    let mut w = Vec::with_capacity(words * 8);
    w.extend_from_slice(&(argv.len() as u64).to_le_bytes());
    for a in &arg_addrs {
        w.extend_from_slice(&a.to_le_bytes());
    }
    w.extend_from_slice(&0u64.to_le_bytes());
    for e in &env_addrs {
        w.extend_from_slice(&e.to_le_bytes());
    }
    w.extend_from_slice(&0u64.to_le_bytes());
    for (k, v) in &auxv {
        w.extend_from_slice(&k.to_le_bytes());
        w.extend_from_slice(&v.to_le_bytes());
    }
    space.write_bytes(sp, &w).ok_or(LoadError("stack overflow while building auxv".into()))?;
    space.auxv = w[8 * (words - 2 * auxv.len())..].to_vec();
    Ok(sp)
}

pub fn getrandom_bytes(buf: &mut [u8]) {
    // SAFETY: buf is valid for writes of its length.
    let n = unsafe { libc::getrandom(buf.as_mut_ptr() as _, buf.len(), 0) };
    if n != buf.len() as isize {
        // Fall back to something unpredictable enough for AT_RANDOM.
        let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
        for (i, b) in buf.iter_mut().enumerate() {
            *b = (t >> (i % 16 * 8)) as u8 ^ (i as u8).wrapping_mul(151);
        }
    }
}
