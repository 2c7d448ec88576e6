//! LSE atomics and CAS on the host's interlocked instructions (routes
//! [`Route::AtomicBitwise`], [`Route::AtomicArithmetic`],
//! [`Route::CompareAndSwap`], [`Route::AtomicSubword`]; all in the z196
//! base).
//!
//! The guest's memory holds little-endian values; a host register loaded
//! from it (L/LG) holds the guest's bytes in host (big-endian) order. Bitwise
//! operations commute with byte order, so LAN/LAO/LAX work on the
//! byte-reversed operand directly. Everything else is a compare-and-swap
//! loop (CS/CSG/CDSG: serialising, so acquire and release hold) that
//! byte-reverses the word it found (LRVR/LRVGR), computes, reverses back and
//! stores if the word is still the one it found. Bytes and halfwords use the
//! aligned word around them: the loop changes only their bits and retries
//! when any byte of the word changed meanwhile.
//!
//! Scratch registers: r0–r3, and SA, SB, SC once their operands are read.
//! Every access is checked first (`atomic_addr_check`: alignment fault,
//! then the window check, and the page checks with `--checked-pages`);
//! otherwise the host MMU refuses a read-only or unmapped page and the host
//! fault handler (runtime `jit.rs`) turns that into the guest fault. It
//! knows the instructions used here: LG/LY/L reach guest memory only as the
//! first load of a loop here, so their faults are writes (an atomic's fault
//! is a write, as the interpreter has it); the sub-word forms are the only
//! users of L (RX) and CS (RS) on guest memory, and keep the field mask M in SA
//! (r4) from before the load, so the guest address of the faulting access is
//! the word's address plus M's trailing zero bits / 8, its size M's bits / 8.

use super::*;

/// The exclusive monitor in the `CpuState`: address (`u64::MAX` when
/// clear), size, and the value the load-exclusive read (a host u128: its
/// low doubleword second on the big-endian host).
pub(super) const CPU_EXCL_ADDR: i32 = offset_of!(CpuState, excl_addr) as i32;
const CPU_EXCL_SIZE: i32 = offset_of!(CpuState, excl_size) as i32;
const CPU_EXCL_LO: i32 = (offset_of!(CpuState, excl_value) + if cfg!(target_endian = "big") { 8 } else { 0 }) as i32;
const CPU_EXCL_HI: i32 = (offset_of!(CpuState, excl_value) + if cfg!(target_endian = "big") { 0 } else { 8 }) as i32;

