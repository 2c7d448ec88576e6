//! What the CPU zarm presents to the guest: the AT_HWCAP/AT_HWCAP2 bits
//! (Linux arm64 uapi `<asm/hwcap.h>`) of exactly what is implemented, and
//! the ID register values an EL0 `MRS` reads (Linux traps those and
//! returns its sanitised view), kept consistent with the HWCAPs.

/// HWCAP_FP | HWCAP_ASIMD | HWCAP_AES | HWCAP_PMULL | HWCAP_SHA1 |
/// HWCAP_SHA2 | HWCAP_CRC32 | HWCAP_ATOMICS | HWCAP_CPUID | HWCAP_LRCPC |
/// HWCAP_SHA3 | HWCAP_SHA512.
pub const HWCAP: u64 =
    1 << 0 | 1 << 1 | 1 << 3 | 1 << 4 | 1 << 5 | 1 << 6 | 1 << 7 | 1 << 8 | 1 << 11 | 1 << 15 | 1 << 17 | 1 << 21;
pub const HWCAP2: u64 = 0;

/// DC ZVA block size.
pub const DCZ_BLOCK_BYTES: u64 = 64;
/// DCZID_EL0: BS = log2(block size in 4-byte words) = 4, DZP = 0.
pub const DCZID_EL0: u64 = 4;
/// CTR_EL0: 64-byte minimum I and D lines, PIPT instruction cache,
/// IDC = DIC = 0 (so guests clean and invalidate as the architecture asks).
pub const CTR_EL0: u64 = 0x8444_c004;
/// MIDR_EL1 of a generic Armv8.0 core (Arm Cortex-A53, r0p4): glibc then
/// takes its generic string and memory routines.
pub const MIDR_EL1: u64 = 0x410f_d034;

/// The ID register space Linux emulates for EL0 (op0=3, op1=0, CRn=0),
/// keyed by bits 19:5 of the MRS encoding. Unlisted registers in that
/// space read as zero, as the kernel returns them; other keys are not ID
/// registers (None → SIGILL).
pub fn id_register(key: u32) -> Option<u64> {
    let (op0, op1, crn, crm, op2) = (2 + (key >> 14 & 1), key >> 11 & 7, key >> 7 & 15, key >> 3 & 15, key & 7);
    if op0 != 3 || op1 != 0 || crn != 0 {
        return None;
    }
    Some(match (crm, op2) {
        (0, 0) => MIDR_EL1,
        (0, 5) => 0x8000_0000, // MPIDR_EL1: uniprocessor view, RES1 bit 31
        (0, 6) => 0,           // REVIDR_EL1
        // ID_AA64PFR0_EL1: EL0 and EL1 AArch64-only; FP and AdvSIMD
        // implemented (field value 0).
        (4, 0) => 0x11,
        // ID_AA64ISAR0_EL1: AES with PMULL (bits 7:4 = 2), SHA1 (11:8 =
        // 1), SHA256 and SHA512 (15:12 = 2), CRC32 (19:16 = 1), LSE
        // atomics (23:20 = 2), SHA3 (35:32 = 1).
        (6, 0) => 2 << 4 | 1 << 8 | 2 << 12 | 1 << 16 | 2 << 20 | 1 << 32,
        // ID_AA64ISAR1_EL1: LRCPC (bits 23:20 = 1): LDAPR.
        (6, 1) => 1 << 20,
        // ID_AA64MMFR0_EL1..: nothing EL0 needs.
        (1..=7, _) => 0,
        _ => return None,
    })
}
