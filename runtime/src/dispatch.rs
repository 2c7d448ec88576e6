//! The dispatcher: one loop per guest thread that finds or translates the
//! block at the guest PC, runs it on the selected engine, and handles how
//! it ended (system call, exception, fault).

use crate::syscall::{After, Process};
use crate::signal::{self, SigInfo};
use std::collections::HashMap;
use zarm_frontend_a64::{translate, TranslateOptions};
use zarm_ir::{Block, BlockExit, CpuState, ExceptionKind, FaultKind, Interpreter};

/// How the guest ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Exited(i32),
    /// Killed by this signal (its default action).
    Signaled(i32),
    /// Replaced by another aarch64 program (`execve`).
    Exec(Box<crate::process::ExecImage>),
    /// This guest thread ended with `exit` (others may live on).
    ThreadExit(i32),
}

/// A guest signal raised synchronously by an instruction.
#[derive(Debug, Clone, Copy)]
pub struct GuestSignal {
    pub sig: i32,
    pub pc: u64,
    pub addr: Option<u64>,
    pub what: &'static str,
}

/// The engine that runs guest blocks.
pub enum Engine {
    /// The IR interpreter (every host).
    Interp,
    /// Generated s390x code (s390x hosts).
    Jit(Box<crate::jit::JitEngine>),
}

pub struct Dispatcher {
    pub engine: Engine,
    interp: Interpreter,
    blocks: HashMap<u64, Block>,
    opts: TranslateOptions,
    /// Blocks translated and executed (for statistics).
    pub translated: u64,
    pub executed_blocks: u64,
    pub executed_insns: u64,
    /// Print every executed block's PC on stderr (ZARM_TRACE=1), to find
    /// the first divergence from `qemu-aarch64 -d exec`.
    pub trace: bool,
    /// Compare the JIT with the interpreter block by block.
    pub lockstep: bool,
    /// How far this thread has applied the space's invalidation log.
    inval_seen: usize,
    /// JIT engine: a block is compiled at its `jit_threshold`-th execution;
    /// the interpreter runs it before (`--jit-threshold`).
    pub jit_threshold: u64,
    /// Interpretations so far of blocks not compiled yet.
    cold: HashMap<u64, u64>,
}

impl Default for Dispatcher {
    fn default() -> Self {
        Self::new()
    }
}

impl Dispatcher {
    pub fn new() -> Self {
        Dispatcher {
            engine: Engine::Interp,
            interp: Interpreter::new(),
            blocks: HashMap::new(),
            opts: TranslateOptions::default(),
            translated: 0,
            executed_blocks: 0,
            executed_insns: 0,
            trace: std::env::var_os("ZARM_TRACE").is_some(),
            lockstep: false,
            inval_seen: 0,
            jit_threshold: 1,
            cold: HashMap::new(),
        }
    }

    /// A new thread's dispatcher starts after the invalidations so far
    /// (it has translated nothing yet).
    pub fn inval_seen_from(&mut self, proc: &Process) {
        let _g = proc.space.lock();
        self.inval_seen = proc.space.invalidated.len();
        crate::memory::set_inval_seen(self.inval_seen);
    }

    /// Drops the translations of pages in the space's invalidation log
    /// that this thread has not applied yet. With one thread the log is
    /// emptied; with more, every thread reads it and new entries make all
    /// of them leave generated code to do so.
    fn apply_invalidations(&mut self, proc: &mut Process) {
        let pages: Vec<u64> = {
            let _g = proc.space.lock();
            let log = &mut proc.space.invalidated;
            if log.len() <= self.inval_seen {
                return;
            }
            let new = log[self.inval_seen..].to_vec();
            if proc.threads.live() <= 1 {
                log.clear();
                self.inval_seen = 0;
            } else {
                self.inval_seen = log.len();
                crate::signal::request_exit_all();
            }
            crate::memory::set_inval_seen(self.inval_seen);
            new
        };
        for addr in pages {
            let page = addr & !0xfff;
            // Every block with an instruction in the page goes.
            self.blocks.retain(|_, b| b.end_pc.max(b.start_pc + 4) <= page || b.start_pc >= page + 0x1000);
            if let Engine::Jit(j) = &mut self.engine {
                j.invalidate(page, 0x1000);
            }
        }
    }

