//! The assist routing table: for every IR operation that has a
//! hardware-assisted lowering, the native instruction(s), the facility it
//! needs (name and STFLE bit through [`Facility`]), and the fallback used
//! when the facility is absent or switched off. The emitter asks
//! [`Router::native`] before choosing a lowering, and counts what it chose
//! under the same [`Route`] key, so "what happens to CSEL on a z14?" is
//! answered by one row below.
//!
//! The base the fallback code targets is the z196 (distinct-operands,
//! load/store-on-condition 1, interlocked-access 1, population-count,
//! high-word: STFLE bit 45; plus extended-immediate and
//! general-instructions-extension): nothing newer is emitted outside a
//! route whose facility is present and allowed.

use crate::facilities::{Facility, HostFacilities};

/// One row of the routing table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Route {
    /// CSEL/CSINC/CSINV/CSNEG (IR `Select`).
    Select,
    /// BIC/ORN/EON and their flag-setting forms (IR `AndNot`/`OrNot`/`XorNot`).
    AndNotFamily,
    /// SMULH (IR `SMulH`).
    SMulHigh,
    /// UMULH (IR `UMulH`).
    UMulHigh,
    /// CLZ (IR `Clz`).
    CountLeadingZeros,
    /// The CNT+ADDV popcount idiom on one doubleword (IR `Popcnt`).
    Popcount,
    /// Every guest load/store wider than a byte (IR `Load`/`Store`).
    LittleEndianAccess,
    /// LDCLR/LDSET/LDEOR of 4 or 8 bytes (IR `AtomicRmw` Clr/Set/Eor).
    AtomicBitwise,
    /// LDADD, SWP, LDSMAX/LDSMIN/LDUMAX/LDUMIN of 4 or 8 bytes (IR
    /// `AtomicRmw` Add/Swp/Smax/Smin/Umax/Umin).
    AtomicArithmetic,
    /// CAS of 4 or 8 bytes, CASP (IR `Cas`, `Cas128`).
    CompareAndSwap,
    /// Every LSE atomic and CAS of 1 or 2 bytes (IR `AtomicRmw`, `Cas`).
    AtomicSubword,
    /// DC ZVA (IR `ZeroBlock`).
    ZeroBlock,
    /// LDXR/LDAXR, STXR/STLXR, LDXP/LDAXP, STXP/STLXP, CLREX (IR
    /// `LoadExclusive`, `StoreExclusive`, `LoadExclusive128`,
    /// `StoreExclusive128`, `ClearExclusive`).
    Exclusives,
    /// DMB/DSB full barriers (IR `Fence Full`).
    FullBarrier,
    /// Scalar FP arithmetic, compares and conversions on the BFP unit,
    /// guarded (IR `FpBin`/`FpUn`/`FpMulAdd`/`FpCmp`/`FpConvert`/`FpToInt`/
    /// `IntToFp` of single and double precision).
    FloatScalar,
    /// AdvSIMD FADD/FSUB/FMUL/FDIV/FMLA/FMLS on 2D (IR `VBin`/`VTern`).
    VectorFloatDouble,
    /// The same on 4S.
    VectorFloatSingle,
    /// SCVTF/UCVTF on 4S (IR `VUn IntToFcvt`).
    VectorConvertSingle,
    /// 16-byte vector loads and stores (IR `Load128`/`Store128`).
    LittleEndianVector,
    /// AdvSIMD integer and bitwise lane operations (IR `VBin`/`VUn`/
    /// `VShift`/`VTern`/`VExtend`/`VNarrow` of the kinds listed in the row).
    VectorInteger,
    /// PMULL/PMULL2 (IR `VPmull`): carry-less multiplication.
    PolyMultiply,
    /// Moves between vector lanes and general registers (UMOV/FMOV/INS/DUP
    /// and the halves of 128-bit values: IR `VExtractLane`, `VInsertLane`,
    /// `VDup`, `VDupLane`, `VFromHalves`).
    VectorLanes,
    /// CRC32B/H/W/X and CRC32CB/H/W/X (IR `Crc32`).
    Crc32,
    /// AESE/AESD (IR `VAes` Encrypt/Decrypt).
    AesRound,
    /// AESMC/AESIMC (IR `VAes` MixColumns/InvMixColumns).
    AesMixColumns,
    /// Operations without a native lowering yet: FP, AdvSIMD, exclusives,
    /// other atomics. They call the interpreter's semantics.
    Helper,
}

