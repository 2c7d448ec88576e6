//! Disassembly of generated s390x code for `--dump`, lock-step divergence
//! reports and test failures (capstone's SystemZ mode).

use capstone::arch::sysz::ArchMode;
use capstone::prelude::*;

/// One line per instruction: `address: bytes  mnemonic operands`.
pub fn disassemble(code: &[u8], addr: u64) -> String {
    let cs = match Capstone::new().sysz().mode(ArchMode::Default).build() {
        Ok(cs) => cs,
        Err(e) => return format!("(capstone unavailable: {e})\n"),
    };
    let insns = match cs.disasm_all(code, addr) {
        Ok(i) => i,
        Err(e) => return format!("(disassembly failed: {e})\n"),
    };
    let mut out = String::new();
    let mut end = addr;
    for i in insns.iter() {
        let bytes: Vec<String> = i.bytes().iter().map(|b| format!("{b:02x}")).collect();
        out += &format!(
            "{:#010x}: {:<18} {} {}\n",
            i.address(),
            bytes.join(""),
            i.mnemonic().unwrap_or("?"),
            i.op_str().unwrap_or("")
        );
        end = i.address() + i.bytes().len() as u64;
    }
    if end < addr + code.len() as u64 {
        out += &format!("{end:#010x}: ({} bytes capstone cannot decode)\n", addr + code.len() as u64 - end);
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
        assert!(!text.contains("cannot decode"), "{text}");
    }
}
