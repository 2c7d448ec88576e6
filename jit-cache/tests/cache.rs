//! Chaining, unchaining on invalidation and LRU eviction under a tiny
//! budget, driven by random operations; after every step the cache's
//! cross-references and the code bytes of every exit must be consistent:
//! a chained exit holds the branch to its target's entry, an unchained one
//! its original bytes.

use zarm_jit_cache::{CodeCache, Exit, NewBlock, GUEST_PAGE};

/// A stand-in branch encoding: the low 32 bits of (target - site).
fn field(site: u64, target: u64) -> Option<[u8; 4]> {
    Some((target.wrapping_sub(site) as u32).to_be_bytes())
}

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const ORIGINAL: [u8; 4] = [0xde, 0xad, 0xbe, 0xef];

fn block(pc: u64, len: usize, targets: &[u64]) -> NewBlock<u64> {
    let mut code = vec![0x07u8; len];
    let exits: Vec<Exit> = targets
        .iter()
        .enumerate()
        .map(|(k, &t)| {
            let off = 8 + 8 * k;
            code[off..off + 4].copy_from_slice(&ORIGINAL);
            Exit { field_offset: off as u32, target: t }
        })
        .collect();
    NewBlock { guest_start: pc, guest_low: pc, guest_end: pc + 16, guest_more: Vec::new(), code, entry: 0, exits, payload: targets.len() as u64 }
}

fn check_exit_bytes(cache: &mut CodeCache<u64>, pcs: &[u64]) {
    for &pc in pcs {
        let Some((id, _)) = cache.lookup(pc) else { continue };
        let e = cache.get(id).unwrap();
        let base = cache.code_addr(e);
        let bytes = cache.code_bytes(e).to_vec();
        for k in 0..e.payload as usize {
            let off = 8 + 8 * k;
            let got: [u8; 4] = bytes[off..off + 4].try_into().unwrap();
            if got == ORIGINAL {
                continue;
            }
            // Chained: it must branch to a live block's entry.
            let delta = u32::from_be_bytes(got) as u64;
            let target_addr = (base + off as u64).wrapping_add(delta) & 0xffff_ffff;
            let live = pcs.iter().any(|&p| {
                cache.lookup(p).map(|(_, a)| a & 0xffff_ffff == target_addr).unwrap_or(false)
            });
            assert!(live, "exit {k} of block {pc:#x} branches to a dead block");
        }
    }
}

#[test]
fn chaining_and_unchaining_follow_the_blocks() {
    let mut cache: CodeCache<u64> = CodeCache::new(1 << 16, &[0u8; 32], field).unwrap();
    let a = cache.insert(block(0x1000, 64, &[0x2000])).unwrap();
    assert_eq!(cache.stats.chains_made, 0, "target not translated yet");
    cache.insert(block(0x2000, 64, &[0x1000])).unwrap();
    // Both directions chained now.
    assert_eq!(cache.stats.chains_made, 2);
    cache.check_invariants().unwrap();
    let e = cache.get(a).unwrap();
    assert_ne!(&cache.code_bytes(e)[8..12], &ORIGINAL);
    // Invalidate the page of 0x2000: A's exit goes back to its original bytes.
    assert_eq!(cache.invalidate_range(0x2000, 4), 1);
    let e = cache.get(a).unwrap();
    assert_eq!(&cache.code_bytes(e)[8..12], &ORIGINAL);
    cache.check_invariants().unwrap();
    // A new translation of 0x2000 chains again.
    cache.insert(block(0x2000, 64, &[])).unwrap();
    let e = cache.get(a).unwrap();
    assert_ne!(&cache.code_bytes(e)[8..12], &ORIGINAL);
    cache.check_invariants().unwrap();
}