impl Emitter<'_> {
    /// The registers of a word-sized LSE operation: address (checked),
    /// operand, result.
    fn word_operands(&mut self, i: usize, route: Route, size: MemSize, addr: Value, v: Value) -> (u8, u8, u8) {
        self.route(route);
        let (ra, rv) = (self.get(addr, SA), self.get(v, SB));
        self.atomic_addr_check(ra, size.bytes());
        (ra, rv, self.def(i))
    }

    /// LDADD/SWP/LD{S,U}{MAX,MIN} of a word or doubleword.
    pub(super) fn atomic_cs_loop(&mut self, i: usize, rmw: RmwOp, size: MemSize, addr: Value, v: Value) {
        let (ra, rv, d) = self.word_operands(i, Route::AtomicArithmetic, size, addr, v);
        let w64 = size == MemSize::B8;
        let bb = self.b();
        encode::la(bb, 1, Mem { base: R_BASE, index: ra, disp: 0 });
        // r2: the word as stored (guest bytes in host order).
        if w64 {
            encode::lg(bb, 2, m(1, 0));
        } else {
            encode::ly(bb, 2, m(1, 0));
        }
        let retry = self.buf.new_label();
        self.buf.bind(retry);
        let bb = self.b();
        // Maximum and minimum: the old value, replaced by the operand when
        // the comparison (old against operand) says so — CC 1 (old low) for
        // a maximum, CC 2 (old high) for a minimum.
        let replace_if = replace_mask(rmw);
        let signed = matches!(rmw, RmwOp::Smax | RmwOp::Smin);
        type Rr = fn(&mut Vec<u8>, u8, u8);
        let rev: Rr = if w64 { encode::lrvgr } else { encode::lrvr };
        match rmw {
            RmwOp::Add => {
                rev(bb, 3, 2);
                (if w64 { encode::agr } else { encode::ar } as Rr)(bb, 3, rv);
                rev(bb, 3, 3);
            }
            RmwOp::Swp => rev(bb, 3, rv),
            _ => {
                rev(bb, 3, 2);
                let compare: Rr = match (signed, w64) {
                    (true, true) => encode::cgr,
                    (true, false) => encode::cr,
                    (false, true) => encode::clgr,
                    (false, false) => encode::clr,
                };
                compare(bb, 3, rv);
                if w64 {
                    encode::locgr(bb, 3, rv, replace_if);
                } else {
                    encode::locr(bb, 3, rv, replace_if);
                }
                rev(bb, 3, 3);
            }
        }
        // Stores r3 if the word still equals r2, else reloads r2
        // (condition code 1) and tries again.
        if w64 {
            encode::csg(bb, 2, 3, m(1, 0));
        } else {
            encode::csy(bb, 2, 3, m(1, 0));
        }
        self.buf.branch(4, retry);
        self.old_from_r2(i, d, w64);
    }

    /// LDCLR/LDSET/LDEOR of a word or doubleword: interlocked-access 1
    /// LAN/LAO/LAX on the byte-reversed operand (complemented for LDCLR).
    pub(super) fn atomic_interlocked(&mut self, i: usize, rmw: RmwOp, size: MemSize, addr: Value, v: Value) {
        let (ra, rv, d) = self.word_operands(i, Route::AtomicBitwise, size, addr, v);
        let w64 = size == MemSize::B8;
        let bb = self.b();
        if w64 {
            encode::lrvgr(bb, 3, rv);
        } else {
            encode::lrvr(bb, 3, rv);
        }
        if rmw == RmwOp::Clr {
            encode::lghi(bb, 0, -1);
            encode::xgrk(bb, 3, 3, 0);
        }
        encode::la(bb, 1, Mem { base: R_BASE, index: ra, disp: 0 });
        let f = match (rmw, w64) {
            (RmwOp::Clr, true) => encode::lang,
            (RmwOp::Set, true) => encode::laog,
            (_, true) => encode::laxg,
            (RmwOp::Clr, false) => encode::lan,
            (RmwOp::Set, false) => encode::lao,
            (_, false) => encode::lax,
        };
        f(bb, 2, 3, m(1, 0));
        self.old_from_r2(i, d, w64);
    }

    /// CAS of a word or doubleword: CS/CSG on the expected and new values
    /// byte-reversed. CS leaves the word it found in r2 (the expected value
    /// itself when it matched): the old value. A failing compare must still
    /// be a write for the MMU, as on Arm (whether an unequal CS checks store
    /// access is not something to lean on): the word found is stored back
    /// by CS of it onto itself, which changes nothing; if the word changed
    /// in between, the CAS starts again.
    pub(super) fn cas_word(&mut self, i: usize, size: MemSize, addr: Value, expected: Value, new: Value) {
        self.route(Route::CompareAndSwap);
        let (ra, re, rn) = (self.get(addr, SA), self.get(expected, SB), self.get(new, SC));
        let w64 = size == MemSize::B8;
        self.atomic_addr_check(ra, size.bytes());
        let d = self.def(i);
        let done = self.buf.new_label();
        self.cas_loop(w64, ra, re, rn, done);
        self.buf.bind(done);
        self.old_from_r2(i, d, w64);
    }

    /// The compare-and-swap of `cas_word` at guest address `ra` (checked),
    /// expected value `re` and new value `rn` in guest order: branches to
    /// `stored` when it stored; falls through when the word differed (after
    /// storing it back). Either way r2 holds the word found, in host order.
    fn cas_loop(&mut self, w64: bool, ra: u8, re: u8, rn: u8, stored: Label) {
        let retry = self.buf.new_label();
        type Cs = fn(&mut Vec<u8>, u8, u8, Mem);
        let (rev, cs): (fn(&mut Vec<u8>, u8, u8), Cs) =
            if w64 { (encode::lrvgr, encode::csg) } else { (encode::lrvr, encode::csy) };
        let bb = self.b();
        encode::la(bb, 1, Mem { base: R_BASE, index: ra, disp: 0 });
        rev(bb, 3, rn);
        self.buf.bind(retry);
        let bb = self.b();
        rev(bb, 2, re);
        cs(bb, 2, 3, m(1, 0));
        self.buf.branch(8, stored);
        cs(self.b(), 2, 2, m(1, 0));
        self.buf.branch(4, retry);
    }

    /// CASP of doublewords: CDSG on the even/odd pairs r2:r3 (expected)
    /// and r0:r1 (new). Guest bytes 0..8 are the low doubleword of a 128-bit
    /// value (at +8 in its slot), so the even register gets the low
    /// doubleword byte-reversed. A failing compare stores the pair found
    /// back, as `cas_word` does.
    pub(super) fn cas_pair(&mut self, i: usize, addr: Value, expected: Value, new: Value) {
        self.route(Route::CompareAndSwap);
        let ra = self.get(addr, SA);
        self.atomic_addr_check(ra, 16);
        let (oe, on) = (self.slot(expected), self.slot(new));
        self.loc[i] = Loc::Slot;
        let od = self.slot(Value(i as u32));
        let done = self.buf.new_label();
        self.cdsg_loop(ra, on, [m(15, oe + 8), m(15, oe)], done);
        self.buf.bind(done);
        let bb = self.b();
        encode::strvg(bb, 2, m(15, od + 8));
        encode::strvg(bb, 3, m(15, od));
    }

    /// The compare-and-swap of `cas_pair` at guest address `ra` (checked),
    /// the new value in the frame slot at `new` and the expected one's low
    /// and high doublewords (guest order) at `expected`: branches to
    /// `stored` when it stored; falls through when the pair differed
    /// (after storing it back). Either way r2:r3 hold the pair found.
    fn cdsg_loop(&mut self, ra: u8, new: i32, expected: [Mem; 2], stored: Label) {
        let retry = self.buf.new_label();
        let bb = self.b();
        encode::la(bb, SC, Mem { base: R_BASE, index: ra, disp: 0 });
        encode::lrvg(bb, 0, m(15, new + 8));
        encode::lrvg(bb, 1, m(15, new));
        self.buf.bind(retry);
        let bb = self.b();
        encode::lrvg(bb, 2, expected[0]);
        encode::lrvg(bb, 3, expected[1]);
        encode::cdsg(bb, 2, 0, m(SC, 0));
        self.buf.branch(8, stored);
        encode::cdsg(self.b(), 2, 2, m(SC, 0));
        self.buf.branch(4, retry);
    }

    /// The old value from the word CS or LA* left in r2, byte-reversed into
    /// `d` (zero-extended for a word).
    fn old_from_r2(&mut self, i: usize, d: u8, w64: bool) {
        let bb = self.b();
        if w64 {
            encode::lrvgr(bb, d, 2);
        } else {
            encode::lrvr(bb, 2, 2);
            encode::llgfr(bb, d, 2);
        }
        self.commit(i, d);
    }

    /// Sets up a byte or halfword access at `ra` inside its aligned word:
    /// r1 the word's host address, r3 the field's shift s in the word's
    /// little-endian value (8 × the byte offset; also kept in the result's
    /// slot for `subword_old`), SA the field mask M shifted by s, r2 the
    /// word as stored.
    fn subword_setup(&mut self, i: usize, ra: u8, size: MemSize) {
        let off = self.slot(Value(i as u32)) + 8;
        let mask = if size == MemSize::B1 { 0xff } else { 0xffff };
        let bb = self.b();
        encode::la(bb, 1, Mem { base: R_BASE, index: ra, disp: 0 });
        // s = (address & 3) * 8: rotate left 3, keep bits 59-60.
        encode::risbg(bb, 3, ra, 59, 0x80 | 60, 3);
        encode::nilf(bb, 1, 0xffff_fffc);
        encode::stg(bb, 3, m(15, off));
        encode::llilf(bb, 0, mask);
        encode::sllk(bb, SA, 0, m(3, 0));
        encode::l(bb, 2, m(1, 0));
    }

    /// The sub-word loop's store of r3 (r2 found): CS (not CSY) with M in
    /// SA, so that the host fault handler can tell a sub-word access and
    /// find the field.
    fn subword_cs(&mut self, r3: u8) {
        encode::cs(self.b(), 2, r3, m(1, 0));
    }

    /// The old field from the word found (r2) into the result.
    fn subword_old(&mut self, i: usize, size: MemSize) {
        let off = self.slot(Value(i as u32)) + 8;
        let bb = self.b();
        encode::lrvr(bb, 3, 2);
        encode::lg(bb, SC, m(15, off));
        encode::srlk(bb, 3, 3, m(SC, 0));
        let d = self.def(i);
        let bb = self.b();
        if size == MemSize::B1 {
            encode::llgcr(bb, d, 3);
        } else {
            encode::llghr(bb, d, 3);
        }
        self.commit(i, d);
    }

    /// Every LSE operation on a byte or halfword: a CS loop on the aligned
    /// word around it. In the loop r3 is the word's little-endian value t,
    /// SB the operand already shifted to the field and masked.
    pub(super) fn atomic_subword(&mut self, i: usize, rmw: RmwOp, size: MemSize, addr: Value, v: Value) {
        self.route(Route::AtomicSubword);
        let (ra, rv) = (self.get(addr, SA), self.get(v, SB));
        self.atomic_addr_check(ra, size.bytes());
        self.subword_setup(i, ra, size);
        let signed = matches!(rmw, RmwOp::Smax | RmwOp::Smin);
        let bb = self.b();
        encode::sllk(bb, SB, rv, m(3, 0));
        encode::nr(bb, SB, SA);
        if signed {
            // SC: the field's sign bit, flipped in both sides of the
            // comparison so that an unsigned one orders them as signed.
            encode::llilf(bb, 0, if size == MemSize::B1 { 0x80 } else { 0x8000 });
            encode::sllk(bb, SC, 0, m(3, 0));
        }
        let retry = self.buf.new_label();
        self.buf.bind(retry);
        let bb = self.b();
        encode::lrvr(bb, 3, 2);
        match rmw {
            RmwOp::Add => {
                // t ^= ((t + op) ^ t) & M: the sum's field, carries out of
                // it dropped.
                encode::ark(bb, 0, 3, SB);
                encode::xr(bb, 0, 3);
                encode::nr(bb, 0, SA);
                encode::xr(bb, 3, 0);
            }
            RmwOp::Swp => {
                encode::xrk(bb, 0, 3, SB);
                encode::nr(bb, 0, SA);
                encode::xr(bb, 3, 0);
            }
            RmwOp::Set => encode::or(bb, 3, SB),
            RmwOp::Eor => encode::xr(bb, 3, SB),
            RmwOp::Clr => {
                encode::nrk(bb, 0, 3, SB);
                encode::xr(bb, 3, 0);
            }
            RmwOp::Smax | RmwOp::Smin | RmwOp::Umax | RmwOp::Umin => {
                // r0: t with the operand in the field. t and r0 differ only
                // there, so comparing them compares the fields.
                encode::nrk(bb, 0, 3, SA);
                encode::xr(bb, 0, 3);
                encode::or(bb, 0, SB);
                if signed {
                    encode::xr(bb, 3, SC);
                    encode::xr(bb, 0, SC);
                }
                encode::clr(bb, 3, 0);
                encode::locr(bb, 3, 0, replace_mask(rmw));
                if signed {
                    encode::xr(bb, 3, SC);
                }
            }
        }
        encode::lrvr(bb, 3, 3);
        self.subword_cs(3);
        self.buf.branch(4, retry);
        self.subword_old(i, size);
    }

    /// CAS of a byte or halfword (a different field stores the word found
    /// back: a write for the MMU, as `cas_word`).
    pub(super) fn cas_subword(&mut self, i: usize, size: MemSize, addr: Value, expected: Value, new: Value) {
        self.route(Route::AtomicSubword);
        let (ra, re, rn) = (self.get(addr, SA), self.get(expected, SB), self.get(new, SC));
        self.atomic_addr_check(ra, size.bytes());
        let done = self.buf.new_label();
        self.subword_cas(i, size, ra, re, rn, done);
        self.buf.bind(done);
        self.subword_old(i, size);
    }

    /// The compare-and-swap of a byte or halfword at guest address `ra`
    /// (checked), expected field `re` and new field `rn` (in SB or other
    /// registers than r0–r3, SA, SC; zero-extended or not): branches to
    /// `stored` when it stored, falls through when the field differed
    /// (after storing the word back). SB becomes the expected field E
    /// shifted into place, SC the new one N xor E (the word found with E in
    /// its field becomes the word to store by one XOR); r2 ends as the word
    /// found, the result's slot as the field's shift (`subword_setup`).
    fn subword_cas(&mut self, i: usize, size: MemSize, ra: u8, re: u8, rn: u8, stored: Label) {
        self.subword_setup(i, ra, size);
        let bb = self.b();
        encode::sllk(bb, SB, re, m(3, 0));
        encode::nr(bb, SB, SA);
        encode::sllk(bb, SC, rn, m(3, 0));
        encode::nr(bb, SC, SA);
        encode::xr(bb, SC, SB);
        let (retry, swap, differ) = (self.buf.new_label(), self.buf.new_label(), self.buf.new_label());
        self.buf.bind(retry);
        let bb = self.b();
        encode::lrvr(bb, 3, 2);
        encode::nrk(bb, 0, 3, SA);
        encode::cr(bb, 0, SB);
        self.buf.branch(8, swap);
        self.subword_cs(2);
        self.buf.branch(4, retry);
        self.buf.branch(15, differ);
        self.buf.bind(swap);
        let bb = self.b();
        encode::xr(bb, 3, SC);
        encode::lrvr(bb, 3, 3);
        self.subword_cs(3);
        self.buf.branch(4, retry);
        self.buf.branch(15, stored);
        self.buf.bind(differ);
    }
}

