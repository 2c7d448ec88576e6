//! The JIT code cache: executable memory ([`memory`]), a guest-PC index of
//! translated blocks, an index by guest page (which blocks start in a page,
//! and through the chains, which blocks jump into it), direct chaining and
//! unchaining of blocks, invalidation by guest address range, and a byte
//! budget with least-recently-used eviction of whole guest pages.
//!
//! The cache knows nothing of the host ISA beyond one function the backend
//! supplies: how to encode a patched branch field (`BranchFieldFn`).
//!
//! Concurrency: each guest thread's JIT engine owns its own cache, used
//! only by that thread, and blocks are freed only between blocks (in its
//! dispatcher), when the thread executes no generated code. (Other
//! threads' translations reach a cache as copies, through the runtime's
//! shared translations.)

pub mod memory;

use lru::LruCache;
use memory::CodeMemory;
use std::collections::{BTreeMap, HashMap};
use std::io;

pub const GUEST_PAGE: u64 = 4096;

/// Encodes the branch field at `site` (absolute host address of the field)
/// so that the branch goes to `target`; `None` if out of range.
pub type BranchFieldFn = fn(site: u64, target: u64) -> Option<[u8; 4]>;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BlockId(u64);

/// A direct exit of a block: the branch whose 4-byte field sits at
/// `field_offset` in the block's code leaves for guest `target`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Exit {
    pub field_offset: u32,
    pub target: u64,
}

/// What the translator hands the cache.
pub struct NewBlock<T> {
    /// The guest PC the block is entered at (its lookup key).
    pub guest_start: u64,
    /// The guest code it was translated from: `[guest_low, guest_end)`
    /// (`guest_low` is below `guest_start` for a region whose loop starts
    /// before its entry); invalidation of any of it removes the block.
    pub guest_low: u64,
    pub guest_end: u64,
    /// More guest code it was translated from, anywhere (a region's
    /// callees far from its loop): invalidation of any of it removes the
    /// block too. Empty for a baseline block (no allocation).
    pub guest_more: Vec<(u64, u64)>,
    pub code: Vec<u8>,
    /// Offset of the block's entry in `code`.
    pub entry: u32,
    pub exits: Vec<Exit>,
    /// Anything the runtime keeps with the block (PC maps, helper operands).
    pub payload: T,
}

pub struct Entry<T> {
    pub guest_start: u64,
    pub guest_low: u64,
    pub guest_end: u64,
    /// `NewBlock::guest_more`.
    pub guest_more: Vec<(u64, u64)>,
    pub offset: usize,
    pub len: usize,
    pub entry: u32,
    exits: Vec<Exit>,
    /// The original bytes of each exit's field, restored on unchaining.
    exit_fields: Vec<[u8; 4]>,
    /// Which block each exit is chained to.
    chained: Vec<Option<BlockId>>,
    /// (block, exit index) pairs chained into this block.
    incoming: Vec<(BlockId, usize)>,
    pub payload: T,
}

/// The guest pages `[start, end)` touches.
fn pages_of(start: u64, end: u64) -> impl Iterator<Item = u64> {
    let last = end.max(start + 1) - 1;
    (start / GUEST_PAGE)..=(last / GUEST_PAGE)
}

impl<T> Entry<T> {
    /// The guest code the block was translated from.
    pub fn ranges(&self) -> impl Iterator<Item = (u64, u64)> + '_ {
        std::iter::once((self.guest_low, self.guest_end)).chain(self.guest_more.iter().copied())
    }

    /// The guest pages of `ranges` (a page two ranges share comes twice).
    fn pages(&self) -> impl Iterator<Item = u64> + '_ {
        self.ranges().flat_map(|(low, end)| pages_of(low, end))
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CacheStats {
    pub blocks_inserted: u64,
    pub blocks_invalidated: u64,
    pub blocks_evicted: u64,
    pub pages_evicted: u64,
    pub chains_made: u64,
    pub chains_undone: u64,
    /// Times code memory was made writable (a block's or batch's code
    /// with its own exits chained; the branch fields of older blocks
    /// chained to it or unchained from a removed block, one round per
    /// run of consecutive pages).
    pub code_writes: u64,
    pub bytes_in_use: usize,
}