/// A block translated from guest code in several places (a region whose
/// callee lies far from its loop) goes when any of them is invalidated, and
/// only then; its pages are indexed once each, also where two of its
/// ranges share one.
#[test]
fn invalidation_of_far_guest_code_removes_the_block() {
    let mut cache: CodeCache<u64> = CodeCache::new(1 << 16, &[0u8; 32], field).unwrap();
    let far = 0x40_0000_0000u64;
    let region = |cache: &mut CodeCache<u64>| {
        let mut nb = block(0x1000, 64, &[]);
        nb.guest_end = 0x1100;
        nb.guest_more = vec![(far, far + 0x20), (far + 0x40, far + 0x60)];
        cache.insert(nb).unwrap()
    };
    region(&mut cache);
    // Nothing in between is code.
    assert!(cache.page_has_code(1) && cache.page_has_code(far / GUEST_PAGE));
    assert!(!cache.page_has_code(2) && !cache.page_has_code(far / GUEST_PAGE - 1));
    assert_eq!(cache.invalidate_range(0x8000, 0x1000), 0);
    assert_eq!(cache.invalidate_range(far + 0x20, 0x20), 0, "a gap between the ranges");
    assert!(cache.lookup(0x1000).is_some());
    // A write to the far code removes the block, and its pages go.
    assert_eq!(cache.invalidate_range(far + 0x48, 4), 1);
    assert!(cache.lookup(0x1000).is_none());
    assert!(!cache.page_has_code(1) && !cache.page_has_code(far / GUEST_PAGE));
    cache.check_invariants().unwrap();
    // The near code removes it as well.
    region(&mut cache);
    assert_eq!(cache.invalidate_range(0x10f0, 4), 1);
    assert!(!cache.page_has_code(far / GUEST_PAGE));
    cache.check_invariants().unwrap();
}

/// A waiting exit on a page far from where its target is written is
/// patched in a round of its own; one on the neighbouring page joins the
/// code's round.
#[test]
fn waiting_exits_far_from_new_code_take_their_own_round() {
    let mut cache: CodeCache<u64> = CodeCache::new(1 << 16, &[0u8; 32], field).unwrap();
    cache.insert(block(0x1000, 64, &[0x2000])).unwrap();
    cache.insert(block(0x9000, 3 * 4096, &[])).unwrap();
    cache.insert(block(0xa000, 64, &[0x3000])).unwrap();
    let w = cache.stats.code_writes;
    // 0x2000 lands after the filler, three pages past 0x1000's exit.
    cache.insert(block(0x2000, 64, &[])).unwrap();
    assert_eq!(cache.stats.code_writes - w, 2);
    // 0x3000 lands right after 0xa000's block.
    cache.insert(block(0x3000, 64, &[])).unwrap();
    assert_eq!(cache.stats.code_writes - w, 3);
    assert_eq!(cache.stats.chains_made, 2);
    cache.check_invariants().unwrap();
    check_exit_bytes(&mut cache, &[0x1000, 0x2000, 0x3000, 0x9000, 0xa000]);
}

#[test]
fn batches_and_own_exits_are_written_in_one_round() {
    let mut cache: CodeCache<u64> = CodeCache::new(1 << 16, &[0u8; 32], field).unwrap();
    let w0 = cache.stats.code_writes;
    cache.insert(block(0x1000, 64, &[0x2000, 0x3000])).unwrap();
    assert_eq!(cache.stats.code_writes - w0, 1, "a block nothing waits for: one write");
    // B and C chain to each other and to A inside the staged bytes; A's two
    // waiting exits lie on the page the batch is written to: the same round.
    let ids = cache.insert_batch(block(0x2000, 64, &[0x3000, 0x1000]), vec![block(0x3000, 64, &[0x2000])]).unwrap();
    assert_eq!(ids.len(), 2);
    assert_eq!(cache.stats.code_writes - w0, 2);
    assert_eq!(cache.stats.chains_made, 5);
    cache.check_invariants().unwrap();
    check_exit_bytes(&mut cache, &[0x1000, 0x2000, 0x3000]);
    for pc in [0x1000, 0x2000, 0x3000] {
        let (id, _) = cache.lookup(pc).unwrap();
        let e = cache.get(id).unwrap();
        for k in 0..e.payload as usize {
            assert_ne!(&cache.code_bytes(e)[8 + 8 * k..12 + 8 * k], &ORIGINAL, "exit {k} of {pc:#x} left unchained");
        }
    }
    // A single block whose exits go to existing blocks: its chains are in
    // its one write; removing it unchains nothing else.
    let w1 = cache.stats.code_writes;
    cache.insert(block(0x4000, 64, &[0x1000, 0x3000])).unwrap();
    assert_eq!(cache.stats.code_writes - w1, 1);
    assert_eq!(cache.stats.chains_made, 7);
    // Invalidating B unchains A's and C's exits to it: A and C are in
    // consecutive 16-byte-aligned slots, one round.
    let w2 = cache.stats.code_writes;
    assert_eq!(cache.invalidate_range(0x2000, 4), 1);
    assert_eq!(cache.stats.code_writes - w2, 1);
    cache.check_invariants().unwrap();
    check_exit_bytes(&mut cache, &[0x1000, 0x3000, 0x4000]);
    // Extras repeating a start are left out; the first goes in.
    let ids = cache.insert_batch(block(0x5000, 64, &[0x1000]), vec![block(0x5000, 64, &[]), block(0x6000, 64, &[])]).unwrap();
    assert_eq!(ids.len(), 1);
    let (id, _) = cache.lookup(0x5000).unwrap();
    assert_eq!(cache.get(id).unwrap().payload, 1);
    assert!(cache.lookup(0x6000).is_none());
    cache.check_invariants().unwrap();
}