    /// This thread's raw figures, to be merged with other threads' and
    /// rendered by `RawStats::json`.
    pub fn raw_stats(&self) -> RawStats {
        match &self.engine {
            Engine::Interp => RawStats { threads: 1, translated: self.translated, exec_blocks: self.executed_blocks, exec_insns: self.executed_insns, ..Default::default() },
            Engine::Jit(j) => {
                let mut r = RawStats { threads: 1, jit: true, translation: j.stats.clone(), cache: j.cache_stats(), tier_on: j.tier_on(), tier_unavailable: j.tier_unavailable.clone(), shared: j.shares(), tier_pending: j.regions_pending(), ..Default::default() };
                // With the JIT the interpreter runs only blocks not compiled
                // yet (`interp_step` counts them); lock-step counts its
                // blocks in `executed_blocks` for its report, and they are
                // the JIT's.
                if !self.lockstep {
                    r.exec_blocks = self.executed_blocks;
                }
                r.exec_insns = self.executed_insns;
                r.cold_insns = self.executed_insns;
                // Executed figures: each block's entry count times its
                // instruction and route counts.
                r.add_block_counts(j.counters.iter().flatten());
                r
            }
        }
    }

}

/// One guest block's execution figures (all its translations, all threads).
#[derive(Default, Debug, Clone, Copy)]
pub struct BlockProfile {
    pub entries: u64,
    /// Guest instructions executed in the block.
    pub guest_insns: u64,
    /// Host code bytes of its largest translation (0 in a region).
    pub host_bytes: u32,
}

/// The `--stats` figures of one thread, or of several merged: counts only,
/// so they add up; rates and fractions are derived when rendered.
#[derive(Default, Debug, Clone)]
pub struct RawStats {
    pub threads: u64,
    /// Threads still running when the process ended that did not stop to
    /// add their figures (in a system call, say).
    pub threads_not_counted: u64,
    pub jit: bool,
    /// Interpreter: blocks translated.
    pub translated: u64,
    pub exec_blocks: u64,
    pub exec_insns: u64,
    pub assisted: u64,
    pub exec_routes: std::collections::BTreeMap<(zarm_backend_s390x::routing::Route, bool), u64>,
    /// Executed helper operations by (operation key, guarded); see
    /// `jit::BlockCount::helpers`.
    pub exec_helpers: std::collections::BTreeMap<(Box<str>, bool), u64>,
    /// Executed blocks by (guest start address, optimised): the profile
    /// behind the hottest-blocks list.
    pub blocks: std::collections::BTreeMap<(u64, bool), BlockProfile>,
    pub translation: crate::jit::JitStats,
    pub cache: zarm_jit_cache::CacheStats,
    /// The optimising tier: on, or why not; guest instructions executed
    /// in its regions.
    pub tier_on: bool,
    pub tier_unavailable: Option<String>,
    pub tier_exec_insns: u64,
    /// Translations shared between threads (`--share-translations`, and
    /// neither `--dump` nor lock-step mode).
    pub shared: bool,
    /// Regions still compiling when the figures were taken (they never
    /// ran).
    pub tier_pending: u64,
    /// Guest instructions the interpreter ran in blocks not compiled yet
    /// (`--jit-threshold`).
    pub cold_insns: u64,
}