pub struct CodeCache<T> {
    mem: CodeMemory,
    branch_field: BranchFieldFn,
    /// Bytes reserved at the start (the entry trampoline).
    reserved: usize,
    budget: usize,
    /// Free ranges of code memory, offset → length.
    free: BTreeMap<usize, usize>,
    blocks: HashMap<BlockId, Entry<T>>,
    by_pc: HashMap<u64, BlockId>,
    /// Guest page → blocks whose guest code lies (partly) in it.
    pages: HashMap<u64, Vec<BlockId>>,
    lru: LruCache<u64, ()>,
    /// Exits waiting for a block at a guest PC to appear.
    waiting: HashMap<u64, Vec<(BlockId, usize)>>,
    next_id: u64,
    pub stats: CacheStats,
}

impl<T> CodeCache<T> {
    /// A cache whose translated code may use at most `budget` bytes, with
    /// `fixed` (the entry trampoline) placed at the start of code memory.
    pub fn new(budget: usize, fixed: &[u8], branch_field: BranchFieldFn) -> io::Result<Self> {
        let reserved = (fixed.len() + 255) & !255;
        let size = (reserved + budget).next_multiple_of(4096);
        let mut mem = CodeMemory::new(size)?;
        mem.write(0, fixed);
        let mut free = BTreeMap::new();
        free.insert(reserved, size - reserved);
        Ok(CodeCache {
            mem,
            branch_field,
            reserved,
            budget,
            free,
            blocks: HashMap::new(),
            by_pc: HashMap::new(),
            pages: HashMap::new(),
            lru: LruCache::unbounded(),
            waiting: HashMap::new(),
            next_id: 0,
            stats: CacheStats::default(),
        })
    }

    /// Host address of the fixed code (the trampoline).
    pub fn fixed_addr(&self) -> u64 {
        self.mem.exec_addr(0)
    }

    pub fn budget(&self) -> usize {
        self.budget
    }

    pub fn len(&self) -> usize {
        self.blocks.len()
    }

    pub fn is_empty(&self) -> bool {
        self.blocks.is_empty()
    }

    /// The block starting at guest `pc`: its id and host entry address.
    /// Marks its page as recently used.
    pub fn lookup(&mut self, pc: u64) -> Option<(BlockId, u64)> {
        let id = *self.by_pc.get(&pc)?;
        self.lru.get(&(pc / GUEST_PAGE));
        let e = &self.blocks[&id];
        Some((id, self.mem.exec_addr(e.offset + e.entry as usize)))
    }

    /// Is there a block starting at guest `pc`? (No LRU update.)
    pub fn contains(&self, pc: u64) -> bool {
        self.by_pc.contains_key(&pc)
    }

    pub fn get(&self, id: BlockId) -> Option<&Entry<T>> {
        self.blocks.get(&id)
    }

    /// The block whose code contains host address `addr` (fault mapping).
    pub fn block_at_host(&self, addr: u64) -> Option<(BlockId, &Entry<T>, usize)> {
        let off = self.mem.offset_of(addr)?;
        self.blocks.iter().find(|(_, e)| off >= e.offset && off < e.offset + e.len).map(|(id, e)| (*id, e, off - e.offset))
    }

    /// Host address of a block's code start.
    pub fn code_addr(&self, e: &Entry<T>) -> u64 {
        self.mem.exec_addr(e.offset)
    }

    pub fn code_bytes(&self, e: &Entry<T>) -> &[u8] {
        self.mem.read(e.offset, e.len)
    }

    fn alloc(&mut self, len: usize) -> Option<usize> {
        let len = len.next_multiple_of(16);
        if self.stats.bytes_in_use + len > self.budget {
            return None;
        }
        let (&off, &flen) = self.free.iter().find(|(_, &l)| l >= len)?;
        self.free.remove(&off);
        if flen > len {
            self.free.insert(off + len, flen - len);
        }
        self.stats.bytes_in_use += len;
        Some(off)
    }

