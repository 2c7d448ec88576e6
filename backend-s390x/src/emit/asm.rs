//! A small code buffer with labels for the baseline emitter: forward and
//! backward branches are emitted as BRCL (32-bit halfword offsets) and
//! patched when the label is bound.

use crate::encode;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Label(u32);

#[derive(Default)]
pub struct CodeBuf {
    pub bytes: Vec<u8>,
    labels: Vec<Option<u32>>,
    fixups: Vec<(u32, Label)>,
}

impl CodeBuf {
    pub fn new() -> Self {
        CodeBuf { bytes: Vec::with_capacity(1024), ..Default::default() }
    }

    pub fn new_label(&mut self) -> Label {
        self.labels.push(None);
        Label(self.labels.len() as u32 - 1)
    }

    pub fn bind(&mut self, l: Label) {
        self.labels[l.0 as usize] = Some(self.bytes.len() as u32);
    }

    pub fn offset(&self) -> u32 {
        self.bytes.len() as u32
    }

    /// BRCL mask, label. Mask 15 = always.
    pub fn branch(&mut self, mask: u8, l: Label) {
        self.fixups.push((self.offset(), l));
        encode::brcl(&mut self.bytes, mask, 0);
    }

    /// Resolves every branch; fails if a label was never bound.
    pub fn finish(mut self) -> Result<Vec<u8>, String> {
        for (at, l) in std::mem::take(&mut self.fixups) {
            let target = self.labels[l.0 as usize].ok_or_else(|| format!("label {} never bound", l.0))?;
            let halfwords = (target as i64 - at as i64) / 2;
            self.bytes[at as usize + 2..at as usize + 6].copy_from_slice(&(halfwords as i32).to_be_bytes());
        }
        Ok(self.bytes)
    }
}