impl RawStats {
    /// Adds the executed figures of compiled blocks: each block's entry
    /// count times its instruction and route counts, and the helper calls
    /// its code made.
    pub fn add_block_counts<'a>(&mut self, counters: impl Iterator<Item = &'a Box<crate::jit::BlockCount>>) {
        for b in counters {
            self.exec_blocks += b.count;
            self.exec_insns += b.count * b.guest_insns as u64;
            if b.optimised {
                self.tier_exec_insns += b.count * b.guest_insns as u64;
            }
            self.assisted += b.count * b.assisted_insns as u64;
            for (k, n) in &b.routes {
                *self.exec_routes.entry(*k).or_default() += b.count * *n as u64;
            }
            if b.count > 0 {
                let h = self.blocks.entry((b.pc, b.optimised)).or_default();
                h.entries += b.count;
                h.guest_insns += b.count * b.guest_insns as u64;
                h.host_bytes = h.host_bytes.max(b.host_bytes);
                // Calls made, not entries: a guarded operation whose guard
                // never failed is not listed.
                for ((key, guarded), &n) in b.helpers.iter().zip(b.helper_calls.iter()) {
                    if n > 0 {
                        *self.exec_helpers.entry((key.clone(), *guarded)).or_default() += n;
                    }
                }
            }
        }
    }

    pub fn merge(&mut self, o: &RawStats) {
        self.threads += o.threads;
        self.threads_not_counted += o.threads_not_counted;
        self.jit |= o.jit;
        self.translated += o.translated;
        self.exec_blocks += o.exec_blocks;
        self.exec_insns += o.exec_insns;
        self.assisted += o.assisted;
        self.tier_on |= o.tier_on;
        self.shared |= o.shared;
        self.tier_pending += o.tier_pending;
        if self.tier_unavailable.is_none() {
            self.tier_unavailable = o.tier_unavailable.clone();
        }
        self.tier_exec_insns += o.tier_exec_insns;
        self.cold_insns += o.cold_insns;
        for (k, n) in &o.exec_routes {
            *self.exec_routes.entry(*k).or_default() += n;
        }
        for (k, n) in &o.exec_helpers {
            *self.exec_helpers.entry(k.clone()).or_default() += n;
        }
        for (k, b) in &o.blocks {
            let h = self.blocks.entry(*k).or_default();
            h.entries += b.entries;
            h.guest_insns += b.guest_insns;
            h.host_bytes = h.host_bytes.max(b.host_bytes);
        }
        let (t, u) = (&mut self.translation, &o.translation);
        t.compile_ns += u.compile_ns;
        t.blocks_compiled += u.blocks_compiled;
        t.blocks_shared += u.blocks_shared;
        t.guest_insns_compiled += u.guest_insns_compiled;
        t.host_bytes += u.host_bytes;
        t.compile_fallbacks += u.compile_fallbacks;
        t.entries += u.entries;
        t.regions += u.regions;
        t.region_blocks += u.region_blocks;
        t.region_guest_insns += u.region_guest_insns;
        t.region_host_bytes += u.region_host_bytes;
        t.region_compile_ns += u.region_compile_ns;
        t.regions_rejected += u.regions_rejected;
        t.rejected_no_loop += u.rejected_no_loop;
        t.rejected_hot_exit += u.rejected_hot_exit;
        t.rejected_shared += u.rejected_shared;
        t.regions_shared += u.regions_shared;
        t.region_waits += u.region_waits;
        t.regions_deferred += u.regions_deferred;
        for (k, n) in &u.rejected_ops {
            *t.rejected_ops.entry(k.clone()).or_default() += n;
        }
        t.regions_failed += u.regions_failed;
        t.regions_discarded += u.regions_discarded;
        for (k, n) in &u.routes {
            *t.routes.entry(*k).or_default() += n;
        }
        let (c, d) = (&mut self.cache, &o.cache);
        c.blocks_inserted += d.blocks_inserted;
        c.blocks_invalidated += d.blocks_invalidated;
        c.blocks_evicted += d.blocks_evicted;
        c.pages_evicted += d.pages_evicted;
        c.chains_made += d.chains_made;
        c.chains_undone += d.chains_undone;
        c.code_writes += d.code_writes;
        c.bytes_in_use += d.bytes_in_use;
    }

    /// The `--stats` figures as JSON (`--stats-json`); `text` renders the
    /// same figures for people. `smc_pages`: code pages the guest wrote.
    pub fn json(&self, smc_pages: u64) -> serde_json::Value {
        use serde_json::json;
        if !self.jit {
            return json!({
                "engine": "interp",
                "threads": self.threads,
                "threads_not_counted": self.threads_not_counted,
                "blocks_translated": self.translated,
                "blocks_executed": self.exec_blocks,
                "guest_insns_executed": self.exec_insns,
                "smc_pages_unprotected": smc_pages,
            });
        }
        let (st, c, exec_insns) = (&self.translation, &self.cache, self.exec_insns);
        let frac = |n: u64| if exec_insns == 0 { 0.0 } else { n as f64 / exec_insns as f64 };
        let routes: Vec<serde_json::Value> = zarm_backend_s390x::routing::ROUTES
            .iter()
            .map(|r| {
                let tr = |native| st.routes.get(&(r.route, native)).copied().unwrap_or(0);
                let ex = |native| self.exec_routes.get(&(r.route, native)).copied().unwrap_or(0);
                json!({
                    "route": format!("{:?}", r.route),
                    "facility": r.facility.map(|f| f.name()),
                    "translated_native": tr(true),
                    "translated_fallback": tr(false),
                    "executed_native": ex(true),
                    "executed_fallback": ex(false),
                    "executed_fraction": frac(ex(true) + ex(false)),
                })
            })
            .collect();
        // Most executed first.
        let mut helpers: Vec<_> = self.exec_helpers.iter().collect();
        helpers.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let helper_ops: Vec<serde_json::Value> =
            helpers.iter().map(|((op, guarded), n)| json!({ "op": &**op, "guarded": guarded, "executed": n })).collect();
        // The hottest blocks by guest instructions executed in them.
        const HOT: usize = 20;
        let mut blocks: Vec<_> = self.blocks.iter().collect();
        blocks.sort_by(|a, b| b.1.guest_insns.cmp(&a.1.guest_insns).then(a.0.cmp(b.0)));
        let hot_blocks: Vec<serde_json::Value> = blocks
            .iter()
            .take(HOT)
            .map(|((pc, optimised), b)| {
                json!({
                    "pc": format!("{pc:#x}"),
                    "optimised": optimised,
                    "entries": b.entries,
                    "guest_insns_executed": b.guest_insns,
                    "executed_fraction": frac(b.guest_insns),
                    "host_bytes": b.host_bytes,
                })
            })
            .collect();
        json!({
            "engine": "jit",
            "threads": self.threads,
            "threads_not_counted": self.threads_not_counted,
            "blocks_executed": self.exec_blocks,
            "guest_insns_executed": exec_insns,
            "assisted_insns_executed": self.assisted,
            "assisted_fraction": frac(self.assisted),
            "dispatcher_entries": st.entries,
            "interpreted_before_compilation": {
                "guest_insns": self.cold_insns,
                "executed_fraction": frac(self.cold_insns),
            },
            "translation": {
                "blocks": st.blocks_compiled,
                "shared_between_threads": self.shared,
                "blocks_installed_from_other_threads": st.blocks_shared,
                "guest_insns": st.guest_insns_compiled,
                "host_bytes": st.host_bytes,
                "host_bytes_per_guest_insn": st.host_bytes as f64 / st.guest_insns_compiled.max(1) as f64,
                "seconds": st.compile_ns as f64 * 1e-9,
                "guest_insns_per_second": st.guest_insns_compiled as f64 / (st.compile_ns.max(1) as f64 * 1e-9),
                "fallback_short_blocks": st.compile_fallbacks,
            },
            "cache": {
                "chains_made": c.chains_made,
                "chains_undone": c.chains_undone,
                "code_writes": c.code_writes,
                "blocks_invalidated": c.blocks_invalidated,
                "blocks_evicted": c.blocks_evicted,
                "pages_evicted": c.pages_evicted,
                "bytes_in_use": c.bytes_in_use,
            },
            "tier": {
                "on": self.tier_on,
                "unavailable": self.tier_unavailable,
                "regions": st.regions,
                "region_blocks": st.region_blocks,
                "guest_insns": st.region_guest_insns,
                "host_bytes": st.region_host_bytes,
                "compile_seconds": st.region_compile_ns as f64 * 1e-9,
                "rejected": st.regions_rejected,
                "rejected_why": {
                    "ops": st.rejected_ops.iter().map(|(k, n)| (k.to_string(), serde_json::json!(n))).collect::<serde_json::Map<_, _>>(),
                    "no_loop": st.rejected_no_loop,
                    "hot_exit": st.rejected_hot_exit,
                },
                "rejected_by_other_threads_verdict": st.rejected_shared,
                "installed_from_other_threads": st.regions_shared,
                "waits_for_other_threads_region": st.region_waits,
                "deferred_while_translating": st.regions_deferred,
                "failed": st.regions_failed,
                "discarded": st.regions_discarded,
                "still_compiling_at_exit": self.tier_pending,
                // Whether this process has the compile thread when the
                // figures are taken (`--tier-thread`).
                "compile_thread_running": crate::jit::tier_thread_running(),
                "guest_insns_executed": self.tier_exec_insns,
                "executed_fraction": frac(self.tier_exec_insns),
            },
            "smc_pages_unprotected": smc_pages,
            "routes": routes,
            "helper_ops": helper_ops,
            "hot_blocks": hot_blocks,
        })
    }

    /// The `--stats` report: `json`'s figures as a table.
    pub fn text(&self, smc_pages: u64) -> String {
        use std::fmt::Write;
        let v = self.json(smc_pages);
        let mut s = String::from("zarm statistics\n");
        let _ = writeln!(s, "  engine: {}", v["engine"].as_str().unwrap_or("?"));
        let _ = writeln!(s, "  guest threads counted: {}", v["threads"]);
        if v["threads_not_counted"] != 0 {
            let _ = writeln!(s, "  guest threads not counted (still in a system call when the process ended): {}", v["threads_not_counted"]);
        }
        if v["engine"] == "interp" {
            let _ = writeln!(s, "  blocks translated: {}", v["blocks_translated"]);
            let _ = writeln!(s, "  blocks executed: {}", v["blocks_executed"]);
            let _ = writeln!(s, "  guest instructions executed: {}", v["guest_insns_executed"]);
            let _ = writeln!(s, "  code pages written by the guest (SMC): {}", v["smc_pages_unprotected"]);
            return s;
        }
        let t = &v["translation"];
        let c = &v["cache"];
        let _ = writeln!(s, "  guest instructions executed: {} in {} block entries", v["guest_insns_executed"], v["blocks_executed"]);
        let _ = writeln!(s, "  on a hardware-assisted route: {} ({:.1}%)", v["assisted_insns_executed"], 100.0 * v["assisted_fraction"].as_f64().unwrap_or(0.0));
        let _ = writeln!(s, "  dispatcher entries into generated code: {}", v["dispatcher_entries"]);
        let cold = &v["interpreted_before_compilation"];
        let _ = writeln!(s, "  interpreted before compilation (--jit-threshold): {} guest instructions ({:.1}%)", cold["guest_insns"], 100.0 * cold["executed_fraction"].as_f64().unwrap_or(0.0));
        let _ = writeln!(s, "  blocks compiled: {}, installed from other threads' translations: {}", t["blocks"], t["blocks_installed_from_other_threads"]);
        let _ = writeln!(s, "  guest instructions compiled: {}", t["guest_insns"]);
        let _ = writeln!(s, "  host code bytes: {} ({:.1} bytes per guest instruction)", t["host_bytes"], t["host_bytes_per_guest_insn"].as_f64().unwrap_or(0.0));
        let _ = writeln!(s, "  translation time: {:.3} s ({:.0} guest instructions/s)", t["seconds"].as_f64().unwrap_or(0.0), t["guest_insns_per_second"].as_f64().unwrap_or(0.0));
        let _ = writeln!(s, "  chains made: {}, undone: {}; code memory made writable {} times", c["chains_made"], c["chains_undone"], c["code_writes"]);
        let _ = writeln!(s, "  blocks invalidated: {}, evicted: {}, pages evicted: {}", c["blocks_invalidated"], c["blocks_evicted"], c["pages_evicted"]);
        let _ = writeln!(s, "  code cache bytes in use: {}", c["bytes_in_use"]);
        let _ = writeln!(s, "  code pages written by the guest (SMC): {}", v["smc_pages_unprotected"]);
        let tier = &v["tier"];
        if tier["on"] == true {
            let _ = writeln!(
                s,
                "  optimising tier: {} regions ({} blocks, {} guest instructions, {} host bytes) in {:.3} s; {} not eligible, {} failed, {} discarded, {} still compiling at exit; compile thread {}",
                tier["regions"], tier["region_blocks"], tier["guest_insns"], tier["host_bytes"], tier["compile_seconds"].as_f64().unwrap_or(0.0), tier["rejected"], tier["failed"], tier["discarded"], tier["still_compiling_at_exit"], if tier["compile_thread_running"] == true { "running" } else { "not running" }
            );
            let why = &tier["rejected_why"];
            if tier["rejected"].as_u64().unwrap_or(0) > 0 {
                let mut ops: Vec<(&String, u64)> = why["ops"].as_object().map(|m| m.iter().map(|(k, n)| (k, n.as_u64().unwrap_or(0))).collect()).unwrap_or_default();
                ops.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
                let listed: Vec<String> = ops.iter().map(|(k, n)| format!("{k} {n}")).collect();
                let _ = writeln!(
                    s,
                    "  not eligible: {} with an operation only the baseline lowers natively ({}), {} with no loop back to the entry, {} left hot through BLR/RET/SVC; {} of them another thread's verdict",
                    ops.iter().map(|(_, n)| n).sum::<u64>(),
                    if listed.is_empty() { "-".to_string() } else { listed.join(", ") },
                    why["no_loop"],
                    why["hot_exit"],
                    tier["rejected_by_other_threads_verdict"]
                );
            }
            if tier["deferred_while_translating"].as_u64().unwrap_or(0) > 0 {
                let _ = writeln!(s, "  countdowns started again {} times because new code was still being translated (start-up)", tier["deferred_while_translating"]);
            }
            if tier["installed_from_other_threads"].as_u64().unwrap_or(0) + tier["waits_for_other_threads_region"].as_u64().unwrap_or(0) > 0 {
                let _ = writeln!(
                    s,
                    "  of the regions, {} installed from another thread's compilation; countdowns started again {} times to wait for one",
                    tier["installed_from_other_threads"], tier["waits_for_other_threads_region"]
                );
            }
            let _ = writeln!(s, "  executed in optimised code: {} guest instructions ({:.1}%)", tier["guest_insns_executed"], 100.0 * tier["executed_fraction"].as_f64().unwrap_or(0.0));
        } else {
            let _ = writeln!(s, "  optimising tier: off{}", tier["unavailable"].as_str().map(|w| format!(" ({w})")).unwrap_or_default());
        }
        let _ = writeln!(s, "  routes (guest instructions; translated and executed, native / fallback; share of executed):");
        let _ = writeln!(s, "    {:<20} {:<7} {:>10} {:>10} {:>14} {:>14} {:>7}", "route", "needs", "tr.native", "tr.fallbk", "ex.native", "ex.fallback", "share");
        for r in v["routes"].as_array().into_iter().flatten() {
            let _ = writeln!(
                s,
                "    {:<20} {:<7} {:>10} {:>10} {:>14} {:>14} {:>6.2}%",
                r["route"].as_str().unwrap_or("?"),
                r["facility"].as_str().unwrap_or("base"),
                r["translated_native"].as_u64().unwrap_or(0),
                r["translated_fallback"].as_u64().unwrap_or(0),
                r["executed_native"].as_u64().unwrap_or(0),
                r["executed_fallback"].as_u64().unwrap_or(0),
                100.0 * r["executed_fraction"].as_f64().unwrap_or(0.0)
            );
        }
        let helper_ops = v["helper_ops"].as_array().cloned().unwrap_or_default();
        if !helper_ops.is_empty() {
            const SHOWN: usize = 12;
            let _ = writeln!(s, "  calls of the helper by operation (guarded: a native fast path runs first; counted only where its guard failed):");
            for h in helper_ops.iter().take(SHOWN) {
                let guarded = if h["guarded"] == true { " (guarded)" } else { "" };
                let _ = writeln!(s, "    {:<36} {:>14}", format!("{}{guarded}", h["op"].as_str().unwrap_or("?")), h["executed"].as_u64().unwrap_or(0));
            }
            if helper_ops.len() > SHOWN {
                let _ = writeln!(s, "    ... {} more in --stats-json", helper_ops.len() - SHOWN);
            }
        }
        let hot = v["hot_blocks"].as_array().cloned().unwrap_or_default();
        if !hot.is_empty() {
            let _ = writeln!(s, "  hottest blocks (guest start; entries, guest instructions executed, share, host bytes; * optimised region):");
            for b in hot.iter().take(8) {
                let _ = writeln!(
                    s,
                    "    {:>12}{} {:>12} {:>14} {:>6.2}% {:>6}",
                    b["pc"].as_str().unwrap_or("?"),
                    if b["optimised"] == true { "*" } else { " " },
                    b["entries"].as_u64().unwrap_or(0),
                    b["guest_insns_executed"].as_u64().unwrap_or(0),
                    100.0 * b["executed_fraction"].as_f64().unwrap_or(0.0),
                    b["host_bytes"].as_u64().unwrap_or(0)
                );
            }
        }
        s
    }

}

