//! The emitter's code buffer: dynasmrt's architecture-neutral `VecAssembler`
//! (dynamic labels and relocations) with an s390x [`Relocation`]. Encoder
//! functions write into a pending `Vec<u8>` that is flushed into the
//! assembler before every label or branch, so the encoder stays a plain
//! byte writer.

use crate::encode;
use dynasmrt::relocations::{ImpossibleRelocation, Relocation, RelocationKind, RelocationSize};
use dynasmrt::{DynamicLabel, DynasmApi, DynasmLabelApi, VecAssembler};

/// s390x PC-relative fields count halfwords from the first byte of the
/// branch instruction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum S390xRelocation {
    /// RIL-b/c (BRCL, BRASL, LARL): signed 32-bit halfword offset at byte 2.
    Ril32,
    /// RI-b/c (BRC): signed 16-bit halfword offset at byte 2.
    Ri16,
}

impl S390xRelocation {
    /// (field_offset, ref_offset) counted back from the end of the instruction.
    fn offsets(self) -> (u8, u8) {
        match self {
            S390xRelocation::Ril32 => (4, 6),
            S390xRelocation::Ri16 => (2, 4),
        }
    }
}

impl Relocation for S390xRelocation {
    fn from_encoding(encoding: u8) -> Self {
        if encoding == 1 {
            S390xRelocation::Ri16
        } else {
            S390xRelocation::Ril32
        }
    }
    fn from_size(_kind: RelocationKind, size: RelocationSize) -> Self {
        match size {
            RelocationSize::Word => S390xRelocation::Ri16,
            _ => S390xRelocation::Ril32,
        }
    }
    fn size(&self) -> usize {
        match self {
            S390xRelocation::Ril32 => 4,
            S390xRelocation::Ri16 => 2,
        }
    }
    fn write_value(&self, buf: &mut [u8], value: isize) -> Result<(), ImpossibleRelocation> {
        if value % 2 != 0 {
            return Err(ImpossibleRelocation {});
        }
        let hw = value / 2;
        match self {
            S390xRelocation::Ril32 => {
                let v = i32::try_from(hw).map_err(|_| ImpossibleRelocation {})?;
                buf.copy_from_slice(&v.to_be_bytes());
            }
            S390xRelocation::Ri16 => {
                let v = i16::try_from(hw).map_err(|_| ImpossibleRelocation {})?;
                buf.copy_from_slice(&v.to_be_bytes());
            }
        }
        Ok(())
    }
    fn read_value(&self, buf: &[u8]) -> isize {
        match self {
            S390xRelocation::Ril32 => i32::from_be_bytes(buf.try_into().unwrap()) as isize * 2,
            S390xRelocation::Ri16 => i16::from_be_bytes(buf.try_into().unwrap()) as isize * 2,
        }
    }
    fn kind(&self) -> RelocationKind {
        RelocationKind::Relative
    }
    fn page_size() -> usize {
        4096
    }
}

pub type Label = DynamicLabel;

pub struct CodeBuf {
    asm: VecAssembler<S390xRelocation>,
    /// Bytes written by encoder functions, not yet in `asm`.
    pub bytes: Vec<u8>,
}

impl CodeBuf {
    /// A buffer sized for about `bytes` bytes of code, so that a block's
    /// emission does not keep growing it.
    pub fn with_capacity(bytes: usize) -> Self {
        CodeBuf { asm: VecAssembler::new_with_capacity(0, bytes, 0, 0, 16, 0, 32), bytes: Vec::with_capacity(64) }
    }

    fn flush(&mut self) {
        if !self.bytes.is_empty() {
            // From a slice: one copy, not a byte at a time.
            self.asm.extend(self.bytes.iter());
            self.bytes.clear();
        }
    }

    pub fn new_label(&mut self) -> Label {
        self.asm.new_dynamic_label()
    }

    pub fn bind(&mut self, l: Label) {
        self.flush();
        self.asm.dynamic_label(l);
    }

    pub fn offset(&self) -> u32 {
        (self.asm.offset().0 + self.bytes.len()) as u32
    }

    /// BRCL mask, label (mask 15 = always).
    pub fn branch(&mut self, mask: u8, l: Label) {
        encode::brcl(&mut self.bytes, mask, 0);
        self.flush();
        let (field, reference) = S390xRelocation::Ril32.offsets();
        self.asm.dynamic_relocation(l, 0, field, reference, S390xRelocation::Ril32);
    }

    /// BRASL r14, label: a call.
    pub fn call(&mut self, l: Label) {
        encode::brasl(&mut self.bytes, 14, 0);
        self.flush();
        let (field, reference) = S390xRelocation::Ril32.offsets();
        self.asm.dynamic_relocation(l, 0, field, reference, S390xRelocation::Ril32);
    }

    /// Resolves every branch; fails if a label was never bound.
    pub fn finish(mut self) -> Result<Vec<u8>, String> {
        self.take()
    }

    /// `finish` that keeps the buffer's label and relocation arrays for
    /// the next block (`reserve` sizes its code array again).
    pub fn take(&mut self) -> Result<Vec<u8>, String> {
        self.flush();
        self.asm.take().map_err(|e| e.to_string())
    }

    /// Makes room for about `bytes` bytes of code.
    pub fn reserve(&mut self, bytes: usize) {
        self.asm.reserve_ops(bytes);
    }
}
