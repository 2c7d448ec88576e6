//! Disassembly of generated s390x code for `--dump`, lock-step divergence
//! reports and test failures (capstone's SystemZ mode).

use capstone::arch::sysz::ArchMode;
use capstone::prelude::*;

/// One line per instruction: `address: bytes  mnemonic operands`. An
/// instruction capstone does not know is shown as its bytes (its length
/// follows from the first two opcode bits) and decoding goes on after it.
pub fn disassemble(code: &[u8], addr: u64) -> String {
    let cs = match Capstone::new().sysz().mode(ArchMode::Default).build() {
        Ok(cs) => cs,
        Err(e) => return format!("(capstone unavailable: {e})\n"),
    };
    let mut out = String::new();
    let mut at = 0usize;
    while at < code.len() {
        let insns = match cs.disasm_all(&code[at..], addr + at as u64) {
            Ok(i) => i,
            Err(e) => return out + &format!("(disassembly failed: {e})\n"),
        };
        for i in insns.iter() {
            let bytes: Vec<String> = i.bytes().iter().map(|b| format!("{b:02x}")).collect();
            out += &format!("{:#010x}: {:<18} {} {}\n", i.address(), bytes.join(""), i.mnemonic().unwrap_or("?"), i.op_str().unwrap_or(""));
            at = (i.address() - addr) as usize + i.bytes().len();
        }
        if at < code.len() {
            // s390x instruction lengths: opcode bits 00 → 2, 01/10 → 4, 11 → 6.
            let len = [2, 4, 4, 6][(code[at] >> 6) as usize].min(code.len() - at);
            let bytes: Vec<String> = code[at..at + len].iter().map(|b| format!("{b:02x}")).collect();
            out += &format!("{:#010x}: {:<18} (not decoded by capstone)\n", addr + at as u64, bytes.join(""));
            at += len;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn decodes_what_the_encoder_writes() {
        let mut b = Vec::new();
        crate::encode::agrk(&mut b, 1, 2, 3);
        crate::encode::lrvg(&mut b, 4, crate::encode::Mem { base: 12, index: 5, disp: 0 });
        let text = super::disassemble(&b, 0x1000);
        assert!(text.contains("agrk"), "{text}");
        assert!(text.contains("lrvg"), "{text}");
        assert!(!text.contains("not decoded"), "{text}");
    }

    /// An instruction capstone does not know (here an invalid opcode) is
    /// shown as bytes, and what follows is still decoded.
    #[test]
    fn goes_on_after_an_unknown_instruction() {
        let mut b = vec![0xb9, 0xff, 0x00, 0x00];
        crate::encode::agrk(&mut b, 1, 2, 3);
        let text = super::disassemble(&b, 0);
        assert!(text.contains("b9ff0000") && text.contains("not decoded"), "{text}");
        assert!(text.contains("agrk"), "{text}");
    }
}