impl Dispatcher {
    /// Translates the block at `pc` for the interpreter, once. It is
    /// optimised at once when the interpreter is the engine (its blocks run
    /// many times) and in lock-step; under the JIT a cold block runs fewer
    /// than `--jit-threshold` times here, most of them once, so it runs as
    /// lifted and the JIT optimises it only if it turns warm (`still_cold`,
    /// `JitEngine::give_block`): the optimiser costs about three times what
    /// decoding and lifting do.
    fn ensure_block(&mut self, proc: &mut Process, pc: u64) {
        if !self.blocks.contains_key(&pc) {
            let mut block = translate(&mut *proc.space, pc, &self.opts);
            if !matches!(self.engine, Engine::Jit(_)) || self.lockstep {
                if let Err(e) = zarm_ir::passes::optimize(&mut block, cfg!(debug_assertions)) {
                    panic!("internal error: IR verification failed for the block at {pc:#x}: {e}");
                }
            }
            self.translated += 1;
            proc.space.mark_code(block.start_pc, block.end_pc.max(block.start_pc + 4));
            self.blocks.insert(pc, block);
        }
    }

    /// One block in lock-step: the interpreter on a copy of the state and a
    /// copy-on-write view of memory, then the JIT for real; any difference
    /// ends zarm with a report (exit status 125). Guest threads take turns
    /// (one lock around both runs and the comparison), so no other thread
    /// writes memory between the two runs of a block and a race in the
    /// guest is never reported as a divergence.
    fn lockstep_step(&mut self, proc: &mut Process, cpu: &mut CpuState) -> BlockExit {
        let pc = cpu.pc;
        self.ensure_block(proc, pc);
        let _turn = crate::lockstep::turn();
        let mut icpu = cpu.clone();
        let mut overlay = crate::lockstep::Overlay { space: &proc.space, writes: Default::default() };
        let iexit = self.interp.run(&self.blocks[&pc], &mut icpu, &mut overlay);
        let writes = std::mem::take(&mut overlay.writes);
        let Engine::Jit(j) = &mut self.engine else { unreachable!("lock-step needs the JIT") };
        let jexit = match j.run(&mut proc.space, cpu, proc.sigmask) {
            Ok(e) => e,
            Err(e) => panic!("internal error in the JIT at guest pc {pc:#x}: {e}"),
        };
        // A block that reads the virtual counter sees two different times
        // in its two runs: it is executed but not compared.
        let reads_clock = self.blocks[&pc].ops.iter().any(|op| matches!(op, zarm_ir::Op::GetSys { reg: zarm_ir::SysReg::Cntvct }));
        let mut diffs = if reads_clock { Vec::new() } else { crate::lockstep::diff_state(&icpu, cpu) };
        if iexit != jexit && !reads_clock {
            diffs.push(format!("exit: interp {iexit:?} jit {jexit:?}"));
        }
        for (addr, byte) in &writes {
            let real = proc.space.read_bytes(*addr, 1).map(|b| b[0]);
            if real != Some(*byte) {
                diffs.push(format!("memory {addr:#x}: interp wrote {byte:#04x}, jit left {real:x?}"));
                break;
            }
        }
        self.executed_blocks += 1;
        if !diffs.is_empty() {
            let host = j.code_for(pc).map(|(code, addr)| zarm_backend_s390x::disasm::disassemble(&code, addr)).unwrap_or_default();
            eprintln!(
                "zarm: lock-step divergence in the block at {pc:#x} (after {} blocks)\n  {}\n-- guest block (IR)\n{}-- s390x code\n{host}",
                self.executed_blocks,
                diffs.join("\n  "),
                zarm_ir::print::print_block(&self.blocks[&pc])
            );
            std::process::exit(125);
        }
        jexit
    }