#[test]
fn extras_never_evict() {
    // Room for four 256-byte blocks.
    let mut cache: CodeCache<u64> = CodeCache::new(1024, &[0u8; 16], field).unwrap();
    for i in 0..3 {
        cache.insert(block(0x10000 + i * GUEST_PAGE, 256, &[])).unwrap();
    }
    // The first and two extras do not fit: the first alone goes in,
    // evicting the least recently used page.
    let ids = cache.insert_batch(block(0x20000, 256, &[]), vec![block(0x21000, 256, &[]), block(0x22000, 256, &[])]).unwrap();
    assert_eq!(ids.len(), 1);
    assert_eq!(cache.stats.pages_evicted, 0, "room for the first block was free");
    assert!(cache.lookup(0x21000).is_none() && cache.lookup(0x22000).is_none());
    let ids = cache.insert_batch(block(0x30000, 256, &[]), vec![block(0x31000, 256, &[])]).unwrap();
    assert_eq!(ids.len(), 1);
    assert_eq!(cache.stats.pages_evicted, 1);
    cache.check_invariants().unwrap();
}

#[test]
fn tiny_budget_evicts_least_recently_used_pages() {
    // Room for about 4 blocks of 256 bytes.
    let mut cache: CodeCache<u64> = CodeCache::new(1024, &[0u8; 16], field).unwrap();
    for i in 0..4 {
        cache.insert(block(0x10000 + i * GUEST_PAGE, 256, &[])).unwrap();
    }
    // Touch page 0 so page 1 is the least recently used.
    assert!(cache.lookup(0x10000).is_some());
    cache.insert(block(0x90000, 256, &[])).unwrap();
    assert!(cache.lookup(0x10000).is_some(), "recently used page was evicted");
    assert!(cache.lookup(0x10000 + GUEST_PAGE).is_none(), "LRU page survived");
    assert_eq!(cache.stats.pages_evicted, 1);
    cache.check_invariants().unwrap();
    // A block larger than the whole budget is refused, not a panic.
    assert!(cache.insert(block(0xa0000, 4096, &[])).is_err());
}

#[test]
fn random_operations_keep_the_cache_consistent() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut cache: CodeCache<u64> = CodeCache::new(4096, &[0u8; 64], field).unwrap();
    let pcs: Vec<u64> = (0..40).map(|i| 0x40_0000 + (i / 4) * GUEST_PAGE + (i % 4) * 64).collect();
    for step in 0..5000 {
        match rng.below(12) {
            0..=5 => {
                let pc = pcs[rng.below(pcs.len() as u64) as usize];
                let n = rng.below(4) as usize;
                let targets: Vec<u64> = (0..n).map(|_| pcs[rng.below(pcs.len() as u64) as usize]).collect();
                let len = 48 + 8 * rng.below(40) as usize;
                cache.insert(block(pc, len, &targets)).unwrap();
            }
            6 | 7 => {
                let pc = pcs[rng.below(pcs.len() as u64) as usize];
                let len = 1 + rng.below(2 * GUEST_PAGE);
                cache.invalidate_range(pc, len);
            }
            8 => {
                let pc = pcs[rng.below(pcs.len() as u64) as usize];
                cache.lookup(pc);
            }
            9 => {
                if rng.below(50) == 0 {
                    cache.flush();
                }
            }
            _ => {
                // A batch of blocks (the extras at distinct PCs unless
                // by chance), chained among themselves and to the others.
                let mut batch: Vec<NewBlock<u64>> = Vec::new();
                for _ in 0..2 + rng.below(4) {
                    let pc = pcs[rng.below(pcs.len() as u64) as usize];
                    let n = rng.below(4) as usize;
                    let targets: Vec<u64> = (0..n).map(|_| pcs[rng.below(pcs.len() as u64) as usize]).collect();
                    batch.push(block(pc, 48 + 8 * rng.below(20) as usize, &targets));
                }
                let first = batch.remove(0);
                cache.insert_batch(first, batch).unwrap();
            }
        }
        cache.check_invariants().unwrap_or_else(|e| panic!("step {step}: {e}"));
        check_exit_bytes(&mut cache, &pcs);
    }
    assert!(cache.stats.pages_evicted > 0, "the budget never forced an eviction");
    assert!(cache.stats.chains_undone > 0, "no chain was ever undone");
}
