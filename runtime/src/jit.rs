//! The JIT engine: guest blocks compiled to s390x by the baseline emitter,
//! kept in the code cache (chained, indexed by guest page, LRU-evicted),
//! and run through the entry trampoline. Generated code reaches guest
//! memory directly at `guest_base + address`; the host MMU enforces the
//! guest's page permissions (the guest space mirrors them), and a host
//! SIGSEGV inside generated code becomes the guest fault at the exact
//! guest instruction (`generated_code_fault`).
//!
//! Only s390x hosts execute generated code; elsewhere the engine reports
//! that it is unavailable.

use crate::memory::GuestSpace;
use zarm_backend_s390x::emit::{self, CompiledBlock, EmitConfig, JitContext, IBTC_ENTRIES};
use zarm_backend_s390x::facilities::HostFacilities;
use zarm_backend_s390x::routing::Route;
use zarm_frontend_a64::{translate, TranslateOptions};
#[cfg(target_arch = "s390x")]
use zarm_ir::{ExceptionKind, GuestMemory};
use zarm_ir::{BlockExit, CpuState};
use zarm_jit_cache::{CodeCache, Exit, NewBlock, GUEST_PAGE};
use std::collections::BTreeMap;
use std::sync::Arc;

/// What the cache keeps with each block.
pub struct BlockMeta {
    pub pc_map: Vec<(u32, u64)>,
    /// Helper operands referenced by address from the code (shared with
    /// the other engines that installed the same translation: the boxed
    /// operations never move).
    pub helper_ops: Arc<Box<[zarm_ir::Op]>>,
    pub guest_insns: u32,
    /// The block's tier-up countdown (its slot in the thread's table, whose
    /// value is the block's entries so far), if it has one.
    pub hot: Option<emit::HotCount>,
    /// Where the region goes when the countdown reaches zero (the loop
    /// head a latch branches back to).
    pub hot_target: u64,
    /// An optimised region (not a baseline block).
    pub region: bool,
}

/// A baseline block's translation that any guest thread's engine may
/// install (`SharedTranslations`): code without per-engine addresses
/// (execution counters are the space's, a tier-up countdown is a slot of
/// the running thread's table), position-independent within a code cache,
/// its exits still unchained.
pub struct SharedBlock {
    start: u64,
    end: u64,
    guest_insns: u32,
    code: Vec<u8>,
    pc_map: Vec<(u32, u64)>,
    helper_ops: Arc<Box<[zarm_ir::Op]>>,
    exits: Vec<Exit>,
    /// Its tier-up countdown and the loop head it names.
    hot: Option<emit::HotCount>,
    hot_target: u64,
    /// The emitter configuration it was compiled with.
    checked_pages: bool,
}

/// The longest guest code a shared translation may cover (its entries are
/// found by start address when a page is invalidated).
const SHARED_SPAN: u64 = 4096;

/// An engine missing a block another thread translated installs the
/// translations on offer for the aligned span of guest code around it in
/// one piece (threads running the same code want them next). Measured on
/// the threads workload (16 threads, medians of 5 under qemu-s390x): one
/// 4 KiB page 1.25 s, 64 KiB 1.19–1.20 s, everything on offer 1.19 s with
/// 30% more blocks installed; one block at a time 1.87 s.
const PREFETCH_SPAN: u64 = 0x10000;

/// Baseline translations shared by the guest threads of one address space
/// (`GuestSpace::translations`, used under the space's lock): a block one
/// thread's engine compiled is installed by the others from here instead
/// of being translated again — each places a copy in its own code cache
/// and chains it there. A page's entries go when the page is logged for
/// invalidation; a translation is offered only if nothing was logged that
/// its thread had not applied when it was made (so no entry predates an
/// invalidation of its code). Bounded in bytes: when full, new
/// translations are not offered. Only once the guest has started a
/// second thread (`active`): a single-threaded guest pays nothing.
pub struct SharedTranslations {
    /// Set when the guest first creates a thread.
    pub active: std::sync::atomic::AtomicBool,
    by_pc: BTreeMap<u64, Arc<SharedBlock>>,
    bytes: usize,
    budget: usize,
    /// The execution counters (`--stats`) of every block offered: its
    /// code, in any thread's cache, adds to them (AGSI, an interlocked
    /// update), so they are the space's, not the compiling thread's; kept
    /// until the process ends, also after the block is forgotten (copies
    /// of its code may run until their threads apply the invalidation).
    counters: Vec<Box<BlockCount>>,
    /// The tier-up countdown slot of each guest block start that has had
    /// one (`emit::HotCount`): the same in every thread, so blocks with a
    /// countdown can be shared too; kept for the life of the space.
    hot_slots: std::collections::HashMap<u64, u32>,
    /// Hot loop heads some thread formed no region at, and why: another
    /// thread's countdown at the same head reaching zero takes the verdict
    /// instead of forming the region again (formation translates and
    /// optimises every candidate block: ~8 ms a time under qemu-s390x).
    /// All dropped when any page's translations are (a verdict may
    /// change with the code; it only decides speed, not behaviour).
    rejected: std::collections::HashMap<u64, Rejection>,
    /// Compiled regions on offer, by loop head: another thread whose
    /// countdown at that head reaches zero installs a copy instead of
    /// forming and compiling the region again (the threads workload with
    /// `--tier=on` queued one compilation of the same loop per thread).
    /// Their code names nothing of one thread: the context, CPU state and
    /// window come in registers, their counters (`--stats`) are the
    /// space's and updated interlocked.
    /// Shared with the compile thread, which offers a region as soon as
    /// it is compiled (the thread that asked for it may have ended).
    regions: Arc<std::sync::Mutex<RegionOffers>>,
}

/// See `SharedTranslations::regions`.
#[derive(Default)]
pub struct RegionOffers {
    regions: std::collections::HashMap<u64, Arc<SharedRegion>>,
    /// Loop heads whose region is being compiled for offer, with the
    /// job's token: another thread reaching the head waits for that region
    /// (its countdown starts again) instead of forming its own.
    compiling: std::collections::HashMap<u64, u64>,
}

