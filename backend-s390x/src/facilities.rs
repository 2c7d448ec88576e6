//! Host facility detection. z/Architecture reports its installed facilities
//! as a bit list stored by STORE FACILITY LIST EXTENDED (STFLE), bit 0 being
//! the leftmost bit of the first doubleword. STFLE is a problem-state
//! instruction, so user space can read it directly; this is preferred over
//! `getauxval(AT_HWCAP)`, which (under QEMU at least) omits
//! vector-enhancements 2.

use std::fmt;

/// A facility the backend may use, with its STFLE bit number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Facility {
    /// Long-displacement facility (bit 18): 20-bit signed displacements.
    LongDisplacement,
    /// Extended-immediate (bit 21): 32-bit immediates, FLOGR, LGBR/LGHR…
    ExtendedImmediate,
    /// General-instructions-extension (bit 34, z10): RISBG, compare-and-branch.
    GeneralInstructionsExtension,
    /// The z196 bundle (bit 45): distinct-operands (xGRK), high-word,
    /// interlocked-access 1 (LAA/LAN/LAO/LAX), load/store-on-condition 1
    /// (LOCGR), population-count (POPCNT).
    DistinctOperands,
    /// Miscellaneous-instruction-extensions 2 (bit 58, z14): MGRK, MSGRKC.
    MiscInstructionExtensions2,
    /// Miscellaneous-instruction-extensions 3 (bit 61, z15): SELGR, NCGRK,
    /// OCGRK, NNGRK, NXGRK, POPCNT with M3=8.
    MiscInstructionExtensions3,
    /// Message-security assist (bit 17): CPACF (KM, KIMD …).
    MessageSecurityAssist,
    /// Vector facility (bit 129, z13).
    Vector,
    /// Vector-enhancements 1 (bit 135, z14): single-precision vector FP.
    VectorEnhancements1,
    /// Vector-enhancements 2 (bit 148, z15): VLBR/VSTBR/VLER/VSTER.
    VectorEnhancements2,
}

impl Facility {
    pub const ALL: [Facility; 10] = [
        Facility::LongDisplacement,
        Facility::ExtendedImmediate,
        Facility::GeneralInstructionsExtension,
        Facility::DistinctOperands,
        Facility::MiscInstructionExtensions2,
        Facility::MiscInstructionExtensions3,
        Facility::MessageSecurityAssist,
        Facility::Vector,
        Facility::VectorEnhancements1,
        Facility::VectorEnhancements2,
    ];

    /// The STFLE bit number (Principles of Operation, "Facility indications").
    pub fn stfle_bit(self) -> u32 {
        match self {
            Facility::LongDisplacement => 18,
            Facility::ExtendedImmediate => 21,
            Facility::GeneralInstructionsExtension => 34,
            Facility::DistinctOperands => 45,
            Facility::MiscInstructionExtensions2 => 58,
            Facility::MiscInstructionExtensions3 => 61,
            Facility::MessageSecurityAssist => 17,
            Facility::Vector => 129,
            Facility::VectorEnhancements1 => 135,
            Facility::VectorEnhancements2 => 148,
        }
    }

    /// The name used on the command line (`--assist=vx,mie3`) and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Facility::LongDisplacement => "ldisp",
            Facility::ExtendedImmediate => "eimm",
            Facility::GeneralInstructionsExtension => "genext",
            Facility::DistinctOperands => "z196",
            Facility::MiscInstructionExtensions2 => "mie2",
            Facility::MiscInstructionExtensions3 => "mie3",
            Facility::MessageSecurityAssist => "msa",
            Facility::Vector => "vx",
            Facility::VectorEnhancements1 => "vxe",
            Facility::VectorEnhancements2 => "vxe2",
        }
    }

    pub fn from_name(name: &str) -> Option<Facility> {
        Facility::ALL.into_iter().find(|f| f.name() == name)
    }
}

/// The facility bits of one host (or of a machine level), 256 bits.
#[derive(Clone, Copy, PartialEq, Eq, Default)]
pub struct HostFacilities {
    words: [u64; 4],
}

impl HostFacilities {
    pub fn from_stfle_words(words: [u64; 4]) -> Self {
        HostFacilities { words }
    }

    pub fn has_bit(&self, bit: u32) -> bool {
        bit < 256 && self.words[(bit / 64) as usize] >> (63 - bit % 64) & 1 == 1
    }

    pub fn has(&self, f: Facility) -> bool {
        self.has_bit(f.stfle_bit())
    }

    pub fn with(mut self, f: Facility) -> Self {
        let bit = f.stfle_bit();
        self.words[(bit / 64) as usize] |= 1 << (63 - bit % 64);
        self
    }

    pub fn without(mut self, f: Facility) -> Self {
        let bit = f.stfle_bit();
        self.words[(bit / 64) as usize] &= !(1 << (63 - bit % 64));
        self
    }

