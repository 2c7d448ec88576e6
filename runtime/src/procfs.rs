//! The /proc files a guest must see as an aarch64 process of its own, not
//! as zarm: `/proc/self/maps` (the guest's mappings, named where zarm
//! knows the file), `/proc/self/auxv` (the auxiliary vector the guest
//! started with, in guest byte order) and `/proc/cpuinfo` (the CPU zarm
//! presents: its HWCAP features and MIDR). Opening one gives a memfd
//! holding the text as it was at open time, as a read of the real file
//! would. `/proc/self/exe` is resolved with the other paths (`syscall.rs`).

use crate::memory::{GuestSpace, PAGE, PROT_EXEC, PROT_READ, PROT_WRITE};
use std::collections::BTreeMap;

/// Linux's names of the arm64 AT_HWCAP bits, by bit.
const HWCAP_NAMES: [&str; 32] = [
    "fp", "asimd", "evtstrm", "aes", "pmull", "sha1", "sha2", "crc32", "atomics", "fphp", "asimdhp", "cpuid", "asimdrdm", "jscvt", "fcma", "lrcpc", "dcpop", "sha3", "sm3", "sm4",
    "asimddp", "sha512", "sve", "asimdfhm", "dit", "uscat", "ilrcpc", "flagm", "ssbs", "sb", "paca", "pacg",
];

/// Names of guest address ranges: start → (end, name, file offset).
#[derive(Default, Debug, Clone)]
pub struct RangeNames(BTreeMap<u64, (u64, Vec<u8>, u64)>);

impl RangeNames {
    /// Forgets names over `[start, end)`, trimming ranges that overlap it.
    pub fn clear(&mut self, start: u64, end: u64) {
        let overlapping: Vec<u64> = self.0.range(..end).filter(|(_, (e, ..))| *e > start).map(|(s, _)| *s).collect();
        for s in overlapping {
            let (e, name, off) = self.0.remove(&s).unwrap();
            if s < start {
                self.0.insert(s, (start, name.clone(), off));
            }
            if e > end {
                self.0.insert(end, (e, name, off + (end - s)));
            }
        }
    }

    pub fn set(&mut self, start: u64, end: u64, name: Vec<u8>, offset: u64) {
        self.clear(start, end);
        self.0.insert(start, (end, name, offset));
    }

    /// The name and file offset of the range holding `addr`.
    fn at(&self, addr: u64) -> Option<(&[u8], u64)> {
        let (s, (e, name, off)) = self.0.range(..=addr).next_back()?;
        (addr < *e).then(|| (name.as_slice(), off + (addr - s)))
    }
}

/// How the guest names the host file `host`: its absolute path, with the
/// sysroot (`-L`) taken off when the file lies inside it.
pub fn guest_path(host: &std::path::Path, sysroot: Option<&std::path::Path>) -> Vec<u8> {
    let abs = std::fs::canonicalize(host).unwrap_or_else(|_| host.to_path_buf());
    if let Some(root) = sysroot.and_then(|r| std::fs::canonicalize(r).ok()) {
        if let Ok(rest) = abs.strip_prefix(&root) {
            return std::path::Path::new("/").join(rest).into_os_string().into_encoded_bytes();
        }
    }
    abs.into_os_string().into_encoded_bytes()
}

/// What the guest reads from `path` if zarm provides it, else None.
pub fn contents(space: &GuestSpace, path: &[u8]) -> Option<Vec<u8>> {
    let pid = std::process::id().to_string();
    let own = |rest: &[u8]| {
        [b"/proc/self/".as_slice(), b"/proc/thread-self/".as_slice(), format!("/proc/{pid}/").as_bytes()].iter().any(|p| {
            let mut full = p.to_vec();
            full.extend_from_slice(rest);
            full == path
        })
    };
    if own(b"maps") {
        Some(maps(space))
    } else if own(b"auxv") {
        Some(space.auxv.clone())
    } else if path == b"/proc/cpuinfo" {
        Some(cpuinfo())
    } else {
        None
    }
}

/// A read-only descriptor holding `text` at offset 0 (a memfd), or -errno.
pub fn open_text(text: &[u8], cloexec: bool) -> i64 {
    // SAFETY: plain system calls on a descriptor this function owns.
    unsafe {
        let fd = libc::memfd_create(c"zarm-proc".as_ptr(), if cloexec { libc::MFD_CLOEXEC } else { 0 });
        if fd < 0 {
            return -(std::io::Error::last_os_error().raw_os_error().unwrap_or(libc::EIO) as i64);
        }
        let mut done = 0;
        while done < text.len() {
            let n = libc::write(fd, text[done..].as_ptr() as _, text.len() - done);
            if n <= 0 {
                libc::close(fd);
                return -(libc::EIO as i64);
            }
            done += n as usize;
        }
        libc::lseek(fd, 0, libc::SEEK_SET);
        fd as i64
    }
}

