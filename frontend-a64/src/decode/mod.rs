//! The A64 decoder: instructions are data. Each table line is a name, a
//! 32-character bit pattern written as in the Arm ARM's encoding diagrams
//! (`0`/`1` fixed bits; any other character names a field bit or marks a
//! bit the pattern does not constrain; spaces are ignored), and the lift
//! function for the instruction.
//!
//! Lines are tried in table order within a bucket chosen by bits 28:25 (the
//! ARM ARM's top-level `op0`), so a more specific pattern must come before a
//! more general one that overlaps it; `tests::no_shadowed_patterns` checks
//! that no line can never match and lists every overlap.

mod table_base;
mod table_fpsimd;

use crate::lift::LiftFn;
use std::sync::OnceLock;

pub struct Entry {
    pub name: &'static str,
    pub pattern: &'static str,
    pub mask: u32,
    pub value: u32,
    pub lift: LiftFn,
}

/// A table line before its pattern is compiled.
pub type Line = (&'static str, &'static str, LiftFn);

/// Compiles a pattern string into (mask, value). Panics on a malformed
/// pattern: tables are static data checked by the tests.
pub const fn compile_pattern(p: &str) -> (u32, u32) {
    let bytes = p.as_bytes();
    let mut mask = 0u32;
    let mut value = 0u32;
    let mut n = 0;
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        i += 1;
        if c == b' ' || c == b'_' {
            continue;
        }
        let bit = 31 - n;
        match c {
            b'0' => mask |= 1 << bit,
            b'1' => {
                mask |= 1 << bit;
                value |= 1 << bit;
            }
            _ => {}
        }
        n += 1;
    }
    assert!(n == 32, "pattern is not 32 bits");
    (mask, value)
}

struct Decoder {
    buckets: Vec<Vec<&'static Entry>>,
    entries: Vec<&'static Entry>,
}

fn decoder() -> &'static Decoder {
    static D: OnceLock<Decoder> = OnceLock::new();
    D.get_or_init(|| {
        let entries: Vec<&'static Entry> = table_base::LINES
            .iter()
            .chain(table_fpsimd::LINES.iter())
            .map(|&(name, pattern, lift)| {
                let (mask, value) = compile_pattern(pattern);
                &*Box::leak(Box::new(Entry { name, pattern, mask, value, lift }))
            })
            .collect();
        let mut buckets = vec![Vec::new(); 16];
        for (op0, bucket) in buckets.iter_mut().enumerate() {
            let word = (op0 as u32) << 25;
            for e in &entries {
                // The entry can match words with this op0 if its fixed bits
                // in 28:25 agree.
                let m = e.mask & (0xf << 25);
                if word & m == e.value & m {
                    bucket.push(*e);
                }
            }
        }
        Decoder { buckets, entries }
    })
}

/// The table entry for an instruction word, if any.
pub fn lookup(word: u32) -> Option<&'static Entry> {
    let d = decoder();
    d.buckets[(word >> 25 & 0xf) as usize].iter().copied().find(|e| word & e.mask == e.value)
}

/// Every table entry, in table order (tests, statistics).
pub fn entries() -> &'static [&'static Entry] {
    &decoder().entries
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_are_32_bits_and_names_unique() {
        let mut names = std::collections::HashSet::new();
        for e in entries() {
            assert!(names.insert(e.name), "duplicate table name {}", e.name);
            assert_eq!(e.value & !e.mask, 0, "{}", e.name);
        }
    }

    /// A line is shadowed if an earlier line matches every word it matches.
    #[test]
    fn no_shadowed_patterns() {
        let all = entries();
        for (j, b) in all.iter().enumerate() {
            for a in &all[..j] {
                // a covers b iff a's fixed bits are a subset of b's and agree.
                if a.mask & b.mask == a.mask && b.value & a.mask == a.value {
                    panic!("{} ({}) can never match: {} ({}) comes first and covers it", b.name, b.pattern, a.name, a.pattern);
                }
            }
        }
    }
}