    /// JIT engine: should the interpreter run the block at `pc`, which has
    /// no translation yet and ran fewer than `jit_threshold - 1` times? A
    /// block that turns warm leaves the interpreter's block cache for the
    /// JIT, which compiles its IR.
    fn still_cold(&mut self, space: &crate::memory::GuestSpace, pc: u64) -> bool {
        if self.jit_threshold <= 1 {
            return false;
        }
        let Engine::Jit(j) = &mut self.engine else { return false };
        if j.has_code(space, pc) {
            return false;
        }
        let n = self.cold.entry(pc).or_insert(0);
        *n += 1;
        if *n < self.jit_threshold {
            return true;
        }
        self.cold.remove(&pc);
        if let Some(block) = self.blocks.remove(&pc) {
            j.give_block(block);
        }
        false
    }

    /// Runs the interpreter on the block at `cpu.pc`.
    fn interp_step(&mut self, proc: &mut Process, cpu: &mut CpuState) -> BlockExit {
        let pc = cpu.pc;
        self.ensure_block(proc, pc);
        let block = &self.blocks[&pc];
        if self.trace {
            eprintln!("zarm-trace: block {pc:#x}");
        }
        self.executed_blocks += 1;
        self.executed_insns += block.guest_insns as u64;
        self.interp.run(block, cpu, &mut *proc.space)
    }

