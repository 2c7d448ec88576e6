//! Code memory, never writable and executable at the same time: one
//! anonymous mapping whose pages are read-execute, switched to read-write
//! only while the translator writes (or patches) them and back at once.
//!
//! A dual mapping (one RW and one RX view of the same memory) would avoid
//! the `mprotect` calls, but stores through an alias are invisible to an
//! emulator's self-modifying-code detection (qemu-s390x keeps running its
//! stale translation of the old bytes); changing the protection of the
//! executed pages is seen by every host. z/Architecture keeps instruction
//! fetch coherent with this CPU's stores.
//!
//! Known limit: while a page is being rewritten, another thread executing
//! code on it would fault; the runtime gives each guest thread its own
//! code memory, written only by that thread between blocks.

use std::io;

pub struct CodeMemory {
    base: *mut u8,
    size: usize,
}

// SAFETY: the mapping is owned by this value; access is serialised by the
// cache's owner.
unsafe impl Send for CodeMemory {}

const PAGE: usize = 4096;

impl CodeMemory {
    pub fn new(size: usize) -> io::Result<Self> {
        let size = size.next_multiple_of(PAGE);
        // SAFETY: a fresh private anonymous mapping.
        let p = unsafe {
            libc::mmap(std::ptr::null_mut(), size, libc::PROT_READ | libc::PROT_EXEC, libc::MAP_PRIVATE | libc::MAP_ANONYMOUS, -1, 0)
        };
        if p == libc::MAP_FAILED {
            return Err(io::Error::last_os_error());
        }
        Ok(CodeMemory { base: p as *mut u8, size })
    }

    pub fn size(&self) -> usize {
        self.size
    }

    /// Host address at which code at `offset` executes.
    pub fn exec_addr(&self, offset: usize) -> u64 {
        self.base as u64 + offset as u64
    }

    /// The offset of an executable address, if it lies in this memory.
    pub fn offset_of(&self, addr: u64) -> Option<usize> {
        let base = self.base as u64;
        (addr >= base && addr < base + self.size as u64).then(|| (addr - base) as usize)
    }

    fn protect(&self, offset: usize, len: usize, prot: i32) {
        let start = offset / PAGE * PAGE;
        let end = (offset + len).next_multiple_of(PAGE).min(self.size);
        // SAFETY: a page range inside our mapping.
        let r = unsafe { libc::mprotect(self.base.add(start) as _, end - start, prot) };
        assert_eq!(r, 0, "mprotect of code memory failed: {}", io::Error::last_os_error());
    }

    /// Writes code: the pages are writable (and not executable) only
    /// during the copy.
    pub fn write(&mut self, offset: usize, bytes: &[u8]) {
        self.write_and_patch(offset, bytes, &[]);
    }

    /// Writes 4-byte branch fields, each page range made writable once
    /// for all the fields in it (consecutive pages together). Returns how
    /// many such write rounds it took.
    pub fn patch(&mut self, fields: &[(usize, [u8; 4])]) -> usize {
        self.write_and_patch(0, &[], fields)
    }

    /// Writes `bytes` at `offset` and the 4-byte branch `fields`, in one
    /// write round per run of consecutive pages that the code and the
    /// fields touch (a new block and the older exits chained to it are
    /// usually on neighbouring pages: one round). Returns the rounds.
    pub fn write_and_patch(&mut self, offset: usize, bytes: &[u8], fields: &[(usize, [u8; 4])]) -> usize {
        assert!(offset + bytes.len() <= self.size, "write past the end of code memory");
        // (offset, bytes) pieces in address order (the code never overlaps
        // a field: fields lie in older blocks).
        let mut pieces: Vec<(usize, &[u8])> = fields.iter().map(|(o, b)| (*o, &b[..])).collect();
        if !bytes.is_empty() {
            pieces.push((offset, bytes));
        }
        pieces.sort_unstable_by_key(|p| p.0);
        let mut rounds = 0;
        let mut i = 0;
        while i < pieces.len() {
            // The run of pieces whose pages follow one another.
            let mut end = pieces[i].0 + pieces[i].1.len();
            let mut j = i + 1;
            while j < pieces.len() && pieces[j].0 / PAGE <= (end - 1) / PAGE + 1 {
                end = end.max(pieces[j].0 + pieces[j].1.len());
                j += 1;
            }
            let start = pieces[i].0;
            assert!(end <= self.size, "patch past the end of code memory");
            self.protect(start, end - start, libc::PROT_READ | libc::PROT_WRITE);
            for (off, b) in &pieces[i..j] {
                // SAFETY: in bounds (checked above), pages writable now.
                unsafe { std::ptr::copy_nonoverlapping(b.as_ptr(), self.base.add(*off), b.len()) };
            }
            self.protect(start, end - start, libc::PROT_READ | libc::PROT_EXEC);
            rounds += 1;
            i = j;
        }
        rounds
    }

    /// Reads code back (tests and dumps).
    pub fn read(&self, offset: usize, len: usize) -> &[u8] {
        assert!(offset + len <= self.size);
        // SAFETY: in bounds; pages are always readable.
        unsafe { std::slice::from_raw_parts(self.base.add(offset), len) }
    }
}

impl Drop for CodeMemory {
    fn drop(&mut self) {
        // SAFETY: our mapping.
        unsafe { libc::munmap(self.base as _, self.size) };
    }
}