impl SharedTranslations {
    fn offers(&self) -> std::sync::MutexGuard<'_, RegionOffers> {
        self.regions.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A compiled region as the code cache holds it (the entry shim, then the
/// function), and as `SharedTranslations::regions` offers it.
pub struct SharedRegion {
    /// The guest code it covers (`region_ranges`).
    ranges: Vec<(u64, u64)>,
    code: Vec<u8>,
    pc_map: Vec<(u32, u64)>,
    helper_ops: Arc<Box<[zarm_ir::Op]>>,
    guest_insns: u32,
}

impl Default for SharedTranslations {
    fn default() -> Self {
        SharedTranslations {
            active: false.into(),
            by_pc: BTreeMap::new(),
            bytes: 0,
            budget: 64 << 20,
            counters: Vec::new(),
            hot_slots: Default::default(),
            rejected: Default::default(),
            regions: Default::default(),
        }
    }
}

impl SharedTranslations {
    /// Drops every translation with guest code in the page at `page`.
    pub fn forget_page(&mut self, page: u64) {
        self.rejected.clear();
        let end = page.saturating_add(4096);
        let mut offers = self.offers();
        offers.regions.retain(|_, r| !overlaps(&r.ranges, page, end));
        // A region being compiled over the page is then not offered (its
        // own thread discards it): the others form their own.
        offers.compiling.clear();
        drop(offers);
        let gone: Vec<u64> = self.by_pc.range(page.saturating_sub(SHARED_SPAN)..end).filter(|(_, b)| b.end > page && b.start < end).map(|(pc, _)| *pc).collect();
        for pc in gone {
            if let Some(b) = self.by_pc.remove(&pc) {
                self.bytes -= b.code.len();
            }
        }
    }

    /// A translation of the block at `pc` for an engine with
    /// `checked_pages` and tier-up `threshold` (`None`: no tier).
    fn get(&self, pc: u64, checked_pages: bool, threshold: Option<i32>) -> Option<&Arc<SharedBlock>> {
        self.by_pc.get(&pc).filter(|b| b.checked_pages == checked_pages && b.hot.is_none_or(|h| Some(h.threshold) == threshold))
    }

    /// For such an engine, the translations of blocks starting in the
    /// aligned `PREFETCH_SPAN` bytes of guest code around `pc`, but not at
    /// `pc`, for which `wanted` holds, in address order, as long as their
    /// code adds up to at most `limit` bytes.
    fn near(&self, pc: u64, checked_pages: bool, threshold: Option<i32>, limit: usize, wanted: impl Fn(u64) -> bool) -> Vec<Arc<SharedBlock>> {
        let low = pc & !(PREFETCH_SPAN - 1);
        let mut bytes = 0;
        self.by_pc
            .range(low..low.saturating_add(PREFETCH_SPAN))
            .filter(|(&start, _)| start != pc && wanted(start))
            .filter_map(|(&start, _)| self.get(start, checked_pages, threshold))
            .take_while(|b| {
                bytes += b.code.len();
                bytes <= limit
            })
            .cloned()
            .collect()
    }

    /// The tier-up countdown slot of the block starting at `pc` (a new
    /// one the first time), if the table has one left.
    fn hot_slot(&mut self, pc: u64) -> Option<u32> {
        let next = self.hot_slots.len();
        match self.hot_slots.entry(pc) {
            std::collections::hash_map::Entry::Occupied(e) => Some(*e.get()),
            std::collections::hash_map::Entry::Vacant(e) if next < emit::HOT_SLOTS => Some(*e.insert(next as u32)),
            std::collections::hash_map::Entry::Vacant(_) => None,
        }
    }

    /// Offers a translation with its execution counter, if any; the
    /// counter comes back if the translation is not taken.
    pub(crate) fn offer(&mut self, b: SharedBlock, counter: Option<Box<BlockCount>>) -> Option<Box<BlockCount>> {
        if !self.is_active() || b.end - b.start > SHARED_SPAN || self.bytes + b.code.len() > self.budget || self.by_pc.contains_key(&b.start) {
            return counter;
        }
        self.bytes += b.code.len();
        self.by_pc.insert(b.start, Arc::new(b));
        self.counters.extend(counter);
        None
    }

    /// Has the guest started a second thread?
    pub fn is_active(&self) -> bool {
        self.active.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The execution counters of the blocks offered so far.
    pub fn counters(&self) -> impl Iterator<Item = &Box<BlockCount>> {
        self.counters.iter()
    }

    /// Translations on offer.
    pub fn len(&self) -> usize {
        self.by_pc.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_pc.is_empty()
    }
}

/// Execution counter and route figures of one compiled block (`--stats`):
/// kept for the whole run, also after the block is evicted or invalidated,
/// so the totals cover everything that ran.
pub struct BlockCount {
    /// Entries into the block, added to by its generated code.
    pub count: u64,
    /// A block of an optimised region (Cranelift tier).
    pub optimised: bool,
    /// The block's guest start address and host code size (bytes; for a
    /// region block, 0: the region's code is not split by block).
    pub pc: u64,
    pub host_bytes: u32,
    pub guest_insns: u32,
    pub routes: Vec<((Route, bool), u32)>,
    pub assisted_insns: u32,
    /// The block's operations that call the helper: (operation key, guarded),
    /// guarded meaning a native fast path runs first and calls the helper
    /// only when its guard fails.
    pub helpers: Vec<(Box<str>, bool)>,
    /// Per entry of `helpers`, the calls of the helper the block's code made
    /// (added to by the code, so a guarded operation counts only failed
    /// guards).
    pub helper_calls: Box<[u64]>,
}

impl BlockCount {
    /// The counters a baseline block's code adds to, for a block with
    /// `sites` helper operations (their call counts start at zero).
    fn exec_counters(&mut self, sites: usize) -> emit::ExecCounters {
        self.helper_calls = vec![0; sites].into();
        emit::ExecCounters { entries: &mut self.count, helper_calls: self.helper_calls.as_mut_ptr() }
    }
}

/// How `--stats` names an operation that calls the helper: its opcode and,
/// where it has one, its `op` parameter (`VBin.UMaxP`, `FpBin.Add`).
pub fn helper_key(op: &zarm_ir::Op) -> Box<str> {
    match op.params().into_iter().find(|(name, _)| *name == "op") {
        Some((_, sub)) => format!("{}.{sub}", op.name()).into(),
        None => op.name().into(),
    }
}

#[derive(Default, Debug, Clone)]
pub struct JitStats {
    /// Time spent translating (decode, optimise, emit, install).
    pub compile_ns: u64,
    pub blocks_compiled: u64,
    /// Blocks installed from another thread's translation
    /// (`SharedTranslations`) instead of compiled.
    pub blocks_shared: u64,
    pub guest_insns_compiled: u64,
    pub host_bytes: u64,
    pub compile_fallbacks: u64,
    pub entries: u64,
    pub routes: BTreeMap<(Route, bool), u64>,
    /// The optimising tier: regions compiled, their guest blocks and
    /// instructions, host bytes, Cranelift time; hot blocks whose region
    /// was not formed (not eligible) or not compiled (a Cranelift error).
    pub regions: u64,
    pub region_blocks: u64,
    pub region_guest_insns: u64,
    pub region_host_bytes: u64,
    pub region_compile_ns: u64,
    pub regions_rejected: u64,
    /// Why: the hot block has an operation the tier would call the helper
    /// for where the baseline lowers it (counted by operation), no loop
    /// inside the region returns to it, or a block about as hot leaves
    /// the region through BLR/RET/SVC on every trip.
    pub rejected_ops: BTreeMap<Box<str>, u64>,
    pub rejected_no_loop: u64,
    pub rejected_hot_exit: u64,
    /// Of the rejections, those taken from another thread's verdict
    /// (`SharedTranslations::rejected`) instead of forming the region.
    pub rejected_shared: u64,
    /// Regions installed from another thread's compilation
    /// (`SharedTranslations::regions`), and countdowns started again to
    /// wait for a region another thread was having compiled.
    pub regions_shared: u64,
    pub region_waits: u64,
    /// Countdowns started again because the baseline was still compiling
    /// new blocks (`BASELINE_WORK`).
    pub regions_deferred: u64,
    pub regions_failed: u64,
    /// Regions compiled but dropped: their guest code changed meanwhile.
    pub regions_discarded: u64,
}

#[cfg_attr(not(target_arch = "s390x"), allow(dead_code))]
pub struct JitEngine {
    cache: CodeCache<BlockMeta>,
    cfg: EmitConfig,
    ctx: Box<JitContext>,
    /// This engine's slot in the exit-request registry (host signals).
    exit_slot: Option<usize>,
    ibtc: Box<[[u64; 2]]>,
    fault_exit: u64,
    opts: TranslateOptions,
    /// The IR (as lifted) of a block the interpreter ran until it turned
    /// warm (`give_block`): compiled instead of translating it again.
    given: Option<zarm_ir::Block>,
    /// Compile without chaining or the indirect-branch cache, so every
    /// trampoline call runs exactly one block (lock-step mode).
    pub single_block: bool,
    /// Offer translations to the other threads and install theirs
    /// (`--share-translations`; not with `--dump` nor in lock-step, see
    /// `shares`).
    pub share: bool,
    pub dump: bool,
    pub stats: JitStats,
    /// Per-block execution counters, when counting is on (`--stats`).
    pub counters: Option<Vec<Box<BlockCount>>>,
    /// The optimising tier, when on.
    tier: Option<TierState>,
    /// Why `--tier=auto` left the tier off here.
    pub tier_unavailable: Option<String>,
}

/// How many times a thread waits for another thread's region at one loop
/// head (a countdown's worth of trips each) before forming its own: the
/// compile thread resolves every mark, so this is only a safety net.
const REGION_WAITS: u32 = 64;

/// The optimising tier of one engine (see `backend_s390x::clif`).
struct TierState {
    facilities: HostFacilities,
    /// The compiler for synchronous use (lock-step mode, `ZARM_TIER_SYNC`).
    compiler: Option<zarm_backend_s390x::clif::Tier>,
    sync: bool,
    threshold: i64,
    /// This thread's tier-up table (`JitContext::countdowns`): the entries
    /// so far of each block with a countdown, by slot.
    countdowns: Box<[i64]>,
    /// This engine's end of the process's compile thread.
    worker: Option<TierWorker>,
    /// Regions sent to the compile thread, by job number (not by entry
    /// PC: a PC's code may be rewritten and its new region requested while
    /// the old one is still compiling).
    pending: std::collections::HashMap<u64, PendingRegion>,
    next_job: u64,
    /// Guest ranges invalidated while regions were pending.
    invalidations: Vec<(u64, u64)>,
    /// Countdowns started again at each loop head to wait for another
    /// thread's region (bounded as a safety net: the compile thread
    /// resolves every mark, see `OfferMark`).
    region_waits: std::collections::HashMap<u64, u32>,
    /// `--tier-start-wait` (never with a threshold of 1 or in lock-step).
    start_wait: bool,
    /// Per latch slot: `BASELINE_WORK` at its last countdown, and how many
    /// times its region waited for the start-up to end.
    start_seen: std::collections::HashMap<u32, (u64, u32)>,
}

struct PendingRegion {
    pc: u64,
    /// `invalidations.len()` when the region was formed.
    log_at: usize,
    counters: Vec<Box<BlockCount>>,
}

struct TierJob {
    id: u64,
    pc: u64,
    cfg: zarm_backend_s390x::clif::TierConfig,
    region: zarm_backend_s390x::clif::Region,
    /// Offer the region to the other threads when compiled, if its loop
    /// head is still marked as compiling by this job.
    offer: Option<OfferMark>,
}

/// A loop head marked as compiling for offer (`RegionOffers::compiling`)
/// by one job; the mark goes with this, whatever becomes of the job (so
/// no thread waits for a region that will not come).
struct OfferMark {
    offers: Arc<std::sync::Mutex<RegionOffers>>,
    pc: u64,
    token: u64,
}

impl OfferMark {
    fn new(offers: &Arc<std::sync::Mutex<RegionOffers>>, pc: u64) -> OfferMark {
        let token = REGION_TOKENS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        offers.lock().unwrap_or_else(|e| e.into_inner()).compiling.insert(pc, token);
        OfferMark { offers: offers.clone(), pc, token }
    }
}

impl Drop for OfferMark {
    fn drop(&mut self) {
        let mut o = self.offers.lock().unwrap_or_else(|e| e.into_inner());
        if o.compiling.get(&self.pc) == Some(&self.token) {
            o.compiling.remove(&self.pc);
        }
    }
}

struct TierDone {
    id: u64,
    pc: u64,
    region: zarm_backend_s390x::clif::Region,
    result: Result<Arc<SharedRegion>, String>,
    /// For `--dump`: where the function starts after the shim, its CLIF.
    fn_off: u32,
    clif: Option<String>,
    ns: u64,
}

/// The guest code a region covers: its blocks' code as ranges in address
/// order, those whose pages touch or neighbour merged, so that the ranges
/// are page-disjoint and few — one for a loop and its nearby callees, one
/// more for each callee far away (another library, code generated at run
/// time).
fn region_ranges(region: &zarm_backend_s390x::clif::Region) -> Vec<(u64, u64)> {
    let mut spans: Vec<(u64, u64)> = region.blocks.iter().map(|b| (b.start_pc, b.end_pc.max(b.start_pc + 4))).collect();
    spans.sort_unstable();
    let mut ranges: Vec<(u64, u64)> = Vec::with_capacity(spans.len());
    for (start, end) in spans {
        match ranges.last_mut() {
            Some(last) if start / GUEST_PAGE <= (last.1 - 1) / GUEST_PAGE + 1 => last.1 = last.1.max(end),
            _ => ranges.push((start, end)),
        }
    }
    ranges
}

/// Does any of `ranges` overlap `[start, end)`?
fn overlaps(ranges: &[(u64, u64)], start: u64, end: u64) -> bool {
    ranges.iter().any(|&(low, high)| low < end && high > start)
}


static REGION_TOKENS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

/// Start-up detection for the tier: baseline blocks compiled or installed
/// so far, by any thread. A latch whose countdown reaches zero forms its
/// region only if this did not move since the latch's previous countdown
/// (`threshold` trips of its loop earlier): while the program is still
/// starting — running code it has not run before — hot loops wait (their
/// countdowns start again, at most `START_DEFERRALS` times) instead of
/// having the compile thread take CPU from the start for regions with
/// little time left to pay off (the tiering delay of .NET's tiered
/// compilation is the same idea, in time; counting trips keeps it
/// independent of the host's speed). A steady loop pays one countdown's
/// trips more before its region.
static BASELINE_WORK: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
const START_DEFERRALS: u32 = 64;

/// Counts one more wait in `n`, unless `max` are counted already.
fn one_more_wait(n: &mut u32, max: u32) -> bool {
    let more = *n < max;
    *n += more as u32;
    more
}

/// An engine's end of the compile thread: where its results come back,
/// and how the thread tells it they are there.
struct TierWorker {
    rx: std::sync::mpsc::Receiver<TierDone>,
    reply: TierReply,
}

/// Where the compile thread sends a job's result.
#[derive(Clone)]
struct TierReply {
    done: std::sync::mpsc::Sender<TierDone>,
    /// The engine's `exit_request` flag, raised when a job is done; `None`
    /// once the engine is gone.
    wake: std::sync::Arc<std::sync::Mutex<Option<usize>>>,
    /// Set when a job is done, cleared by `poll_tier` before it drains.
    ready: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

/// The compile thread of this process, shared by every guest thread's
/// engine: jobs in order of arrival, each result sent back to the engine
/// that asked (`TierReply`). It belongs to the process that started it:
/// a forked child starts its own.
struct TierService {
    pid: u32,
    facilities: HostFacilities,
    /// The one sender of the thread's queue: dropping it ends the thread
    /// once the queue is empty.
    tx: std::sync::mpsc::Sender<(TierJob, TierReply)>,
    handle: Option<std::thread::JoinHandle<()>>,
    /// The thread's kernel id, once it runs (0 before).
    tid: std::sync::Arc<std::sync::atomic::AtomicI32>,
}

static TIER_SERVICE: std::sync::Mutex<Option<TierService>> = std::sync::Mutex::new(None);

/// Whether `service` is a compile thread of this process (a forked child
/// inherits its parent's record but not the thread).
fn service_here(service: &Option<TierService>) -> bool {
    service.as_ref().is_some_and(|s| s.pid == std::process::id())
}

/// Whether this process has a compile thread now (`--stats`).
pub fn tier_thread_running() -> bool {
    service_here(&TIER_SERVICE.lock().unwrap_or_else(|e| e.into_inner()))
}

/// Ends the compile thread once it has compiled what it was sent (the
/// results stay in the engines' channels; the next job starts a new
/// thread). Called before `fork`: the child then has no thread that does
/// not exist in it, and qemu-user 7.2 crashes a child forked while
/// another thread runs.
pub fn stop_tier_threads() {
    let service = TIER_SERVICE.lock().unwrap_or_else(|e| e.into_inner()).take();
    if let Some(TierService { tx, handle, tid, .. }) = service {
        // The thread wakes at once and ends when its queue is empty.
        drop(tx);
        if let Some(h) = handle {
            let _ = h.join();
        }
        // A join returns when the thread's id is cleared, but under
        // qemu-user the host thread still runs qemu's own exit code for a
        // moment, holding glib's allocator lock at times: a child forked
        // then hangs in its first translation. Wait until the kernel has
        // let the thread go (at most 0.5 s; at once on hardware).
        let tid = tid.load(std::sync::atomic::Ordering::SeqCst);
        if tid > 0 {
            let task = format!("/proc/self/task/{tid}");
            for _ in 0..500 {
                if !std::path::Path::new(&task).exists() {
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
        }
    }
}

impl Drop for TierWorker {
    fn drop(&mut self) {
        if let Ok(mut w) = self.reply.wake.lock() {
            *w = None;
        }
    }
}

// SAFETY: the raw addresses in a job (block counters) point at boxes the
// engine keeps alive while the job is pending; the compile thread only
// embeds them in code.
unsafe impl Send for TierJob {}

fn compile_job(compiler: &mut zarm_backend_s390x::clif::Tier, job: TierJob) -> TierDone {
    let t0 = std::time::Instant::now();
    let (mut fn_off, mut clif) = (0, None);
    let result = compiler.compile(&job.region, &job.cfg).map(|c| {
        let (mut code, off) = emit::region_shim(job.pc, job.cfg.exit_checks);
        code.extend_from_slice(&c.code);
        let mut pc_map = vec![(0u32, job.pc)];
        pc_map.extend(c.pc_ranges.iter().map(|(start, _, gpc)| (off + start, *gpc)));
        (fn_off, clif) = (off, c.clif);
        Arc::new(SharedRegion { ranges: region_ranges(&job.region), code, pc_map, helper_ops: Arc::new(c.helper_ops), guest_insns: c.guest_insns })
    });
    if let (Some(mark), Ok(r)) = (&job.offer, &result) {
        let mut o = mark.offers.lock().unwrap_or_else(|e| e.into_inner());
        // Not if the guest code was logged as changed since (the mark is
        // gone, see `SharedTranslations::forget_page`); the mark itself
        // goes with the job.
        if o.compiling.get(&job.pc) == Some(&mark.token) {
            o.regions.insert(job.pc, r.clone());
        }
    }
    TierDone { id: job.id, pc: job.pc, region: job.region, result, fn_off, clif, ns: t0.elapsed().as_nanos() as u64 }
}

/// The compile thread's loop: compiles each job and hands the result to
/// the engine that sent it, raising that engine's `exit_request` so its
/// chained code returns to the dispatcher, which installs the region.
fn tier_service_loop(facilities: HostFacilities, jobs: std::sync::mpsc::Receiver<(TierJob, TierReply)>, tid: std::sync::Arc<std::sync::atomic::AtomicI32>) {
    // SAFETY: gettid cannot fail.
    tid.store(unsafe { libc::gettid() }, std::sync::atomic::Ordering::SeqCst);
    // Compiling uses what CPU the guest leaves: the lowest priority (Linux
    // nice values are per thread), so a guest with a thread per core is
    // not slowed by its optimiser (medians of 5 under qemu-s390x on two
    // cores, the threads workload with --tier=on: 1828 -> 1642 ms and 1981
    // -> 1906 ms in a second series; single-threaded workloads, which
    // leave a core free, unchanged). A failure leaves the priority as is.
    // SAFETY: changes this thread's own nice value.
    unsafe { libc::setpriority(libc::PRIO_PROCESS, 0, 19) };
    // Host signals are for guest threads: one that lands here is passed on
    // (see `mark_internal_thread`); none is blocked here, whatever the
    // spawning thread blocked at the time.
    crate::signal::mark_internal_thread();
    // SAFETY: sets this thread's own mask to empty.
    unsafe {
        let mut none: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut none);
        libc::pthread_sigmask(libc::SIG_SETMASK, &none, std::ptr::null_mut());
    }
    // Made with the first job: the thread starts with the tier, and a
    // program that never turns hot should not pay for setting up Cranelift.
    let mut compiler = None;
    loop {
        // Ends when `stop_tier_threads` drops the sender.
        let Ok((job, reply)) = jobs.recv() else { break };
        let done = match compiler.get_or_insert_with(|| zarm_backend_s390x::clif::Tier::new(facilities)) {
            Ok(c) => compile_job(c, job),
            Err(e) => TierDone { id: job.id, pc: job.pc, region: job.region, result: Err(e.clone()), fn_off: 0, clif: None, ns: 0 },
        };
        // An engine that is gone has dropped its receiver.
        if reply.done.send(done).is_err() {
            continue;
        }
        reply.ready.store(true, std::sync::atomic::Ordering::Release);
        let wake = reply.wake.lock();
        if let Ok(Some(flag)) = wake.as_deref() {
            // SAFETY: the flag's engine is alive while it is named here
            // (its worker clears it under this lock before the engine
            // goes).
            unsafe { std::sync::atomic::AtomicU64::from_ptr(*flag as *mut u64).store(1, std::sync::atomic::Ordering::Release) };
        }
    }
}

/// Queues a job on the process's compile thread, starting it if this
/// process has none (after `stop_tier_threads`, in a forked child, or if
/// it could not start with the tier). Fails if no thread can run it.
fn tier_service_send(facilities: HostFacilities, job: TierJob, reply: TierReply) -> Result<(), TierJob> {
    let mut service = TIER_SERVICE.lock().unwrap_or_else(|e| e.into_inner());
    if !tier_service_start(&mut service, facilities) {
        return Err(job);
    }
    let s = service.as_ref().expect("started above");
    if s.facilities != facilities {
        // Every engine of a process has the same facilities (one
        // `--assist`); a job for others is not this thread's.
        return Err(job);
    }
    s.tx.send((job, reply)).map_err(|e| e.0 .0)
}

/// Starts the process's compile thread unless it has one; false if no
/// thread can be started.
fn tier_service_start(service: &mut Option<TierService>, facilities: HostFacilities) -> bool {
    if !service_here(service) {
        let pid = std::process::id();
        let (tx, jobs) = std::sync::mpsc::channel();
        let tid = std::sync::Arc::new(std::sync::atomic::AtomicI32::new(0));
        let tid_thread = tid.clone();
        let handle = std::thread::Builder::new().name("zarm-tier".into()).spawn(move || tier_service_loop(facilities, jobs, tid_thread)).ok();
        if handle.is_none() {
            *service = None;
            return false;
        }
        *service = Some(TierService { pid, facilities, tx, handle, tid });
    }
    true
}

impl TierState {
    /// Starts latch `slot`'s countdown again (generated code, the table's
    /// other writer, is not running on this thread now).
    fn restart_countdown(&mut self, slot: u32) {
        self.countdowns[slot as usize] = 0;
    }

    fn compile_now(&mut self, job: TierJob) -> TierDone {
        if self.compiler.is_none() {
            match zarm_backend_s390x::clif::Tier::new(self.facilities) {
                Ok(c) => self.compiler = Some(c),
                Err(e) => return TierDone { id: job.id, pc: job.pc, region: job.region, result: Err(e), fn_off: 0, clif: None, ns: 0 },
            }
        }
        compile_job(self.compiler.as_mut().unwrap(), job)
    }

    /// Sends a job to the process's compile thread; the result comes back
    /// through this engine's channel (`poll_tier`). A job no thread takes
    /// is forgotten (the block stays baseline).
    fn send(&mut self, job: TierJob, exit_request: usize) {
        let reply = match self.worker.as_ref() {
            Some(w) => w.reply.clone(),
            None => {
                let (done, rx) = std::sync::mpsc::channel();
                let reply = TierReply { done, wake: Default::default(), ready: Default::default() };
                self.worker = Some(TierWorker { rx, reply: reply.clone() });
                reply
            }
        };
        if let Ok(mut t) = reply.wake.lock() {
            *t = Some(exit_request);
        }
        let id = job.id;
        if tier_service_send(self.facilities, job, reply).is_err() {
            self.pending.remove(&id);
        }
    }

    /// Has the compile thread finished a job of this engine since the last
    /// poll?
    fn has_ready(&self) -> bool {
        self.worker.as_ref().is_some_and(|w| w.reply.ready.load(std::sync::atomic::Ordering::Acquire))
    }

    fn try_recv(&mut self) -> Option<TierDone> {
        self.worker.as_ref()?.rx.try_recv().ok()
    }
}

/// Why a hot block did not become a region (`JitStats::rejected_ops` …).
#[derive(Clone, Debug)]
enum Rejection {
    Op(Box<str>),
    NoLoop,
    HotExit,
}

/// Is the region's entry block (`blocks[0]`) on a cycle of edges between
/// its blocks (direct ones, through calls, and the predicted `indirect`
/// ones; a call to the entry itself is recursion and not counted), so
/// that the region runs a loop without leaving?
fn loops_to_entry(blocks: &[zarm_ir::Block], indirect: &[Vec<u64>]) -> bool {
    let index: std::collections::HashMap<u64, usize> = blocks.iter().enumerate().map(|(i, b)| (b.start_pc, i)).collect();
    let succ = |i: usize| -> Vec<usize> {
        let b = &blocks[i];
        // A call to the entry is recursion, not a loop; other calls go on
        // through the callee (whose return the region predicts).
        if is_call(b) && b.term.direct_targets().contains(&blocks[0].start_pc) {
            return Vec::new();
        }
        b.term.direct_targets().into_iter().chain(indirect.get(i).into_iter().flatten().copied()).filter_map(|t| index.get(&t).copied()).collect()
    };
    let mut seen = vec![false; blocks.len()];
    let mut work = succ(0);
    while let Some(i) = work.pop() {
        if i == 0 {
            return true;
        }
        if !std::mem::replace(&mut seen[i], true) {
            work.extend(succ(i));
        }
    }
    false
}

/// The target a BR/BLR is predicted to take: the guest's current value of
/// the register it jumps through, when the block does not write that
/// register before (a loop's function pointer). Not a PLT stub's branch
/// through the GOT entry it loads: predicting that (to where the entry
/// points) was tried on 2026-12-07 and not kept — it took static glibc's
/// memcpy (called through an IFUNC PLT stub) into the qsort workload's
/// merge-loop regions, 9 -> 23 blocks, and the workload from 768 to 985
/// ms under qemu-s390x (medians of 7; a region loads every guest register
/// it uses when entered, and this one is entered once per merge), while a
/// dynamically linked loop calling libc ran no faster with 98% instead
/// of 30% of its instructions in regions (460 against 420 ms, medians of
/// 7; minima 388 and 400).
fn indirect_guess(block: &zarm_ir::Block, cpu: &CpuState) -> Option<u64> {
    let zarm_ir::Terminator::JumpIndirect { target, is_return: false, .. } = block.term else { return None };
    let zarm_ir::Op::GetGpr { r } = block.ops.get(target.index())? else { return None };
    let written = block.ops.iter().any(|op| matches!(op, zarm_ir::Op::SetGpr { r: w, .. } if w == r));
    (!written && *r < 31).then(|| cpu.x[*r as usize])
}

/// Does the block end in a call, direct (BL) or through a register (BLR)?
/// Its return address is its end.
fn ends_in_call(block: &zarm_ir::Block) -> bool {
    is_call(block) || matches!(block.term, zarm_ir::Terminator::JumpIndirect { is_call: true, .. })
}

/// Does the block end in a direct call (BL: a jump that sets the link
/// register to the return address)? Recursion is not a loop.
fn is_call(block: &zarm_ir::Block) -> bool {
    matches!(block.term, zarm_ir::Terminator::Jump { .. })
        && block.ops.iter().any(|op| match op {
            zarm_ir::Op::SetGpr { r: 30, v } => matches!(block.ops.get(v.index()), Some(zarm_ir::Op::Const { value }) if *value == block.end_pc),
            _ => false,
        })
}

/// The loop head a block branches back to: a direct target at or before
/// its own start (the taken side first); not for calls.
fn backward_target(block: &zarm_ir::Block) -> Option<u64> {
    if is_call(block) {
        return None;
    }
    match block.term {
        zarm_ir::Terminator::Jump { target } if target <= block.start_pc => Some(target),
        zarm_ir::Terminator::Branch { taken, .. } if taken <= block.start_pc => Some(taken),
        zarm_ir::Terminator::Branch { not_taken, .. } if not_taken <= block.start_pc => Some(not_taken),
        _ => None,
    }
}

/// Most guest blocks in one region (wherever they are: a callee far from
/// the loop is in the region too, its code one more of the region's guest
/// ranges, see `region_ranges`).
const MAX_REGION_BLOCKS: usize = 24;

/// Why the JIT cannot run here.
pub fn unavailable_reason() -> Option<&'static str> {
    if cfg!(target_arch = "s390x") {
        None
    } else {
        Some("the JIT engine generates s390x code and needs an s390x host (or zarm built for s390x under qemu-s390x)")
    }
}

fn branch_field(site: u64, target: u64) -> Option<[u8; 4]> {
    // `site` is the address of the BRCL's 32-bit field, two bytes into it.
    emit::brcl_field(site - 2, target)
}

impl Drop for JitEngine {
    fn drop(&mut self) {
        // The compile thread must stop naming this engine's context first.
        self.tier = None;
        if let Some(slot) = self.exit_slot {
            crate::signal::unregister_exit_request(slot);
        }
    }
}

impl JitEngine {
    /// An engine for a guest window of 2^`window_bits` bytes.
    pub fn new(facilities: HostFacilities, code_budget: usize, window_bits: u32) -> std::io::Result<Self> {
        let (fixed, fault_off) = emit::fixed_code();
        let cache = CodeCache::new(code_budget, &fixed, branch_field)?;
        let fault_exit = cache.fixed_addr() + fault_off as u64;
        let mut ibtc = vec![[u64::MAX, 0]; IBTC_ENTRIES].into_boxed_slice();
        let ctx = Box::new(JitContext::new(std::ptr::null_mut(), std::ptr::null_mut(), ibtc.as_mut_ptr(), std::ptr::null()));
        crate::memory::install_fault_handler();
        let mut ctx = ctx;
        let exit_slot = crate::signal::register_exit_request(&mut ctx.exit_request);
        Ok(JitEngine {
            cache,
            // Guest page permissions are enforced by the host MMU (the
            // guest space mirrors them; faults come back through
            // `generated_code_fault`); `checked_pages` (--checked-pages) checks
            // the permission table in generated code instead.
            cfg: EmitConfig {
                facilities,
                guest_addr_bits: window_bits,
                window_guard: true,
                checked_pages: false, exit_checks: true,
            },
            ctx,
            exit_slot,
            ibtc,
            fault_exit,
            opts: TranslateOptions::default(),
            given: None,
            single_block: std::env::var_os("ZARM_JIT_SINGLE_BLOCK").is_some(),
            share: true,
            dump: false,
            stats: JitStats::default(),
            counters: None,
            tier: None,
            tier_unavailable: None,
        })
    }

    /// Turns the optimising tier on: blocks entered `threshold` times are
    /// recompiled with their hot successors by Cranelift. Fails (and the
    /// engine stays baseline-only) where Cranelift cannot run: hosts below
    /// its z14 base, or `--assist` restricted below it, or with
    /// `--checked-pages` (the tier relies on the host MMU).
    pub fn enable_tier(&mut self, threshold: u64, start_wait: bool, thread_early: bool) -> Result<(), String> {
        if self.cfg.checked_pages {
            return Err("the optimising tier relies on the host MMU for guest page permissions; --checked-pages keeps the baseline only".into());
        }
        zarm_backend_s390x::clif::unavailable_reason(self.cfg.facilities).map_or(Ok(()), Err)?;
        self.tier = Some(TierState {
            facilities: self.cfg.facilities,
            compiler: None,
            sync: std::env::var_os("ZARM_TIER_SYNC").is_some(),
            // Generated code compares with a 32-bit immediate.
            threshold: threshold.clamp(1, i32::MAX as u64) as i64,
            countdowns: vec![0; emit::HOT_SLOTS].into_boxed_slice(),
            worker: None,
            pending: Default::default(),
            next_job: 0,
            invalidations: Vec::new(),
            region_waits: Default::default(),
            start_wait: start_wait && threshold > 1 && !self.single_block,
            start_seen: Default::default(),
        });
        // The boxed table does not move while the engine lives.
        self.ctx.countdowns = self.tier.as_mut().map_or(std::ptr::null_mut(), |t| t.countdowns.as_mut_ptr());
        // The compile thread starts with the tier (`--tier-thread=early`,
        // the default), not with the first region (`lazy`): under
        // qemu-user the process's first extra thread discards every
        // translation qemu has made (its code turns thread-safe), so the
        // later it comes the more is translated again (medians of 5 under
        // qemu-s390x: matmul 757 -> 634 ms against starting it with the
        // first region, qsort 888 -> 837; re-measured on 2026-12-07,
        // medians of 9: 704 -> 631 and 967 -> 834). A program that never
        // turns hot pays for the thread's existence under qemu (the
        // start-up workload 149 -> 164 ms per run; 149 -> 169 re-measured,
        // `--tier=off` 146), which `lazy` avoids. Natively it is one idle
        // thread. If it cannot start, the first region tries again.
        // `run_image` sets the engine up before it reserves the guest
        // window: qemu's flush walks a descriptor per reserved page (2^21
        // of them for a 2^33-byte window), so a thread started after the
        // reservation cost the start-up workload 4 ms more (168 -> 164 ms
        // per run, medians of 21; `--tier=off` 146).
        if thread_early && !self.single_block && !self.tier.as_ref().is_some_and(|t| t.sync) {
            tier_service_start(&mut TIER_SERVICE.lock().unwrap_or_else(|e| e.into_inner()), self.cfg.facilities);
        }
        Ok(())
    }

    /// Check guest page permissions in generated code (before anything
    /// is compiled) instead of relying on the host MMU.
    pub fn set_checked_pages(&mut self, on: bool) {
        self.cfg.checked_pages = on;
    }

    /// The lifted IR of the block the next cache miss will compile, if it
    /// is that block's (the dispatcher's interpreter made it); it is
    /// optimised only if no other thread's translation is installed.
    pub fn give_block(&mut self, block: zarm_ir::Block) {
        self.given = Some(block);
    }

    /// Does the block at guest `pc` have a translation (here, or one
    /// another thread offers)?
    pub fn has_code(&mut self, space: &GuestSpace, pc: u64) -> bool {
        self.cache.lookup(pc).is_some() || (self.shares() && space.translations.is_active() && {
            let _g = space.lock();
            space.translations.get(pc, self.cfg.checked_pages, self.hot_threshold()).is_some()
        })
    }

    /// Are translations shared with the other threads? Not when every
    /// block is dumped or compared (lock-step).
    pub(crate) fn shares(&self) -> bool {
        self.share && !self.dump && !self.single_block
    }

    /// The generated code of the block at guest `pc` and its host address.
    pub fn code_for(&mut self, pc: u64) -> Option<(Vec<u8>, u64)> {
        let (id, _) = self.cache.lookup(pc)?;
        let e = self.cache.get(id)?;
        Some((self.cache.code_bytes(e).to_vec(), self.cache.code_addr(e)))
    }

    /// Is the optimising tier on?
    pub fn tier_on(&self) -> bool {
        self.tier.is_some()
    }

    /// Regions sent to the compile thread and not back yet.
    pub fn regions_pending(&self) -> u64 {
        self.tier.as_ref().map_or(0, |t| t.pending.len() as u64)
    }

    pub fn cache_stats(&self) -> zarm_jit_cache::CacheStats {
        self.cache.stats
    }

    /// Forgets translations of guest code in a range (IC IVAU, munmap…).
    pub fn invalidate(&mut self, start: u64, len: u64) {
        if let Some(t) = self.tier.as_mut().filter(|t| !t.pending.is_empty()) {
            t.invalidations.push((start, len));
        }
        if self.cache.invalidate_range(start, len) > 0 {
            self.clear_ibtc();
        }
    }

    /// The tier-up threshold blocks are compiled with (`None`: no tier).
    fn hot_threshold(&self) -> Option<i32> {
        self.tier.as_ref().map(|t| t.threshold as i32)
    }

    fn clear_ibtc(&mut self) {
        for e in self.ibtc.iter_mut() {
            *e = [u64::MAX, 0];
        }
    }

    fn compile(&mut self, space: &mut GuestSpace, pc: u64) -> Result<u64, String> {
        let t0 = std::time::Instant::now();
        let r = self.compile_inner(space, pc);
        self.stats.compile_ns += t0.elapsed().as_nanos() as u64;
        BASELINE_WORK.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        r
    }

    /// Installs another thread's translation of the block at `pc`, if
    /// one is on offer, together with the other translations on offer for
    /// blocks starting near it that this cache lacks (`PREFETCH_SPAN`):
    /// one piece of code memory, chained among themselves before it is
    /// written, so it is made writable once instead of once per block and
    /// per chain.
    fn install_shared(&mut self, space: &mut GuestSpace, pc: u64) -> Result<Option<u64>, String> {
        if !space.translations.is_active() {
            return Ok(None);
        }
        // Extras only while the cache is less than half full and has never
        // had to evict, at most an eighth of it at a time: prefetched
        // blocks must not crowd out the thread's own (tests/guest/threads
        // with a 64 KiB cache: 1.7x slower when prefetching into all the
        // free room; with 16 KiB, 15% slower with the half-full rule
        // alone; with both, 4.14–4.54 s against 3.83–4.10 s before this
        // change, 3 runs each — a tiny cache thrashes either way).
        let budget = self.cache.budget();
        let limit = if self.cache.stats.pages_evicted == 0 { (budget / 8).min((budget / 2).saturating_sub(self.cache.stats.bytes_in_use)) } else { 0 };
        let (checked, threshold) = (self.cfg.checked_pages, self.hot_threshold());
        let (first, extras) = {
            let _g = space.lock();
            let Some(first) = space.translations.get(pc, checked, threshold).cloned() else { return Ok(None) };
            let extras = if limit > 0 { space.translations.near(pc, checked, threshold, limit, |start| !self.cache.contains(start)) } else { Vec::new() };
            (first, extras)
        };
        let new_block = |s: &SharedBlock| NewBlock {
            guest_start: s.start,
            guest_low: s.start,
            guest_end: s.end,
            guest_more: Vec::new(),
            code: s.code.clone(),
            entry: 0,
            exits: s.exits.clone(),
            payload: BlockMeta { pc_map: s.pc_map.clone(), helper_ops: s.helper_ops.clone(), guest_insns: s.guest_insns, hot: s.hot, hot_target: s.hot_target, region: false },
        };
        let (first, extras) = (new_block(&first), extras.iter().map(|s| new_block(s)).collect());
        self.stats.blocks_shared += self.insert_blocks(space, first, extras)?.len() as u64;
        Ok(self.cache.lookup(pc).map(|(_, addr)| addr))
    }

    /// Puts baseline blocks into the code cache (`insert_batch`: `first`,
    /// and `extras` if they fit) and write-protects their guest code.
    fn insert_blocks(&mut self, space: &mut GuestSpace, first: NewBlock<BlockMeta>, extras: Vec<NewBlock<BlockMeta>>) -> Result<Vec<zarm_jit_cache::BlockId>, String> {
        let removed_before = self.cache.stats.blocks_evicted + self.cache.stats.blocks_invalidated;
        let ids = self.cache.insert_batch(first, extras).map_err(|e| e.to_string())?;
        if self.cache.stats.blocks_evicted + self.cache.stats.blocks_invalidated != removed_before {
            // Evicted code may be named by the indirect-branch cache.
            self.clear_ibtc();
        }
        for id in &ids {
            let e = self.cache.get(*id).expect("just inserted");
            space.mark_code(e.guest_start, e.guest_end);
        }
        Ok(ids)
    }

    /// Puts a baseline block into the code cache and write-protects its
    /// guest code; returns its host address.
    fn insert_block(&mut self, space: &mut GuestSpace, b: NewBlock<BlockMeta>) -> Result<u64, String> {
        let id = self.insert_blocks(space, b, Vec::new())?[0];
        let e = self.cache.get(id).unwrap();
        Ok(self.cache.code_addr(e))
    }

    fn compile_inner(&mut self, space: &mut GuestSpace, pc: u64) -> Result<u64, String> {
        if self.shares() {
            if let Some(addr) = self.install_shared(space, pc)? {
                self.given = None;
                return Ok(addr);
            }
        }
        let mut block = match self.given.take() {
            Some(b) if b.start_pc == pc => b,
            _ => translate(space, pc, &self.opts),
        };
        zarm_ir::passes::optimize(&mut block, cfg!(debug_assertions))?;
        self.cfg.exit_checks = !self.single_block;
        // The counter lives in a box that outlives the code.
        let mut counter = self.counters.is_some().then(|| Box::new(BlockCount { count: 0, optimised: false, pc, host_bytes: 0, guest_insns: 0, routes: Vec::new(), assisted_insns: 0, helpers: Vec::new(), helper_calls: Box::new([]) }));
        let counter_ptr = counter.as_mut().map(|c| c.exec_counters(emit::helper_sites(&block, &self.cfg)));
        // Tier-up countdowns go into loop latches (blocks with a direct
        // branch back to or before their own start) and name the loop head;
        // with --tier-threshold 1 and in lock-step, into every block.
        let single = self.single_block;
        let hot_target = self.tier.as_ref().and_then(|t| if t.threshold == 1 || single { Some(block.start_pc) } else { backward_target(&block) });
        let hot = match (self.hot_threshold(), hot_target) {
            (Some(threshold), Some(_)) => {
                let _g = space.lock();
                space.translations.hot_slot(block.start_pc).map(|slot| emit::HotCount { slot, threshold })
            }
            _ => None,
        };
        let compiled: CompiledBlock = match emit::compile_counted(&block, &self.cfg, counter_ptr, hot) {
            Ok(c) => c,
            Err(_) => {
                // Too large for the fixed frame: translate a shorter block.
                self.stats.compile_fallbacks += 1;
                let mut small = translate(space, pc, &TranslateOptions { max_insns: 8 });
                zarm_ir::passes::optimize(&mut small, cfg!(debug_assertions))?;
                block = small;
                let counter_ptr = counter.as_mut().map(|c| c.exec_counters(emit::helper_sites(&block, &self.cfg)));
                emit::compile_counted(&block, &self.cfg, counter_ptr, hot)?
            }
        };
        if self.dump {
            eprintln!(
                "zarm-dump: block {:#x}\n{}-- s390x ({} bytes)\n{}",
                pc,
                zarm_ir::print::print_block(&block),
                compiled.code.len(),
                zarm_backend_s390x::disasm::disassemble(&compiled.code, 0)
            );
        }
        self.stats.blocks_compiled += 1;
        self.stats.guest_insns_compiled += block.guest_insns as u64;
        self.stats.host_bytes += compiled.code.len() as u64;
        for (k, n) in &compiled.routes {
            *self.stats.routes.entry(*k).or_default() += *n as u64;
        }
        if let Some(c) = counter.as_mut() {
            c.guest_insns = block.guest_insns;
            c.host_bytes = compiled.code.len() as u32;
            c.routes = compiled.routes.iter().map(|(k, n)| (*k, *n)).collect();
            c.assisted_insns = compiled.assisted_insns;
            // A helper operation with a native fast path in front of it
            // (scalar and vector FP) is "guarded".
            c.helpers = compiled.helper_ops.iter().map(|op| (helper_key(op), emit::lowers_natively(op, self.cfg.facilities))).collect();
        }
        let exits: Vec<Exit> = if self.single_block {
            Vec::new()
        } else {
            compiled.exits.iter().map(|x| Exit { field_offset: x.offset + 2, target: x.target }).collect()
        };
        let guest_end = block.end_pc.max(block.start_pc + 4);
        let helper_ops = Arc::new(compiled.helper_ops);
        // The unchained bytes for the other threads, taken before the
        // cache chains its copy.
        let shared = (self.shares() && space.translations.is_active()).then(|| SharedBlock {
            start: block.start_pc,
            end: guest_end,
            guest_insns: block.guest_insns,
            code: compiled.code.clone(),
            pc_map: compiled.pc_map.clone(),
            helper_ops: helper_ops.clone(),
            exits: exits.clone(),
            hot,
            hot_target: hot_target.unwrap_or(0),
            checked_pages: self.cfg.checked_pages,
        });
        let addr = self.insert_block(
            space,
            NewBlock {
                guest_start: block.start_pc,
                guest_low: block.start_pc,
                guest_end,
                guest_more: Vec::new(),
                code: compiled.code,
                entry: 0,
                exits,
                payload: BlockMeta { pc_map: compiled.pc_map, helper_ops, guest_insns: block.guest_insns, hot, hot_target: hot_target.unwrap_or(0), region: false },
            },
        )?;
        if let Some(b) = shared {
            // Offered now that its pages are write-protected (a write is
            // then logged, and drops it), and only if no invalidation was
            // logged that this thread has not applied: the guest code read
            // is still current.
            let _g = space.lock();
            if !zarm_ir::GuestMemory::code_changed(space) {
                counter = space.translations.offer(b, counter);
            }
        }
        if let (Some(c), Some(all)) = (counter, self.counters.as_mut()) {
            all.push(c);
        }
        Ok(addr)
    }

    /// Runs generated code from `cpu.pc` until it leaves to the dispatcher.
    /// `sigmask`: the guest thread's signal mask; a pending host signal it
    /// blocks does not make generated code leave.
    pub fn run(&mut self, space: &mut GuestSpace, cpu: &mut CpuState, sigmask: u64) -> Result<BlockExit, String> {
        self.poll_tier();
        loop {
            let pc = cpu.pc;
            let entry = match self.cache.lookup(pc) {
                Some((_, addr)) => addr,
                None => self.compile(space, pc)?,
            };
            if !self.single_block {
                self.ibtc[((pc >> 2) as usize) & (IBTC_ENTRIES - 1)] = [pc, entry];
            }
            self.stats.entries += 1;
            match self.enter(space, cpu, entry, sigmask)? {
                Some(exit) => return Ok(exit),
                // A block became hot before running: its region replaces
                // it, and the guest goes on there.
                None => {
                    let latch = self.cache.lookup(cpu.pc).and_then(|(id, _)| self.cache.get(id));
                    let (head, slot) = latch.map_or((cpu.pc, None), |e| (e.payload.hot_target, e.payload.hot.map(|h| h.slot)));
                    self.tier_up(space, cpu, head, slot)
                }
            }
        }
    }

    /// The hot block `pc` becomes a region: formed here (translation reads
    /// guest memory), compiled by Cranelift on the tier's compile thread
    /// (or at once in lock-step mode or with `ZARM_TIER_SYNC`), installed
    /// by `poll_tier` when ready. The guest meanwhile goes on in the
    /// baseline code. Failures keep the baseline code and are counted: the
    /// tier is an optimisation.
    fn tier_up(&mut self, space: &mut GuestSpace, cpu: &CpuState, pc: u64, latch_slot: Option<u32>) {
        // Several latches of one loop head turn hot: one region.
        let installed = self.cache.lookup(pc).and_then(|(id, _)| self.cache.get(id)).is_some_and(|e| e.payload.region);
        if installed || self.tier.as_ref().is_some_and(|t| t.pending.values().any(|p| p.pc == pc)) {
            return;
        }
        let shared = self.shares() && space.translations.is_active();
        let (verdict, offered, compiling) = if shared {
            let verdict = {
                let _g = space.lock();
                space.translations.rejected.get(&pc).cloned()
            };
            let o = space.translations.offers();
            (verdict, o.regions.get(&pc).cloned(), o.compiling.contains_key(&pc))
        } else {
            (None, None, false)
        };
        if let Some(r) = offered {
            return self.install_shared_region(pc, &r);
        }
        // Wait a countdown (the latch's starts again) for another thread's
        // region, or while the program is still starting.
        if let (None, Some(slot), Some(t)) = (&verdict, latch_slot, self.tier.as_mut()) {
            if compiling && one_more_wait(t.region_waits.entry(pc).or_default(), REGION_WAITS) {
                self.stats.region_waits += 1;
                return t.restart_countdown(slot);
            }
            if t.start_wait {
                let work = BASELINE_WORK.load(std::sync::atomic::Ordering::Relaxed);
                let (seen, n) = t.start_seen.entry(slot).or_insert((u64::MAX, 0));
                if std::mem::replace(seen, work) != work && one_more_wait(n, START_DEFERRALS) {
                    self.stats.regions_deferred += 1;
                    return t.restart_countdown(slot);
                }
            }
        }
        let r = match verdict {
            Some(why) => {
                self.stats.rejected_shared += 1;
                Ok(Some(why))
            }
            None => {
                let t0 = std::time::Instant::now();
                let r = self.request_region(space, cpu, pc);
                self.stats.region_compile_ns += t0.elapsed().as_nanos() as u64;
                if let (true, Ok(Some(why))) = (shared, &r) {
                    let _g = space.lock();
                    space.translations.rejected.insert(pc, why.clone());
                }
                r
            }
        };
        match r {
            Ok(None) => {}
            Ok(Some(why)) => {
                self.stats.regions_rejected += 1;
                match why {
                    Rejection::Op(name) => *self.stats.rejected_ops.entry(name).or_default() += 1,
                    Rejection::NoLoop => self.stats.rejected_no_loop += 1,
                    Rejection::HotExit => self.stats.rejected_hot_exit += 1,
                }
            }
            Err(e) => self.region_failed(pc, &e),
        }
    }

    fn region_failed(&mut self, pc: u64, e: &str) {
        self.stats.regions_failed += 1;
        if self.dump {
            eprintln!("zarm-dump: region at {pc:#x} not compiled: {e}");
        }
    }

    /// Can this block be part of a region? Not when it asks the dispatcher
    /// to invalidate code (IC IVAU), nor when the baseline lowers one of its
    /// operations natively and the tier would call the helper for it: the
    /// first such operation, if any.
    fn region_blocker<'b>(&self, block: &'b zarm_ir::Block) -> Option<&'b zarm_ir::Op> {
        block.ops.iter().find(|op| {
            matches!(op, zarm_ir::Op::InvalidateCode { .. })
                || (!zarm_backend_s390x::clif::lowerable(op) && emit::lowers_natively(op, self.cfg.facilities))
        })
    }

    /// Entries into the translated block at `pc` so far, from its tier-up
    /// countdown: `None` if it has no translation, `Some(None)` if it has
    /// no countdown (not a latch, or a region).
    fn entries(&mut self, pc: u64) -> Option<Option<i64>> {
        let tier = self.tier.as_ref()?;
        let (id, _) = self.cache.lookup(pc)?;
        let hot = self.cache.get(id)?.payload.hot;
        // Generated code, the other writer, is not running on this thread now.
        Some(hot.map(|h| tier.countdowns[h.slot as usize]))
    }

    /// Region formation: from the loop head, the successors that ran (at
    /// least an eighth as often, for those with a countdown) and are
    /// eligible, breadth first, however far from the entry (a callee in
    /// another library); every other edge leaves the region. One block in
    /// lock-step mode, so each call still runs exactly one block; every
    /// successor that ran with
    /// `--tier-threshold 1`. Also returns whether a block about as hot as
    /// the entry leaves through an indirect branch or a system call (then
    /// the region would be left on every trip round its loop).
    ///
    /// Calls and returns stay inside: a call's return address is a
    /// successor too; an indirect branch's predicted targets are what the
    /// guest state holds now for a BR/BLR through a register the block
    /// does not write (the function pointer of a loop calling through
    /// one), and for a RET the return addresses of the region's calls
    /// (`Region::indirect`; the tier compares the target with them and
    /// leaves for any other).
    fn form_region(&mut self, space: &mut GuestSpace, cpu: &CpuState, entry: u64) -> Result<Result<(Vec<zarm_ir::Block>, Vec<Vec<u64>>, bool), Rejection>, String> {
        let mut blocks = Vec::new();
        let mut guessed: Vec<Vec<u64>> = Vec::new();
        // Each block's entries so far, where it has a countdown.
        let mut counts: Vec<Option<i64>> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let mut work = std::collections::VecDeque::from([entry]);
        let limit = if self.single_block { 1 } else { MAX_REGION_BLOCKS };
        let threshold = self.tier.as_ref().map_or(1, |t| t.threshold);
        while let Some(pc) = work.pop_front() {
            if blocks.len() >= limit || !seen.insert(pc) {
                continue;
            }
            let entries = if pc == entry { Some(Some(threshold)) } else { self.entries(pc) };
            let entries = match entries {
                None => continue,
                Some(Some(n)) if n < threshold / 8 => continue,
                Some(n) => n,
            };
            let mut block = translate(space, pc, &self.opts);
            zarm_ir::passes::optimize(&mut block, cfg!(debug_assertions))?;
            if let Some(op) = self.region_blocker(&block) {
                if pc == entry {
                    return Ok(Err(Rejection::Op(helper_key(op))));
                }
                continue;
            }
            let mut targets = block.term.direct_targets();
            let guess = if self.single_block { None } else { indirect_guess(&block, cpu) };
            if ends_in_call(&block) {
                targets.push(block.end_pc);
            }
            targets.extend(guess);
            work.extend(targets);
            guessed.push(guess.into_iter().collect());
            counts.push(entries);
            blocks.push(block);
        }
        // A return goes back to a call of the region's, if the guest's
        // link register says so.
        let starts: std::collections::HashSet<u64> = blocks.iter().map(|b| b.start_pc).collect();
        let returns: Vec<u64> = blocks.iter().filter(|b| ends_in_call(b)).map(|b| b.end_pc).filter(|pc| starts.contains(pc)).collect();
        for (b, g) in blocks.iter().zip(guessed.iter_mut()) {
            if matches!(b.term, zarm_ir::Terminator::JumpIndirect { is_return: true, .. }) {
                *g = returns.clone();
            }
            g.retain(|t| starts.contains(t));
        }
        // A block about as hot as the entry that leaves the region (an
        // indirect branch predicted nowhere inside it, a system call, an
        // exception) makes the region leave on every trip.
        let hot_exit = blocks
            .iter()
            .zip(&guessed)
            .zip(&counts)
            .any(|((b, g), n)| b.term.direct_targets().is_empty() && g.is_empty() && n.is_some_and(|n| n >= threshold / 2));
        Ok(Ok((blocks, guessed, hot_exit)))
    }

    /// Forms the region at the hot block `pc` and sends it to be compiled;
    /// or why not.
    fn request_region(&mut self, space: &mut GuestSpace, cpu: &CpuState, pc: u64) -> Result<Option<Rejection>, String> {
        let (blocks, indirect, hot_exit) = match self.form_region(space, cpu, pc)? {
            Ok(r) => r,
            Err(why) => return Ok(Some(why)),
        };
        // A region pays a function's entry and exit (prologue, loading and
        // storing the registers it uses) on every entry: worth it only when
        // it loops back to its entry without leaving (a loop calling a
        // function through BLR/RET leaves on every iteration).
        // `--tier-threshold 1` (testing) compiles every block anyway, as
        // does lock-step mode.
        let all = self.single_block || self.tier.as_ref().is_some_and(|t| t.threshold == 1);
        if !all && !loops_to_entry(&blocks, &indirect) {
            return Ok(Some(Rejection::NoLoop));
        }
        if !all && hot_exit {
            return Ok(Some(Rejection::HotExit));
        }
        // --stats: region instructions are attributed to the routes the
        // baseline would take for them (Cranelift gets the same facilities).
        let mut counters: Vec<Box<BlockCount>> = match self.counters {
            Some(_) => blocks
                .iter()
                .map(|b| {
                    let (routes, assisted_insns) = match emit::compile(b, &self.cfg) {
                        Ok(c) => (c.routes.into_iter().collect(), c.assisted_insns),
                        Err(_) => (Vec::new(), 0),
                    };
                    // The tier's own lowerings: what it cannot lower calls
                    // the helper; its FP fast paths are guarded.
                    use zarm_backend_s390x::clif::{calls_helper, fp_fast};
                    let helpers: Vec<_> = b.ops.iter().filter(|op| calls_helper(op)).map(|op| (helper_key(op), fp_fast(op))).collect();
                    let helper_calls = vec![0; helpers.len()].into();
                    Box::new(BlockCount { count: 0, optimised: true, pc: b.start_pc, host_bytes: 0, guest_insns: b.guest_insns, routes, assisted_insns, helpers, helper_calls })
                })
                .collect(),
            None => Vec::new(),
        };
        let id = self.tier.as_mut().map_or(0, |t| {
            t.next_job += 1;
            t.next_job
        });
        let block_counters = counters.iter_mut().map(|c| &mut c.count as *mut u64 as u64).collect();
        let helper_counters = counters.iter_mut().flat_map(|c| c.helper_calls.iter_mut().map(|n| n as *mut u64 as u64)).collect();
        // Offered to the other threads when done if the guest code read is
        // current (nothing logged that this thread has not applied), checked
        // and marked under the lock an invalidation drops the marks under.
        let offer = if self.shares() && space.translations.is_active() {
            let _g = space.lock();
            let current = !zarm_ir::GuestMemory::code_changed(space);
            if current {
                // The code may run on any thread, after this one ends: its
                // counters are the space's from now on.
                space.translations.counters.append(&mut counters);
            }
            current.then(|| OfferMark::new(&space.translations.regions, pc))
        } else {
            None
        };
        let job = TierJob {
            id,
            pc,
            cfg: zarm_backend_s390x::clif::TierConfig {
                guest_addr_bits: self.cfg.guest_addr_bits,
                window_guard: self.cfg.window_guard,
                exit_checks: !self.single_block,
                one_pass: self.single_block,
                want_clif: self.dump,
                block_counters,
                helper_counters,
                atomic_counters: offer.is_some(),
            },
            region: zarm_backend_s390x::clif::Region { blocks, indirect },
            offer,
        };
        let exit_request = &mut self.ctx.exit_request as *mut u64 as usize;
        let sync = self.single_block;
        let tier = self.tier.as_mut().expect("tier_up without a tier");
        if sync || tier.sync {
            let done = tier.compile_now(job);
            self.install_region(done, counters);
        } else {
            tier.pending.insert(id, PendingRegion { pc, log_at: tier.invalidations.len(), counters });
            tier.send(job, exit_request);
        }
        Ok(None)
    }

    /// Installs the regions the compile thread finished (not those whose
    /// guest code was invalidated since they were formed).
    fn poll_tier(&mut self) {
        let Some(tier) = self.tier.as_mut() else { return };
        if !tier.has_ready() {
            return;
        }
        let mut ready = Vec::new();
        if let Some(w) = tier.worker.as_ref() {
            w.reply.ready.store(false, std::sync::atomic::Ordering::Release);
        }
        while let Some(done) = tier.try_recv() {
            let Some(p) = tier.pending.remove(&done.id) else { continue };
            // The ranges the compiled region carries (computed again only
            // for a failed compilation).
            let computed;
            let ranges: &[(u64, u64)] = match &done.result {
                Ok(r) => &r.ranges,
                Err(_) => {
                    computed = region_ranges(&done.region);
                    &computed
                }
            };
            let stale = tier.invalidations[p.log_at..].iter().any(|&(s, l)| overlaps(ranges, s, s.saturating_add(l)));
            ready.push((done, p.counters, stale));
        }
        if tier.pending.is_empty() {
            tier.invalidations.clear();
        }
        for (done, counters, stale) in ready {
            if stale {
                self.stats.regions_discarded += 1;
            } else {
                self.install_region(done, counters);
            }
        }
    }

    /// Puts a compiled region into the code cache in place of the block at
    /// its loop head `pc`.
    fn insert_region(&mut self, pc: u64, r: &SharedRegion) -> bool {
        // The range holding the loop head, then the others.
        let main = r.ranges.iter().position(|&(low, end)| low <= pc && pc < end).unwrap_or(0);
        let (guest_low, guest_end) = r.ranges[main];
        let guest_more = r.ranges.iter().enumerate().filter(|&(k, _)| k != main).map(|(_, &range)| range).collect();
        let inserted = self.cache.insert(NewBlock {
            guest_start: pc,
            guest_low,
            guest_end,
            guest_more,
            code: r.code.clone(),
            entry: 0,
            exits: Vec::new(),
            payload: BlockMeta { pc_map: r.pc_map.clone(), helper_ops: r.helper_ops.clone(), guest_insns: r.guest_insns, hot: None, hot_target: 0, region: true },
        });
        if let Err(e) = inserted {
            self.region_failed(pc, &e.to_string());
            return false;
        }
        // The replaced block (and anything evicted) may be in the
        // indirect-branch cache.
        self.clear_ibtc();
        true
    }

    /// Installs another thread's compiled region at loop head `pc`.
    fn install_shared_region(&mut self, pc: u64, r: &SharedRegion) {
        if self.insert_region(pc, r) {
            self.stats.regions_shared += 1;
        }
    }

    /// Installs a region the tier compiled for this engine.
    fn install_region(&mut self, done: TierDone, mut counters: Vec<Box<BlockCount>>) {
        let pc = done.pc;
        self.stats.region_compile_ns += done.ns;
        let r = match done.result {
            Ok(r) => r,
            Err(e) => return self.region_failed(pc, &e),
        };
        let region = &done.region;
        if self.dump {
            eprintln!(
                "zarm-dump: region at {pc:#x} ({} blocks: {})\n-- CLIF\n{}-- s390x ({} bytes: shim {}, function {})\n{}",
                region.blocks.len(),
                region.blocks.iter().map(|b| format!("{:#x}", b.start_pc)).collect::<Vec<_>>().join(" "),
                done.clif.as_deref().unwrap_or(""),
                r.code.len(),
                done.fn_off,
                r.code.len() - done.fn_off as usize,
                zarm_backend_s390x::disasm::disassemble(&r.code, 0)
            );
        }
        if !self.insert_region(pc, &r) {
            return;
        }
        self.stats.regions += 1;
        self.stats.region_blocks += region.blocks.len() as u64;
        self.stats.region_guest_insns += r.guest_insns as u64;
        self.stats.region_host_bytes += r.code.len() as u64;
        if let Some(all) = self.counters.as_mut() {
            all.append(&mut counters);
        }
    }

    #[cfg(target_arch = "s390x")]
    fn enter(&mut self, space: &mut GuestSpace, cpu: &mut CpuState, entry: u64, sigmask: u64) -> Result<Option<BlockExit>, String> {
        type Trampoline = unsafe extern "C" fn(*mut CpuState, u64, *mut JitContext, u64) -> u64;
        let base = space.base();
        let pages = space.pages_ptr();
        let space_ptr: *const GuestSpace = &*space;
        let window = space.layout.window;
        let mut mem_ref: &mut dyn GuestMemory = &mut *space;
        // SAFETY: the reference outlives the call below; helpers use it only
        // while generated code runs.
        let mem_ptr: *mut &'static mut dyn GuestMemory = unsafe { std::mem::transmute(&mut mem_ref) };
        self.ctx.cpu = cpu;
        self.ctx.mem = mem_ptr;
        self.ctx.pages = pages;
        // A host signal not yet taken by the dispatcher (and not blocked
        // by this thread) keeps the request.
        // And a region the compile thread finished since the last poll
        // (its wake-up may have come before this reset).
        self.ctx.exit_request = (crate::signal::host_pending_unblocked(sigmask) || self.tier.as_ref().is_some_and(|t| t.has_ready())) as u64;
        let state = FaultState {
            cache: &self.cache as *const _ as *const (),
            lookup: lookup_guest_pc,
            base,
            window,
            ctx: &mut *self.ctx,
            cpu,
            space: space_ptr,
            fault_exit: self.fault_exit,
        };
        FAULT_STATE.with(|s| s.set(Some(state)));
        // SAFETY: the trampoline sits at the start of code memory with the
        // signature above; the block it enters was compiled for this
        // context, CPU state layout and guest window.
        let code = unsafe {
            let enter: Trampoline = std::mem::transmute(self.cache.fixed_addr() as usize);
            enter(cpu, base, &mut *self.ctx, entry)
        };
        FAULT_STATE.with(|s| s.set(None));
        // Outside generated code NZCV is always settled (see
        // `CpuState::flags_op`): signal frames, system calls, lock-step and
        // the interpreter read `nzcv`.
        cpu.settle_flags();
        let _ = mem_ref;
        Ok(Some(match code & 0xff {
            emit::EXIT_HOT => return Ok(None),
            emit::EXIT_JUMP => BlockExit::Jump(cpu.pc),
            emit::EXIT_SYSCALL => BlockExit::Syscall { imm: (code >> 8) as u16, next_pc: cpu.pc },
            emit::EXIT_EXCEPTION => {
                let pc = cpu.pc;
                let kind = match space.fetch(pc) {
                    Err(_) => ExceptionKind::FetchFault,
                    Ok(w) if w & 0xffe0_001f == 0xd420_0000 => ExceptionKind::Breakpoint { imm: (w >> 5) as u16 },
                    Ok(w) if w & 0xffe0_001f == 0xd440_0000 => ExceptionKind::Halt { imm: (w >> 5) as u16 },
                    Ok(word) => ExceptionKind::Undefined { word },
                };
                BlockExit::Exception { kind, pc }
            }
            emit::EXIT_FAULT => {
                let mut fault = self.ctx.fault();
                if self.ctx.fault_kind == emit::helper::FAULT_OUT_OF_WINDOW {
                    // A page check failed: mapped means a permission fault.
                    fault.kind = if space.perms(fault.addr).is_some() { zarm_ir::FaultKind::Permission } else { zarm_ir::FaultKind::Unmapped };
                }
                BlockExit::Fault { pc: cpu.pc, fault }
            }
            other => return Err(format!("generated code returned an unknown exit code {other:#x}")),
        }))
    }

    #[cfg(not(target_arch = "s390x"))]
    fn enter(&mut self, _space: &mut GuestSpace, _cpu: &mut CpuState, _entry: u64, _sigmask: u64) -> Result<Option<BlockExit>, String> {
        Err(unavailable_reason().unwrap_or("").to_string())
    }
}

/// The guest PC of the instruction whose generated code contains `host`.
#[cfg_attr(not(target_arch = "s390x"), allow(dead_code))]
fn lookup_guest_pc(cache: *const (), host: u64) -> Option<u64> {
    // SAFETY: `cache` is the engine's cache, not mutated while generated
    // code runs (the only time this is called).
    let cache = unsafe { &*(cache as *const CodeCache<BlockMeta>) };
    let (_, e, off) = cache.block_at_host(host)?;
    let map = &e.payload.pc_map;
    let i = map.partition_point(|(o, _)| (*o as usize) <= off);
    map.get(i.checked_sub(1)?).map(|(_, pc)| *pc)
}

/// The guest access a faulting s390x instruction of generated code makes:
/// the offset of the guest bytes from the operand address, their number
/// and whether it writes (the emitter's loads, stores and interlocked
/// updates; see `emit`). `r4` is host r4 at the fault.
#[cfg_attr(not(target_arch = "s390x"), allow(dead_code))]
fn guest_access(insn: &[u8], r4: u64) -> Option<(u64, u64, bool)> {
    if matches!(insn[0], 0x58 | 0xba) {
        // L (RX) and CS (RS) reach guest memory only in a byte or halfword
        // atomic on its aligned word (the backend's emit/atomic.rs), whose
        // field mask is in r4; its first load faults as a write too.
        let mask = r4 as u32;
        return Some(((mask.trailing_zeros() / 8) as u64, (mask.count_ones() / 8) as u64, true));
    }
    let (size, write) = match (insn[0], insn[5]) {
        (0x42, _) => (1, true),            // STC (RX; the tier's byte stores)
        (0xe3, 0x94) => (1, false),        // LLC
        // LG, LY and L (below) reach guest memory only as the first load
        // of an atomic's compare-and-swap loop (emit/atomic.rs): the fault
        // of an atomic is a write, as the interpreter reports it.
        (0xe3, 0x04) => (8, true),         // LG
        (0xe3, 0x0f) => (8, false),        // LRVG
        (0xe3, 0x1e) => (4, false),        // LRV
        (0xe3, 0x1f) => (2, false),        // LRVH
        (0xe3, 0x90) => (1, false),        // LLGC
        (0xe3, 0x24 | 0x2f) => (8, true),  // STG, STRVG
        (0xe3, 0x3e | 0x50) => (4, true),  // STRV, STY
        (0xe3, 0x3f | 0x70) => (2, true),  // STRVH, STHY
        (0xe3, 0x72) => (1, true),         // STCY
        (0xe3, 0x58) => (4, true),         // LY
        (0xeb, 0xe4 | 0xe6 | 0xe7 | 0xe8) => (8, true), // LANG, LAOG, LAXG, LAAG
        (0xeb, 0x14) => (4, true),         // CSY
        (0xeb, 0x30) => (8, true),         // CSG
        (0xeb, 0x3e) => (16, true),        // CDSG
        (0xeb, 0xf4 | 0xf6 | 0xf7 | 0xf8) => (4, true), // LAN, LAO, LAX, LAA
        (0xe6, 0x06) => (16, false),       // VLBR
        (0xe6, 0x0e) => (16, true),        // VSTBR
        _ => return None,
    };
    Some((0, size, write))
}

/// What the host fault handler needs while generated code runs.
#[derive(Clone, Copy)]
#[allow(dead_code)]
struct FaultState {
    cache: *const (),
    lookup: fn(*const (), u64) -> Option<u64>,
    base: u64,
    window: u64,
    ctx: *mut JitContext,
    cpu: *mut CpuState,
    space: *const GuestSpace,
    fault_exit: u64,
}

thread_local! {
    static FAULT_STATE: std::cell::Cell<Option<FaultState>> = const { std::cell::Cell::new(None) };
}

/// A host SIGSEGV/SIGBUS (`memory::on_host_fault` asks here first).
/// Inside generated code it is a guest memory fault: the faulting
/// access's guest address is recomputed from the s390x instruction's
/// operands (the kernel reports only the page), the guest PC comes from
/// the block's PC map, and the PSW is pointed at the fault exit, which
/// returns `EXIT_FAULT` to the dispatcher. Returns whether the fault was
/// generated code's (and is dealt with).
///
/// # Safety
/// Only from the fault handler, with the kernel's ucontext.
#[cfg(target_arch = "s390x")]
pub(crate) unsafe fn generated_code_fault(sig: i32, _info: *mut libc::siginfo_t, uc: *mut libc::c_void) -> bool {
    // SAFETY: the kernel passes a valid ucontext; the fault state points at
    // live objects while generated code runs on this thread.
    unsafe {
        let uc = uc as *mut libc::ucontext_t;
        let psw = (*uc).uc_mcontext.psw.addr;
        if sig == libc::SIGILL {
            let st = FAULT_STATE.with(|s| s.get());
            let pc = st.and_then(|st| (st.lookup)(st.cache, psw));
            eprintln!("zarm-debug: host SIGILL at psw {psw:#x}, guest pc {pc:x?}, bytes {:02x?}", std::slice::from_raw_parts((psw - 6) as *const u8, 12));
            return false;
        }
        if let Some(st) = FAULT_STATE.with(|s| s.get()) {
            if let Some(guest_pc) = (st.lookup)(st.cache, psw) {
                let g = &(*uc).uc_mcontext.gregs;
                let insn = std::slice::from_raw_parts(psw as *const u8, 6);
                // RXY (E3…/E6…/E7…) and RSY (EB…) long-displacement forms:
                // X2 in byte 1 (RXY only), B2 and DL in bytes 2-3, DH in byte 4.
                // RX (STC 42, L 58), RS (CS BA) and VRX (E6, E7) have an
                // unsigned 12-bit displacement (VRX's byte 4 holds M3 and
                // RXB); RS has R3 where RX has X2.
                let short = matches!(insn[0], 0x42 | 0x58 | 0xba | 0xe6 | 0xe7);
                let x2 = if matches!(insn[0], 0xeb | 0xba) { 0 } else { insn[1] & 15 };
                let b2 = insn[2] >> 4;
                let dl = ((insn[2] as u32 & 15) << 8) | insn[3] as u32;
                let disp = if short { dl as i64 } else { ((((insn[4] as u32) << 12 | dl) << 12) as i32 >> 12) as i64 };
                let reg = |r: u8| if r == 0 { 0 } else { g[r as usize] };
                let host = reg(x2).wrapping_add(reg(b2)).wrapping_add(disp as u64);
                let access = guest_access(insn, g[4]);
                let guest = host.wrapping_sub(st.base).wrapping_add(access.map_or(0, |a| a.0));
                let space = st.space as *mut GuestSpace;
                // A store to a page of translated code: give the page its
                // write permission back, queue its invalidation, leave at
                // the next block boundary, and retry the store.
                if (*space).unprotect_code(guest, 1) {
                    (*st.ctx).exit_request = 1;
                    return true;
                }
                // An instruction not in the table: a read fault on a page
                // that is readable now cannot be, so it is taken as a write
                // (a read would just be retried, forever if it was one).
                let (_, size, write) = access.unwrap_or((0, 1, true));
                // Another guest thread may have changed the page since the
                // access faulted (unprotected code, mprotect): retry.
                let need = if write { crate::memory::PROT_WRITE } else { crate::memory::PROT_READ };
                if (*space).check(guest, size, need, write).is_ok() && !(*space).is_code(guest) {
                    return true;
                }
                if std::env::var_os("ZARM_DEBUG_FAULTS").is_some() {
                    eprintln!("zarm-debug: host fault at psw {psw:#x} insn {insn:02x?} host {host:#x} base {:#x} si_addr {:?}", st.base, (*_info).si_addr());
                }
                // The first inaccessible byte, and whether it is unmapped
                // or refused, as the guest's MMU would report it.
                let f = match (*space).check(guest, size, need, write) {
                    Err(f) => f,
                    Ok(_) => zarm_ir::MemFault { addr: guest, kind: zarm_ir::FaultKind::Unmapped, write },
                };
                (*st.ctx).fault_addr = f.addr;
                (*st.ctx).fault_kind = match f.kind {
                    zarm_ir::FaultKind::Unmapped => 0,
                    zarm_ir::FaultKind::Permission => 1,
                    zarm_ir::FaultKind::Alignment => 2,
                };
                (*st.ctx).fault_write = write as u64;
                (*st.cpu).pc = guest_pc;
                (*uc).uc_mcontext.psw.addr = st.fault_exit;
                // Optimised code runs on its own frame below the fixed one:
                // the fault exit unwinds from the fixed frame.
                (*uc).uc_mcontext.gregs[15] = (*st.ctx).frame_sp;
                return true;
            }
        }
        false
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn block(start: u64, end: u64, code_len: usize) -> SharedBlock {
        SharedBlock { start, end, guest_insns: ((end - start) / 4) as u32, code: vec![0; code_len], pc_map: Vec::new(), helper_ops: Arc::new(Box::new([])), exits: Vec::new(), hot: None, hot_target: 0, checked_pages: false }
    }

    fn counter(pc: u64) -> Option<Box<BlockCount>> {
        Some(Box::new(BlockCount { count: 0, optimised: false, pc, host_bytes: 0, guest_insns: 0, routes: Vec::new(), assisted_insns: 0, helpers: Vec::new(), helper_calls: Box::new([]) }))
    }

    #[test]
    fn a_page_forgets_exactly_the_translations_with_code_in_it() {
        let mut t = SharedTranslations { active: true.into(), ..Default::default() };
        // In page 0x10000; ending at its start; straddling into it from
        // below; starting in it and running into the next; in the next.
        for (s, e) in [(0x10100, 0x10140), (0xff00, 0x10000), (0xffe0, 0x10010), (0x10ff0, 0x11010), (0x11000, 0x11020)] {
            assert!(t.offer(block(s, e, 16), counter(s)).is_none());
        }
        assert_eq!(t.len(), 5);
        t.forget_page(0x10000);
        let left: Vec<u64> = t.by_pc.keys().copied().collect();
        assert_eq!(left, vec![0xff00, 0x11000]);
        assert_eq!(t.bytes, 32);
        // Counters stay: copies of forgotten code may still run.
        assert_eq!(t.counters().count(), 5);
        assert!(t.get(0xff00, false, None).is_some() && t.get(0xff00, true, None).is_none());
    }

    /// A block with a tier-up countdown is installed only by an engine
    /// counting to the same threshold (a thread without the tier has no
    /// table for it), and every thread gets the same slot for a block.
    #[test]
    fn countdown_blocks_go_to_engines_with_their_threshold_and_slots_are_per_block() {
        let mut t = SharedTranslations { active: true.into(), ..Default::default() };
        let (a, b) = (t.hot_slot(0x4000).unwrap(), t.hot_slot(0x5000).unwrap());
        assert_ne!(a, b);
        assert_eq!(t.hot_slot(0x4000), Some(a));
        let mut latch = block(0x4000, 0x4010, 16);
        latch.hot = Some(emit::HotCount { slot: a, threshold: 500 });
        assert!(t.offer(latch, None).is_none());
        assert!(t.get(0x4000, false, Some(500)).is_some());
        assert!(t.get(0x4000, false, Some(7)).is_none() && t.get(0x4000, false, None).is_none());
        // Plain blocks go to any engine.
        assert!(t.offer(block(0x6000, 0x6010, 16), None).is_none());
        assert!(t.get(0x6000, false, None).is_some() && t.get(0x6000, false, Some(500)).is_some());
    }

    /// A compiled region on offer goes when a page of its guest code is
    /// forgotten (not for other pages), and so do all compiling marks; a
    /// job's mark goes with the job, but not a newer job's mark at the same
    /// head.
    #[test]
    fn region_offers_follow_invalidations_and_jobs() {
        let mut t = SharedTranslations::default();
        let region = |low, end| Arc::new(SharedRegion { ranges: vec![(low, end)], code: vec![0; 8], pc_map: Vec::new(), helper_ops: Default::default(), guest_insns: 2 });
        t.offers().regions.insert(0x1000, region(0x1000, 0x1040));
        t.offers().regions.insert(0x3000, region(0x2ff0, 0x3010));
        let mark = OfferMark::new(&t.regions, 0x5000);
        t.forget_page(0x8000);
        assert_eq!(t.offers().regions.len(), 2);
        assert!(t.offers().compiling.is_empty(), "an invalidation anywhere drops the marks");
        t.forget_page(0x2000);
        assert!(t.offers().regions.contains_key(&0x1000) && !t.offers().regions.contains_key(&0x3000));
        drop(mark);
        let old = OfferMark::new(&t.regions, 0x6000);
        let new = OfferMark::new(&t.regions, 0x6000);
        drop(old);
        assert_eq!(t.offers().compiling.get(&0x6000), Some(&new.token));
        drop(new);
        assert!(t.offers().compiling.is_empty());
    }

    #[test]
    fn offers_beyond_the_budget_or_span_or_twice_are_refused_with_their_counter() {
        let mut t = SharedTranslations::default();
        assert!(t.offer(block(0x1000, 0x1010, 8), counter(0x1000)).is_some(), "a single-threaded guest offers nothing");
        let mut t = SharedTranslations { active: true.into(), budget: 100, ..Default::default() };
        assert!(t.offer(block(0x1000, 0x1010, 60), counter(0x1000)).is_none());
        // Already on offer.
        assert!(t.offer(block(0x1000, 0x1010, 10), counter(0x1000)).is_some());
        // Over the byte budget.
        assert!(t.offer(block(0x2000, 0x2010, 41), counter(0x2000)).is_some());
        // Longer guest code than forget_page looks back over.
        assert!(t.offer(block(0x3000, 0x3000 + SHARED_SPAN + 4, 8), counter(0x3000)).is_some());
        assert!(t.offer(block(0x2000, 0x2010, 40), None).is_none());
        assert_eq!((t.len(), t.bytes, t.counters().count()), (2, 100, 1));
    }
}