/// A row: what the guest instruction is, what runs natively, which
/// facility that needs, and what runs otherwise.
pub struct RouteInfo {
    pub route: Route,
    pub guest: &'static str,
    pub native: &'static str,
    /// `None`: the native lowering needs only the z196 base.
    pub facility: Option<Facility>,
    pub fallback: &'static str,
}

pub const ROUTES: &[RouteInfo] = &[
    RouteInfo {
        route: Route::Select,
        guest: "CSEL, CSINC, CSINV, CSNEG",
        native: "SELGR",
        facility: Some(Facility::MiscInstructionExtensions3),
        fallback: "LOCGR (load/store-on-condition 1, z196 base)",
    },
    RouteInfo {
        route: Route::AndNotFamily,
        guest: "BIC, ORN, EON (and BICS)",
        native: "NCGRK, OCGRK, NXGRK",
        facility: Some(Facility::MiscInstructionExtensions3),
        fallback: "LGHI -1 + XGRK to invert, then NGRK/OGRK/XGRK",
    },
    RouteInfo {
        route: Route::SMulHigh,
        guest: "SMULH",
        native: "MGRK",
        facility: Some(Facility::MiscInstructionExtensions2),
        fallback: "MLGR (unsigned 64x64→128) and two sign corrections",
    },
    RouteInfo {
        route: Route::UMulHigh,
        guest: "UMULH",
        native: "MLGR",
        facility: None,
        fallback: "— (base)",
    },
    RouteInfo {
        route: Route::CountLeadingZeros,
        guest: "CLZ",
        native: "FLOGR",
        facility: None,
        fallback: "— (extended-immediate is in the base)",
    },
    RouteInfo {
        route: Route::Popcount,
        guest: "FMOV Dn, Xm; CNT Vn.8B; ADDV Bn, Vn.8B (the popcount idiom compilers emit; one IR Popcnt)",
        native: "POPCNT with M3 = 8 (all 64 bits)",
        facility: Some(Facility::MiscInstructionExtensions3),
        fallback: "POPCNT of each byte (population-count, z196 base), the bytes summed by MSGR with 0x0101010101010101 and SRLG 56",
    },
    RouteInfo {
        route: Route::LittleEndianAccess,
        guest: "LDR/STR and friends (H, W, X)",
        native: "LRVH/LRV/LRVG, STRVH/STRV/STRVG",
        facility: None,
        fallback: "— (base)",
    },
    RouteInfo {
        route: Route::AtomicBitwise,
        guest: "LDCLR, LDSET, LDEOR (W, X)",
        native: "LAN/LANG, LAO/LAOG, LAX/LAXG on the byte-reversed operand",
        facility: None,
        fallback: "— (interlocked-access 1 is in the base)",
    },
    RouteInfo {
        route: Route::FullBarrier,
        guest: "DMB ISH, DSB",
        native: "BCR 14,0",
        facility: None,
        fallback: "— (base)",
    },
    RouteInfo {
        route: Route::FloatScalar,
        guest: "FADD, FSUB, FMUL, FNMUL, FDIV, FABD, FMAX/FMIN/FMAXNM/FMINNM, FSQRT, FRINTN/P/M/Z/A/X/I, FMADD/FMSUB/FNMADD/FNMSUB, FCMP(E), FCVT (S<->D), FCVT[NAPMZ][SU], SCVTF/UCVTF (S, D); FABS/FNEG (all sizes)",
        native: "AEBR/ADBR, SEBR/SDBR, MEEBR/MDBR, DEBR/DDBR, CEBR/CDBR + two LOCGR for maxima and minima (the AND or OR of equal operands' bits: +0 over -0), SQEBR/SQDBR, FIEBRA/FIDBRA (M4 XxC unless FRINTX), MAEBR/MADBR, CEBR/KEBR/CDBR/KDBR, LDEBR/LEDBR, C[L][GF][ED]BR, C[ED][L][GF]BR; flags from the FPC; sign ops in general registers",
        facility: None,
        fallback: "— (BFP is in the base); guarded: non-default FPCR, NaNs, results at 2^Emin and invalid conversions take the helper",
    },
    RouteInfo {
        route: Route::VectorInteger,
        guest: "ADD, SUB, MUL (8-32 bit lanes), AND, ORR, EOR, BIC, ORN, CMEQ/CMGT/CMGE/CMHI/CMHS/CMTST (also against #0), UMAX/UMIN/SMAX/SMIN, ADDP/UMAXP/UMINP/SMAXP/SMINP (vector), ZIP1/ZIP2/UZP1/UZP2/TRN1/TRN2, SHL/USHR/SSHR/USRA/SSRA #imm, BSL/BIT/BIF, MLA/MLS, NOT, NEG, ABS, CNT, CLZ, UXTL/SXTL(2), XTN(2), ADDV, UADDLV/SADDLV, UMAXV/UMINV/SMAXV/SMINV, FNEG/FABS (vector: sign bits)",
        native: "VA, VS, VML, VN, VO, VX, VNC, VNO, VCEQ, VCH, VCHL, VMX(L), VMN(L), VESL/VESRL/VESRA, VSEL, VLC, VLP, VPOPCT, VCLZ, VUPH/VUPL(L/H), VPK+VPDI; sums across lanes by VSUM+VSUMQ, maxima/minima across lanes by VMX/VMN steps on the register rotated by VSLDB; permutes and pairwise operations by VPERM with a constant control vector (VLVGP), pairwise then one element-wise instruction on the even and odd lanes (z13 vector facility)",
        facility: Some(Facility::Vector),
        fallback: "in general registers, one doubleword per half with lane masks (SIMD within a register): AND/ORR/EOR/BIC/ORN/NOT, FNEG/FABS, ADD/SUB/NEG, CMEQ (also #0)/CMTST, CMHI/CMHS/CMGT/CMGE and UMAX/UMIN/SMAX/SMIN (by the lane-wise borrow of a − b), SHL/USHR/SSHR/USRA/SSRA #imm, UXTL/SXTL(2), XTN(2), UZP1/UZP2 (lanes packed by masks and shifts), ADDP/UMAXP/UMINP/SMAXP/SMINP (the operation on UZP1 and UZP2 of the operands; maxima and minima by a lane-wise borrow), BSL/BIT/BIF (x ^ ((y ^ x) & mask)), MUL/MLA/MLS of 8-, 16- and 32-bit lanes (lane by lane: SRLG, MSR, AR/SR, RISBG into the lane's field); a call of the reference semantics for the rest",
    },
    RouteInfo {
        route: Route::AtomicArithmetic,
        guest: "LDADD, SWP, LDSMAX, LDSMIN, LDUMAX, LDUMIN (and their acquire/release forms) of 4 or 8 bytes",
        native: "a CS/CSG loop on the value byte-reversed by LRVR/LRVGR (byte order matters for addition and comparison, so no LAA/LAAG); maximum and minimum by CR/CLR/CGR/CLGR + LOCR/LOCGR",
        facility: None,
        fallback: "— (base)",
    },
    RouteInfo {
        route: Route::CompareAndSwap,
        guest: "CAS, CASA, CASL, CASAL (W, X); CASP and its forms (W and X pairs)",
        native: "CS/CSG on the expected and new values byte-reversed by LRVR/LRVGR, no loop; CASP of doublewords by CDSG on two even/odd pairs loaded by LRVG (16-byte alignment, as the guest requires)",
        facility: None,
        fallback: "— (base)",
    },
    RouteInfo {
        route: Route::AtomicSubword,
        guest: "LDADD, LDCLR, LDEOR, LDSET, LDSMAX, LDSMIN, LDUMAX, LDUMIN, SWP, CAS of B and H (all ordering forms)",
        native: "a CS loop on the aligned word around the field: the word byte-reversed (LRVR), the field changed under a mask shifted by the byte offset (SLLK, NR/XR/OR/ARK), signed comparisons by flipping the field's sign bit, LRVR back; CAS leaves the loop when the field differs",
        facility: None,
        fallback: "— (base)",
    },
    RouteInfo {
        route: Route::ZeroBlock,
        guest: "DC ZVA (64-byte blocks, as DCZID_EL0 says)",
        native: "the block checked as one 64-byte write, then eight STG of a zero register",
        facility: None,
        fallback: "— (base)",
    },
    RouteInfo {
        route: Route::Exclusives,
        guest: "LDXR/LDAXR, STXR/STLXR (B, H, W, X), LDXP/LDAXP, STXP/STLXP (W, X), CLREX",
        native: "the load (two LRVG for a pair of doublewords), then the monitor (address, size, value read) kept in the CpuState; the store: status 1 unless the monitor matches, else a compare-and-swap of the value read with the new one — CS/CSG, the CS loop on the aligned word for B/H, CDSG for a pair of doublewords (status 0 when stored; a failing compare stores what it found back, so write permission is checked). As the interpreter: a change and change back between the two (ABA) is not seen",
        facility: None,
        fallback: "— (base)",
    },
    RouteInfo {
        route: Route::VectorFloatDouble,
        guest: "FADD, FSUB, FMUL, FDIV, FMLA, FMLS, FSQRT, FRINTN/P/M/Z/A/X/I, SCVTF, UCVTF, FCVTNS/NU/PS/PU/MS/MU/ZS/ZU/AS/AU, FCMEQ/FCMGE/FCMGT (also #0, FCMLE/FCMLT #0) (vector, .2D)",
        native: "VFA, VFS, VFM, VFD, VFMA (long format), VFSQ, VFI (M5 the guest's rounding, XxC set but the inexact flag not read unless FRINTX: qemu-s390x sets it regardless), VCDG/VCDLG, VCGD/VCLGD (M5 the guest's rounding; an invalid lane — NaN or out of range, where A64 saturates — takes the helper), VFCE/VFCH/VFCHE (compares: no NaN in either operand, else the helper), VFCH both ways + VSEL for FMAX/FMIN/FMAXNM/FMINNM (equal lanes: the AND or OR of both; no NaN operand, else the helper), FABD as VFS with the sign bits cleared, FACGE/FACGT as VFCHE/VFCH of the operands' magnitudes, FADDP/FMAXP/FMINP/FMAXNMP/FMINNMP as the element-wise operation on the even and odd lanes gathered by VPERM, guarded as the scalar route: default FPCR only, NaN results (VFTCI) and results of magnitude 2^Emin (VCEQ) take the helper; IEEE flags from the FPC (vector facility)",
        facility: Some(Facility::Vector),
        fallback: "lane by lane on the BFP unit (ADBR/SDBR/MDBR/DDBR/MADBR/SQDBR/FIDBRA/CDGBR/CDLGBR/CGDBR/CLGDBR, compares, maxima and minima by CDBR and LOCGR) behind the scalar guards, the helper when a lane fails them",
    },
    RouteInfo {
        route: Route::VectorFloatSingle,
        guest: "FADD, FSUB, FMUL, FDIV, FMLA, FMLS, FSQRT, FRINTN/P/M/Z/A/X/I, FCMEQ/FCMGE/FCMGT (also #0, FCMLE/FCMLT #0) (vector, .4S)",
        native: "VFA, VFS, VFM, VFD, VFMA, VFSQ, VFI, VFCE/VFCH/VFCHE (short format), guarded as for .2D (vector-enhancements 1)",
        facility: Some(Facility::VectorEnhancements1),
        fallback: "lane by lane on the BFP unit (AEBR/SEBR/MEEBR/DEBR/MAEBR/SQEBR/FIEBRA, compares, maxima and minima by CEBR and LOCGR) behind the scalar guards, the helper when a lane fails them",
    },
    RouteInfo {
        route: Route::VectorConvertSingle,
        guest: "SCVTF, UCVTF, FCVTNS/NU/PS/PU/MS/MU/ZS/ZU/AS/AU (vector, .4S)",
        native: "VCDG/VCDLG and VCGD/VCLGD with M3 = 2 (VCEFB/VCELFB, VCFEB/VCLFEB: between 32-bit integers and short BFP), guarded as for .2D (vector-enhancements 2)",
        facility: Some(Facility::VectorEnhancements2),
        fallback: "lane by lane on the BFP unit (CEFBR/CELFBR, CFEBR/CLFEBR) behind the scalar guards",
    },
    RouteInfo {
        route: Route::LittleEndianVector,
        guest: "16-byte loads and stores of Q registers (LDR/STR/LDUR/STUR Q, LDP/STP Q, LD1/ST1 of a 16-byte register: IR Load128/Store128)",
        native: "VLBR/VSTBR with M3 = 4: the quadword byte-reversed in one load or store (vector-enhancements 2)",
        facility: Some(Facility::VectorEnhancements2),
        fallback: "two LRVG/STRVG through the value's frame slot",
    },
    RouteInfo {
        route: Route::PolyMultiply,
        guest: "PMULL, PMULL2 (8B/16B -> 8H and 1D/2D -> 1Q)",
        native: "VGFMB of zero-extended bytes (VUPLL/VUPLH) and VGFMG with the other doubleword cleared (VPDI): one product per lane (z13 vector facility)",
        facility: Some(Facility::Vector),
        fallback: "call of the reference semantics",
    },
    RouteInfo {
        route: Route::VectorLanes,
        guest: "UMOV, FMOV (general), INS, DUP (element and general), 128-bit halves; MUL of 64-bit lanes (the IR's SMULL/UMULL after the widening)",
        native: "loads and stores of the lane in the value's frame slot; DUP by MSGR with 0x0101… patterns; MSG per doubleword",
        facility: None,
        fallback: "— (base)",
    },
    RouteInfo {
        route: Route::Crc32,
        guest: "CRC32B/H/W/X, CRC32CB/H/W/X",
        native: "a 256-entry table per polynomial, a byte at a time (XGRK, RISBG, SRLG, LLGF, XGR); z/Architecture has no CRC-32 instruction for these polynomials outside CPACF-less vector Galois-field folding, which pays off only on long buffers",
        facility: None,
        fallback: "— (base)",
    },
    RouteInfo {
        route: Route::AesRound,
        guest: "AESE, AESD",
        native: "AddRoundKey by XGR, (Inv)ShiftRows folded into the byte offsets, (Inv)SubBytes by table: LLGC, LLGC, STCY per byte (CPACF ciphers whole blocks, z has no single-round AES instruction)",
        facility: None,
        fallback: "— (base)",
    },
    RouteInfo {
        route: Route::AesMixColumns,
        guest: "AESMC, AESIMC",
        native: "column rotations by VPERM, xtime by VESRAB/VN/VESLB/VX, the inverse as MixColumns after a_r ^= xtime²(a_r ^ a_(r+2)) (z13 vector facility)",
        facility: Some(Facility::Vector),
        fallback: "the same steps in general registers, two columns per doubleword: rotations by RISBG, xtime by NGRK/SLLG/SRLG/MSGFI (base)",
    },
    RouteInfo {
        route: Route::Helper,
        guest: "AdvSIMD FP and saturating operations, FP16",
        native: "call of the reference semantics",
        facility: None,
        fallback: "—",
    },
];