impl Emitter<'_> {
    /// LDXR/LDAXR of any size: the load, then the monitor armed with the
    /// address, the size and the value read (as the interpreter keeps it).
    pub(super) fn load_exclusive(&mut self, i: usize, size: MemSize, addr: Value) {
        self.route(Route::Exclusives);
        let ra = self.get(addr, SA);
        self.align_check(ra, size.bytes(), false);
        self.check_addr(ra, size.bytes(), 1);
        let d = self.def(i);
        self.load_guest(size, d, Mem { base: R_BASE, index: ra, disp: 0 });
        let bb = self.b();
        encode::stg(bb, ra, m(R_CPU, CPU_EXCL_ADDR));
        encode::mvghi(bb, m(R_CPU, CPU_EXCL_SIZE), size.bytes() as i16);
        encode::stg(bb, d, m(R_CPU, CPU_EXCL_LO));
        encode::mvghi(bb, m(R_CPU, CPU_EXCL_HI), 0);
        self.commit(i, d);
    }

    /// LDXP/LDAXP of doublewords: two loads (the pair is checked as one
    /// when the store-exclusive compares all 16 bytes), the monitor armed
    /// with the 128-bit value.
    pub(super) fn load_exclusive128(&mut self, i: usize, addr: Value) {
        self.route(Route::Exclusives);
        let ra = self.get(addr, SA);
        self.align_check(ra, 16, false);
        self.check_addr(ra, 16, 1);
        self.loc[i] = Loc::Slot;
        let off = self.slot(Value(i as u32));
        let bb = self.b();
        // Guest bytes 0..8 are the low doubleword (second in the slot's
        // host u128).
        encode::lrvg(bb, 0, Mem { base: R_BASE, index: ra, disp: 0 });
        encode::stg(bb, 0, m(15, off + 8));
        encode::stg(bb, 0, m(R_CPU, CPU_EXCL_LO));
        encode::lrvg(bb, 0, Mem { base: R_BASE, index: ra, disp: 8 });
        encode::stg(bb, 0, m(15, off));
        encode::stg(bb, 0, m(R_CPU, CPU_EXCL_HI));
        encode::stg(bb, ra, m(R_CPU, CPU_EXCL_ADDR));
        encode::mvghi(bb, m(R_CPU, CPU_EXCL_SIZE), 16);
    }

    /// Store-exclusive of any size: status 1 unless the monitor holds this
    /// address and size; else a compare-and-swap of the value the
    /// load-exclusive read with the new one (status 0 when it stored), a
    /// failing compare storing what it found back as `cas_word` does — CS
    /// or CSG for words, the sub-word loop for bytes and halfwords, CDSG
    /// for pairs of doublewords (`v` then a 128-bit value). The monitor is
    /// cleared either way.
    pub(super) fn store_exclusive(&mut self, i: usize, size: Option<MemSize>, addr: Value, v: Value) {
        self.route(Route::Exclusives);
        let bytes = size.map_or(16, |s| s.bytes());
        // Bytes and halfwords need SB for the loop, so the new value goes
        // elsewhere.
        let subword = matches!(size, Some(MemSize::B1 | MemSize::B2));
        let ra = self.get(addr, SA);
        let rv = match size {
            None => 0,
            Some(_) => self.get(v, if subword { SC } else { SB }),
        };
        self.align_check(ra, bytes, true);
        let d = self.def(i);
        let (stored, failed, done) = (self.buf.new_label(), self.buf.new_label(), self.buf.new_label());
        encode::clg(self.b(), ra, m(R_CPU, CPU_EXCL_ADDR));
        self.buf.branch(7, failed);
        let bb = self.b();
        encode::lg(bb, 0, m(R_CPU, CPU_EXCL_SIZE));
        encode::cghi(bb, 0, bytes as i16);
        self.buf.branch(7, failed);
        self.check_addr(ra, bytes, 3);
        match size {
            Some(s @ (MemSize::B1 | MemSize::B2)) => {
                encode::lg(self.b(), SB, m(R_CPU, CPU_EXCL_LO));
                self.subword_cas(i, s, ra, SB, rv, stored);
            }
            Some(s) => {
                encode::lg(self.b(), SC, m(R_CPU, CPU_EXCL_LO));
                self.cas_loop(s == MemSize::B8, ra, SC, rv, stored);
            }
            None => {
                let off = self.slot(v);
                self.cdsg_loop(ra, off, [m(R_CPU, CPU_EXCL_LO), m(R_CPU, CPU_EXCL_HI)], stored);
            }
        }
        self.buf.branch(15, failed);
        self.buf.bind(stored);
        encode::lghi(self.b(), d, 0);
        self.buf.branch(15, done);
        self.buf.bind(failed);
        encode::lghi(self.b(), d, 1);
        self.buf.bind(done);
        encode::mvghi(self.b(), m(R_CPU, CPU_EXCL_ADDR), -1);
        self.commit(i, d);
    }
}

/// The condition-code mask under which a maximum or minimum replaces the
/// old value (compared first) by the operand.
fn replace_mask(rmw: RmwOp) -> u8 {
    if matches!(rmw, RmwOp::Smax | RmwOp::Umax) { 4 } else { 2 }
}
