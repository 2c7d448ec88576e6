//! Code memory, never writable and executable at the same address: one
//! memfd mapped twice, a read-write view the translator writes through and a
//! read-execute view the host runs. Patching a chained branch writes the RW
//! view; the store is visible to instruction fetch through the RX view
//! (z/Architecture keeps instruction fetch coherent with stores, and the
//! patched field is one aligned 4-byte store).

use memmap2::{Mmap, MmapMut, MmapOptions};
use std::fs::File;
use std::io;
use std::os::fd::FromRawFd;

pub struct CodeMemory {
    rw: MmapMut,
    rx: Mmap,
}

impl CodeMemory {
    pub fn new(size: usize) -> io::Result<Self> {
        let name = c"zarm-code";
        // SAFETY: memfd_create with a valid NUL-terminated name.
        let fd = unsafe { libc::memfd_create(name.as_ptr(), libc::MFD_CLOEXEC) };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: fd is a fresh descriptor we own.
        let file = unsafe { File::from_raw_fd(fd) };
        file.set_len(size as u64)?;
        // SAFETY: the file is ours alone; both views stay alive together.
        let rw = unsafe { MmapOptions::new().len(size).map_mut(&file)? };
        let rx = unsafe { MmapOptions::new().len(size).map_exec(&file)? };
        Ok(CodeMemory { rw, rx })
    }

    pub fn size(&self) -> usize {
        self.rw.len()
    }

    /// Host address at which code at `offset` executes.
    pub fn exec_addr(&self, offset: usize) -> u64 {
        self.rx.as_ptr() as u64 + offset as u64
    }

    /// The offset of an executable address, if it lies in this memory.
    pub fn offset_of(&self, addr: u64) -> Option<usize> {
        let base = self.rx.as_ptr() as u64;
        (addr >= base && addr < base + self.rx.len() as u64).then(|| (addr - base) as usize)
    }

    pub fn write(&mut self, offset: usize, bytes: &[u8]) {
        self.rw[offset..offset + bytes.len()].copy_from_slice(bytes);
    }

    /// Reads back through the executable view (tests and dumps).
    pub fn read(&self, offset: usize, len: usize) -> &[u8] {
        &self.rx[offset..offset + len]
    }
}