    /// Runs the guest until it exits or a signal kills it. When the whole
    /// process ends (exit_group, a fatal signal), the robust futex lists of
    /// all its threads are walked first, as the kernel does.
    pub fn run(&mut self, proc: &mut Process, cpu: &mut CpuState) -> Result<Outcome, GuestSignal> {
        crate::memory::install_fault_handler();
        let r = self.run_until_exit(proc, cpu);
        crate::memory::set_fault_space(std::ptr::null());
        if matches!(r, Ok(Outcome::Exited(_) | Outcome::Signaled(_)) | Err(_)) {
            proc.exit_group_robust_lists();
        }
        r
    }

    fn run_until_exit(&mut self, proc: &mut Process, cpu: &mut CpuState) -> Result<Outcome, GuestSignal> {
        loop {
            // For zarm's own writes to guest memory (`memory::on_host_fault`;
            // exec and fork replace the space).
            crate::memory::set_fault_space(&*proc.space);
            // Another thread is ending the process with --stats: this
            // thread's figures go in, and it runs no further.
            if proc.threads.stats_called() {
                proc.threads.retire_stats(&proc.me, &self.raw_stats());
                loop {
                    std::thread::park();
                }
            }
            // Pending signals the guest does not block run their handlers
            // (or default actions) before the next guest instruction.
            proc.take_thread_signals();
            while let Some(sig) = proc.take_pending() {
                let info = SigInfo::pending(sig, &proc.signals);
                if let Err(s) = proc.deliver(cpu, info, false) {
                    return Ok(Outcome::Signaled(s));
                }
            }
            // rt_sigsuspend's mask ends when a handler ran (its frame
            // holds the old mask) or here, when none did.
            if let Some(m) = proc.signals.saved_mask.take() {
                proc.sigmask = m;
            }
            self.apply_invalidations(proc);
            let exit = if self.lockstep {
                self.lockstep_step(proc, cpu)
            } else if self.still_cold(&proc.space, cpu.pc) {
                self.interp_step(proc, cpu)
            } else if let Engine::Jit(j) = &mut self.engine {
                match j.run(&mut proc.space, cpu, proc.sigmask) {
                    Ok(exit) => exit,
                    Err(e) => panic!("internal error in the JIT at guest pc {:#x}: {e}", cpu.pc),
                }
            } else {
                self.interp_step(proc, cpu)
            };
            match exit {
                BlockExit::Jump(_) => {}
                BlockExit::Syscall { .. } => {
                    match proc.syscall(cpu) {
                        After::Continue => {}
                        After::Exit(code) => return Ok(Outcome::Exited(code)),
                        After::Signal(sig) => return Ok(Outcome::Signaled(sig)),
                        After::Exec(img) => return Ok(Outcome::Exec(img)),
                        After::ThreadExit(code) => return Ok(Outcome::ThreadExit(code)),
                    }
                }
                BlockExit::Exception { kind, pc } => {
                    let (sig, what) = match kind {
                        ExceptionKind::Undefined { .. } => (libc::SIGILL, "illegal instruction"),
                        ExceptionKind::Breakpoint { .. } | ExceptionKind::Halt { .. } => (libc::SIGTRAP, "breakpoint"),
                        ExceptionKind::FetchFault => (libc::SIGSEGV, "instruction fetch fault"),
                    };
                    if let (ExceptionKind::Undefined { word }, true) = (kind, proc.strace) {
                        eprintln!("{} unknown or unallocated encoding {word:#010x} at {pc:#x}", std::process::id());
                    }
                    let addr = matches!(kind, ExceptionKind::FetchFault).then_some(pc);
                    let code = match kind {
                        ExceptionKind::Undefined { .. } => signal::ILL_ILLOPC,
                        ExceptionKind::FetchFault => signal::SEGV_MAPERR,
                        _ => signal::TRAP_BRKPT,
                    };
                    cpu.pc = pc;
                    let esr = matches!(kind, ExceptionKind::FetchFault).then(signal::insn_abort_esr);
                    match proc.deliver(cpu, SigInfo { signo: sig, code, addr: Some(pc), sender: None, esr }, true) {
                        Ok(()) => {}
                        Err(_) => return Err(GuestSignal { sig, pc, addr, what }),
                    }
                }
                BlockExit::Fault { pc, fault } => {
                    let (sig, what) = match fault.kind {
                        FaultKind::Alignment => (libc::SIGBUS, "alignment fault"),
                        FaultKind::Unmapped => (libc::SIGSEGV, "segmentation fault (unmapped)"),
                        FaultKind::Permission => (libc::SIGSEGV, "segmentation fault (permission)"),
                    };
                    let code = match fault.kind {
                        FaultKind::Alignment => signal::BUS_ADRALN,
                        FaultKind::Unmapped => signal::SEGV_MAPERR,
                        FaultKind::Permission => signal::SEGV_ACCERR,
                    };
                    cpu.pc = pc;
                    let esr = Some(signal::data_abort_esr(fault.kind, fault.write));
                    match proc.deliver(cpu, SigInfo { signo: sig, code, addr: Some(fault.addr), sender: None, esr }, true) {
                        Ok(()) => {}
                        Err(_) => return Err(GuestSignal { sig, pc, addr: Some(fault.addr), what }),
                    }
                }
            }
        }
    }
}