/// The guest's mappings in the `/proc/<pid>/maps` format: runs of pages
/// with the same permissions and name, the heap and the stack named as
/// Linux names them.
fn maps(space: &GuestSpace) -> Vec<u8> {
    let mut out = Vec::new();
    let stack = (space.layout.stack_top - crate::loader::STACK_SIZE, space.layout.stack_top);
    let label = |a: u64| -> (Vec<u8>, u64) {
        if (stack.0..stack.1).contains(&a) {
            (b"[stack]".to_vec(), 0)
        } else if a >= space.brk_start && a < space.brk.next_multiple_of(PAGE) && space.brk > space.brk_start {
            (b"[heap]".to_vec(), 0)
        } else {
            space.names.at(a).map(|(n, off)| (n.to_vec(), off)).unwrap_or_default()
        }
    };
    let mut run: Option<(u64, u64, u8, Vec<u8>, u64)> = None;
    let flush = |r: &(u64, u64, u8, Vec<u8>, u64), out: &mut Vec<u8>| {
        let (s, e, p, name, off) = r;
        let perm = |bit: u8, c: char| if p & bit != 0 { c } else { '-' };
        let line = format!("{s:08x}-{e:08x} {}{}{}p {off:08x} 00:00 0", perm(PROT_READ, 'r'), perm(PROT_WRITE, 'w'), perm(PROT_EXEC, 'x'));
        out.extend_from_slice(line.as_bytes());
        if !name.is_empty() {
            // Linux pads to column 72, then a space, then the name.
            out.resize(out.len() + 72usize.saturating_sub(line.len()) + 1, b' ');
            out.extend_from_slice(name);
        }
        out.push(b'\n');
    };
    for (addr, prot) in space.mapped_pages() {
        let (name, off) = label(addr);
        let continues = run.as_ref().is_some_and(|(s, e, p, n, o)| *e == addr && *p == prot && *n == name && (n.first() != Some(&b'/') || *o + (addr - s) == off));
        if continues {
            if let Some(r) = run.as_mut() {
                r.1 = addr + PAGE;
            }
        } else {
            if let Some(r) = run.take() {
                flush(&r, &mut out);
            }
            run = Some((addr, addr + PAGE, prot, name, off));
        }
    }
    if let Some(r) = run.take() {
        flush(&r, &mut out);
    }
    out
}

/// `/proc/cpuinfo` of arm64 Linux for the CPU zarm presents, one entry per
/// host processor.
fn cpuinfo() -> Vec<u8> {
    use zarm_frontend_a64::features::{HWCAP, MIDR_EL1};
    let features: Vec<&str> = (0..32).filter(|b| HWCAP >> b & 1 != 0).map(|b| HWCAP_NAMES[b]).collect();
    // SAFETY: sysconf has no preconditions.
    let n = unsafe { libc::sysconf(libc::_SC_NPROCESSORS_ONLN) }.max(1);
    let mut s = String::new();
    for i in 0..n {
        s += &format!("processor\t: {i}\nBogoMIPS\t: 50.00\nFeatures\t: {}\n", features.join(" "));
        s += &format!(
            "CPU implementer\t: {:#04x}\nCPU architecture: 8\nCPU variant\t: {:#x}\nCPU part\t: {:#05x}\nCPU revision\t: {}\n\n",
            MIDR_EL1 >> 24 & 0xff,
            MIDR_EL1 >> 20 & 0xf,
            MIDR_EL1 >> 4 & 0xfff,
            MIDR_EL1 & 0xf
        );
    }
    s.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_by_later_mappings() {
        let mut n = RangeNames::default();
        n.set(0x1000, 0x5000, b"lib".to_vec(), 0);
        n.set(0x2000, 0x3000, b"other".to_vec(), 0x10000);
        n.clear(0x4000, 0x4800);
        assert_eq!(n.at(0x1000), Some((b"lib".as_slice(), 0)));
        assert_eq!(n.at(0x2800), Some((b"other".as_slice(), 0x10800)));
        assert_eq!(n.at(0x3000), Some((b"lib".as_slice(), 0x2000)));
        assert_eq!(n.at(0x4000), None);
        assert_eq!(n.at(0x4800), Some((b"lib".as_slice(), 0x3800)));
        assert_eq!(n.at(0x5000), None);
    }

    #[test]
    fn cpuinfo_lists_exactly_the_hwcap_features() {
        let text = String::from_utf8(cpuinfo()).unwrap();
        let line = text.lines().find(|l| l.starts_with("Features")).unwrap();
        assert_eq!(line, "Features\t: fp asimd aes pmull sha1 sha2 crc32 atomics cpuid lrcpc sha3 sha512");
        assert!(text.contains("CPU implementer\t: 0x41\n") && text.contains("CPU part\t: 0xd03\n"));
    }
}