    /// The facilities of a machine generation, as far as this backend cares.
    /// `z196` is the base the fallback code targets.
    pub fn machine_level(name: &str) -> Option<Self> {
        use Facility::*;
        let base = [LongDisplacement, ExtendedImmediate, GeneralInstructionsExtension, DistinctOperands, MessageSecurityAssist];
        let extra: &[Facility] = match name {
            "z196" | "zEC12" => &[],
            "z13" => &[Vector],
            "z14" => &[Vector, VectorEnhancements1, MiscInstructionExtensions2],
            "z15" | "z16" | "z17" => {
                &[Vector, VectorEnhancements1, MiscInstructionExtensions2, MiscInstructionExtensions3, VectorEnhancements2]
            }
            _ => return None,
        };
        Some(base.iter().chain(extra).fold(HostFacilities::default(), |h, f| h.with(*f)))
    }

    /// Reads the facility list of the machine this process runs on. On hosts
    /// that are not s390x there is none: every facility reads as absent.
    pub fn detect() -> Self {
        #[cfg(target_arch = "s390x")]
        {
            let mut words = [0u64; 4];
            // r0 holds the number of doublewords minus one on input and the
            // number the machine has minus one on output.
            let mut r0: u64 = words.len() as u64 - 1;
            // SAFETY: STFLE stores at most r0+1 doublewords at the address,
            // which is `words`; it changes only r0 and the condition code.
            unsafe {
                core::arch::asm!(
                    "stfle 0({buf})",
                    buf = in(reg_addr) words.as_mut_ptr(),
                    inout("r0") r0,
                    options(nostack)
                );
            }
            let _ = r0;
            HostFacilities { words }
        }
        #[cfg(not(target_arch = "s390x"))]
        {
            HostFacilities::default()
        }
    }
}

/// The facilities `--assist` allows: `auto` (everything detected), `none`
/// (the z196 base the fallback code targets), or a comma-separated list of
/// facility names and machine levels (`z13`, `z14`, `z15`, `vx`, `mie3`…),
/// always on top of the base. A requested facility the host lacks is an
/// error, never executed.
pub fn parse_assist(spec: &str, host: HostFacilities) -> Result<HostFacilities, String> {
    let base = HostFacilities::machine_level("z196").unwrap();
    let missing_base: Vec<&str> = Facility::ALL.iter().filter(|f| base.has(**f) && !host.has(**f)).map(|f| f.name()).collect();
    if !missing_base.is_empty() && !cfg!(test) && host != HostFacilities::default() {
        return Err(format!("the host lacks base facilities zarm's code needs: {}", missing_base.join(", ")));
    }
    match spec {
        "auto" => return Ok(host),
        "none" => return Ok(base),
        _ => {}
    }
    let mut allowed = base;
    for item in spec.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let wanted = if let Some(level) = HostFacilities::machine_level(item) {
            level
        } else if let Some(f) = Facility::from_name(item) {
            HostFacilities::default().with(f)
        } else {
            let names: Vec<&str> = Facility::ALL.iter().map(|f| f.name()).collect();
            return Err(format!("--assist: unknown facility or machine level '{item}' (facilities: {}; levels: z196, z13, z14, z15)", names.join(", ")));
        };
        for f in Facility::ALL {
            if wanted.has(f) {
                if !host.has(f) {
                    return Err(format!("--assist: the host lacks the {} facility (STFLE bit {}) requested by '{item}'", f.name(), f.stfle_bit()));
                }
                allowed = allowed.with(f);
            }
        }
    }
    Ok(allowed)
}

impl fmt::Debug for HostFacilities {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = Facility::ALL.iter().filter(|x| self.has(**x)).map(|x| x.name()).collect();
        write!(f, "HostFacilities[{}]", names.join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_count_from_the_left() {
        // Bit 0 is the most significant bit of the first doubleword.
        let h = HostFacilities::from_stfle_words([1 << 63, 0, 1 << (63 - (129 - 128)), 0]);
        assert!(h.has_bit(0));
        assert!(h.has(Facility::Vector));
        assert!(!h.has(Facility::VectorEnhancements2));
    }

    #[test]
    fn machine_levels_nest() {
        let z14 = HostFacilities::machine_level("z14").unwrap();
        let z15 = HostFacilities::machine_level("z15").unwrap();
        for f in Facility::ALL {
            assert!(!z14.has(f) || z15.has(f), "{f:?} in z14 but not z15");
        }
        assert!(!z14.has(Facility::MiscInstructionExtensions3));
        assert!(z15.has(Facility::VectorEnhancements2));
        assert!(HostFacilities::machine_level("z99").is_none());
    }

    #[test]
    fn assist_specs() {
        let z15 = HostFacilities::machine_level("z15").unwrap();
        let z14 = HostFacilities::machine_level("z14").unwrap();
        assert_eq!(parse_assist("auto", z15).unwrap(), z15);
        assert_eq!(parse_assist("none", z15).unwrap(), HostFacilities::machine_level("z196").unwrap());
        assert_eq!(parse_assist("z14", z15).unwrap(), z14);
        assert!(parse_assist("mie3", z15).unwrap().has(Facility::MiscInstructionExtensions3));
        assert!(parse_assist("mie3", z14).unwrap_err().contains("lacks the mie3"));
        assert!(parse_assist("bogus", z15).is_err());
    }

    #[test]
    fn with_and_without_round_trip() {
        for f in Facility::ALL {
            let h = HostFacilities::default().with(f);
            assert!(h.has(f));
            assert!(!h.without(f).has(f));
            assert_eq!(Facility::from_name(f.name()), Some(f));
        }
    }
}