    fn release(&mut self, off: usize, len: usize) {
        let mut len = len.next_multiple_of(16);
        self.stats.bytes_in_use -= len;
        let mut off = off;
        // Coalesce with the neighbours.
        if let Some((&p, &pl)) = self.free.range(..off).next_back() {
            if p + pl == off {
                self.free.remove(&p);
                off = p;
                len += pl;
            }
        }
        if let Some(&nl) = self.free.get(&(off + len)) {
            self.free.remove(&(off + len));
            len += nl;
        }
        self.free.insert(off, len);
    }

    /// Adds a block, evicting least-recently-used pages if the budget is
    /// exhausted, and chains it with its neighbours in both directions.
    pub fn insert(&mut self, nb: NewBlock<T>) -> io::Result<BlockId> {
        if nb.code.len() > self.budget {
            return Err(io::Error::other(format!("a {}-byte block exceeds the code budget", nb.code.len())));
        }
        // A replacement for a PC drops the old block first.
        if let Some(&old) = self.by_pc.get(&nb.guest_start) {
            self.remove(old);
            self.stats.blocks_invalidated += 1;
        }
        let offset = loop {
            if let Some(off) = self.alloc(nb.code.len()) {
                break off;
            }
            if !self.evict_one() {
                return Err(io::Error::other("code memory exhausted with nothing left to evict"));
            }
        };
        let len = nb.code.len().next_multiple_of(16);
        Ok(self.place(vec![(nb, offset)], offset, len)[0])
    }

    /// Adds `first` with optional `extras` (blocks the caller expects to
    /// be wanted soon) in one piece of code memory, written at once with
    /// the exits among them and to older blocks already chained, so the
    /// memory is made writable once for the lot (and once per run of pages
    /// holding older exits that waited for them). The extras go in only
    /// if they all fit in one free range with `first` within the budget,
    /// without evicting anything, and start at distinct PCs; otherwise
    /// `first` is inserted alone (as `insert`). Returns the ids inserted,
    /// `first`'s first.
    pub fn insert_batch(&mut self, first: NewBlock<T>, extras: Vec<NewBlock<T>>) -> io::Result<Vec<BlockId>> {
        let total: usize = std::iter::once(&first).chain(&extras).map(|b| b.code.len().next_multiple_of(16)).sum();
        let mut starts: Vec<u64> = std::iter::once(&first).chain(&extras).map(|b| b.guest_start).collect();
        starts.sort_unstable();
        starts.dedup();
        let fits = self.stats.bytes_in_use + total <= self.budget && self.free.values().any(|&l| l >= total);
        if extras.is_empty() || starts.len() != extras.len() + 1 || !fits {
            return Ok(vec![self.insert(first)?]);
        }
        for b in std::iter::once(&first).chain(&extras) {
            if let Some(&old) = self.by_pc.get(&b.guest_start) {
                self.remove(old);
                self.stats.blocks_invalidated += 1;
            }
        }
        let base = self.alloc(total).expect("a free range was found above");
        let mut placed = Vec::with_capacity(extras.len() + 1);
        let mut offset = base;
        for b in std::iter::once(first).chain(extras) {
            let len = b.code.len().next_multiple_of(16);
            placed.push((b, offset));
            offset += len;
        }
        Ok(self.place(placed, base, total))
    }