pub fn info(route: Route) -> &'static RouteInfo {
    ROUTES.iter().find(|r| r.route == route).expect("every route has a row")
}

/// Which facilities the emitter may use: those the host has, restricted by
/// the user's `--assist` choice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Router {
    pub allowed: HostFacilities,
}

impl Router {
    pub fn new(allowed: HostFacilities) -> Self {
        Router { allowed }
    }

    /// True if `route`'s native lowering may be used.
    pub fn native(&self, route: Route) -> bool {
        match info(route).facility {
            None => true,
            Some(f) => self.allowed.has(f),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_has_exactly_one_row() {
        let all = [
            Route::Select,
            Route::AndNotFamily,
            Route::SMulHigh,
            Route::UMulHigh,
            Route::CountLeadingZeros,
            Route::Popcount,
            Route::LittleEndianAccess,
            Route::AtomicBitwise,
            Route::AtomicArithmetic,
            Route::CompareAndSwap,
            Route::AtomicSubword,
            Route::ZeroBlock,
            Route::Exclusives,
            Route::FullBarrier,
            Route::FloatScalar,
            Route::VectorInteger,
            Route::PolyMultiply,
            Route::VectorFloatDouble,
            Route::VectorFloatSingle,
            Route::VectorConvertSingle,
            Route::LittleEndianVector,
            Route::VectorLanes,
            Route::Crc32,
            Route::AesRound,
            Route::AesMixColumns,
            Route::Helper,
        ];
        for r in all {
            assert_eq!(ROUTES.iter().filter(|x| x.route == r).count(), 1, "{r:?}");
        }
        assert_eq!(ROUTES.len(), all.len());
    }

    #[test]
    fn base_machine_takes_fallbacks() {
        let z196 = Router::new(HostFacilities::machine_level("z196").unwrap());
        let z15 = Router::new(HostFacilities::machine_level("z15").unwrap());
        assert!(!z196.native(Route::Select));
        assert!(z15.native(Route::Select));
        assert!(!z196.native(Route::SMulHigh));
        assert!(z196.native(Route::CountLeadingZeros));
    }
}