    /// Enters blocks allocated at `[base, base+len)` (each at its offset),
    /// chains them, and writes the code in one round.
    fn place(&mut self, blocks: Vec<(NewBlock<T>, usize)>, base: usize, len: usize) -> Vec<BlockId> {
        let mut stage = vec![0u8; len];
        let mut ids = Vec::with_capacity(blocks.len());
        for (nb, offset) in blocks {
            stage[offset - base..offset - base + nb.code.len()].copy_from_slice(&nb.code);
            let id = BlockId(self.next_id);
            self.next_id += 1;
            let exit_fields = nb
                .exits
                .iter()
                .map(|x| {
                    let f = x.field_offset as usize;
                    nb.code[f..f + 4].try_into().unwrap()
                })
                .collect();
            let n_exits = nb.exits.len();
            self.blocks.insert(
                id,
                Entry {
                    guest_start: nb.guest_start,
                    guest_low: nb.guest_low.min(nb.guest_start),
                    guest_end: nb.guest_end,
                    guest_more: nb.guest_more,
                    offset,
                    len: nb.code.len(),
                    entry: nb.entry,
                    exits: nb.exits,
                    exit_fields,
                    chained: vec![None; n_exits],
                    incoming: Vec::new(),
                    payload: nb.payload,
                },
            );
            self.by_pc.insert(nb.guest_start, id);
            let e = &self.blocks[&id];
            let several = !e.guest_more.is_empty();
            for page in e.pages() {
                let list = self.pages.entry(page).or_default();
                // Once per page, also when two of its ranges share it
                // (looked for only then: a page's list can be long).
                if !several || !list.contains(&id) {
                    list.push(id);
                }
                self.lru.put(page, ());
            }
            self.stats.blocks_inserted += 1;
            ids.push(id);
        }
        // The new blocks' own exits, chained in the staged bytes.
        for &id in &ids {
            for k in 0..self.blocks[&id].exits.len() {
                let target = self.blocks[&id].exits[k].target;
                match self.by_pc.get(&target) {
                    Some(&to) => {
                        if let Some((off, bytes)) = self.chain(id, k, to) {
                            stage[off - base..off - base + 4].copy_from_slice(&bytes);
                        }
                    }
                    None => self.waiting.entry(target).or_default().push((id, k)),
                }
            }
        }
        // Exits of older blocks that were waiting for these PCs, patched
        // in the same round as the code where their pages neighbour it.
        let mut fields = Vec::new();
        for &id in &ids {
            if let Some(waiters) = self.waiting.remove(&self.blocks[&id].guest_start) {
                for (from, k) in waiters {
                    fields.extend(self.chain(from, k, id));
                }
            }
        }
        self.stats.code_writes += self.mem.write_and_patch(base, &stage, &fields) as u64;
        ids
    }

    /// Records exit `k` of `from` as chained to `to` and returns the branch
    /// field to write (its code-memory offset and bytes); if the branch
    /// cannot reach, the exit goes on waiting and nothing is to be written.
    fn chain(&mut self, from: BlockId, k: usize, to: BlockId) -> Option<(usize, [u8; 4])> {
        let (site, field_off) = {
            let f = &self.blocks[&from];
            (self.mem.exec_addr(f.offset + f.exits[k].field_offset as usize), f.offset + f.exits[k].field_offset as usize)
        };
        let target = {
            let t = &self.blocks[&to];
            self.mem.exec_addr(t.offset + t.entry as usize)
        };
        // The branch field is relative to the instruction's first byte, which
        // the backend's function accounts for given the field's address.
        let Some(bytes) = (self.branch_field)(site, target) else {
            self.waiting.entry(self.blocks[&to].guest_start).or_default().push((from, k));
            return None;
        };
        self.blocks.get_mut(&from).unwrap().chained[k] = Some(to);
        self.blocks.get_mut(&to).unwrap().incoming.push((from, k));
        self.stats.chains_made += 1;
        Some((field_off, bytes))
    }

    /// Removes a block: its predecessors are unchained (their exits go back
    /// to the dispatcher and wait for a new translation), its code is freed.
    fn remove(&mut self, id: BlockId) {
        let Some(e) = self.blocks.remove(&id) else { return };
        let mut fields = Vec::with_capacity(e.incoming.len());
        for &(from, k) in &e.incoming {
            if let Some(f) = self.blocks.get_mut(&from) {
                fields.push((f.offset + f.exits[k].field_offset as usize, f.exit_fields[k]));
                f.chained[k] = None;
                self.waiting.entry(e.guest_start).or_default().push((from, k));
                self.stats.chains_undone += 1;
            }
        }
        self.stats.code_writes += self.mem.patch(&fields) as u64;
        for (k, x) in e.exits.iter().enumerate() {
            match e.chained[k] {
                Some(to) => {
                    if let Some(t) = self.blocks.get_mut(&to) {
                        t.incoming.retain(|&(b, j)| !(b == id && j == k));
                    }
                }
                None => {
                    if let Some(w) = self.waiting.get_mut(&x.target) {
                        w.retain(|&(b, _)| b != id);
                    }
                }
            }
        }
        if self.by_pc.get(&e.guest_start) == Some(&id) {
            self.by_pc.remove(&e.guest_start);
        }
        for page in e.pages() {
            if let Some(list) = self.pages.get_mut(&page) {
                list.retain(|b| *b != id);
                if list.is_empty() {
                    self.pages.remove(&page);
                    self.lru.pop(&page);
                }
            }
        }
        self.release(e.offset, e.len);
    }

    /// Forgets every block with guest code in `[start, start+len)`. Returns
    /// how many were removed.
    pub fn invalidate_range(&mut self, start: u64, len: u64) -> usize {
        if len == 0 {
            return 0;
        }
        let mut victims = Vec::new();
        for page in pages_of(start, start.saturating_add(len)) {
            if let Some(list) = self.pages.get(&page) {
                for id in list {
                    let e = &self.blocks[id];
                    if e.ranges().any(|(low, end)| low < start.saturating_add(len) && end > start) && !victims.contains(id) {
                        victims.push(*id);
                    }
                }
            }
        }
        for id in &victims {
            self.remove(*id);
        }
        self.stats.blocks_invalidated += victims.len() as u64;
        victims.len()
    }

    /// True if any translated block has guest code in this page.
    pub fn page_has_code(&self, page: u64) -> bool {
        self.pages.contains_key(&page)
    }

    /// Evicts the least recently used page. False if the cache is empty.
    fn evict_one(&mut self) -> bool {
        let Some((page, ())) = self.lru.pop_lru() else { return false };
        let ids = self.pages.get(&page).cloned().unwrap_or_default();
        for id in &ids {
            self.remove(*id);
        }
        self.stats.blocks_evicted += ids.len() as u64;
        self.stats.pages_evicted += 1;
        true
    }

    /// Drops everything (e.g. the guest unmapped all its code).
    pub fn flush(&mut self) {
        let ids: Vec<BlockId> = self.blocks.keys().copied().collect();
        for id in ids {
            self.remove(id);
        }
    }

    /// Checks the cross-references (tests and debug builds): every chain is
    /// recorded at both ends, every waiting exit belongs to a live block,
    /// and the free list plus the blocks cover the code memory exactly.
    pub fn check_invariants(&self) -> Result<(), String> {
        for (id, e) in &self.blocks {
            for (k, c) in e.chained.iter().enumerate() {
                if let Some(to) = c {
                    let t = self.blocks.get(to).ok_or(format!("{id:?} chained to dead {to:?}"))?;
                    if !t.incoming.contains(&(*id, k)) {
                        return Err(format!("{to:?} lacks incoming ({id:?},{k})"));
                    }
                    if t.guest_start != e.exits[k].target {
                        return Err(format!("{id:?} exit {k} chained to the wrong block"));
                    }
                }
            }
            for (from, k) in &e.incoming {
                if self.blocks.get(from).and_then(|f| f.chained[*k]) != Some(*id) {
                    return Err(format!("stale incoming ({from:?},{k}) on {id:?}"));
                }
            }
        }
        for (pc, list) in &self.waiting {
            for (b, k) in list {
                let e = self.blocks.get(b).ok_or(format!("dead waiter {b:?} for {pc:#x}"))?;
                if e.exits[*k].target != *pc || e.chained[*k].is_some() {
                    return Err(format!("bad waiter ({b:?},{k}) for {pc:#x}"));
                }
            }
        }
        let used: usize = self.blocks.values().map(|e| e.len.next_multiple_of(16)).sum();
        let free: usize = self.free.values().sum();
        if used + free + self.reserved != self.mem.size() {
            return Err(format!("memory accounting: used {used} + free {free} + reserved {} != {}", self.reserved, self.mem.size()));
        }
        Ok(())
    }
}
