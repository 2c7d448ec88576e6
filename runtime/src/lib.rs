//! The zarm runtime: the guest address space (`memory`), the ELF loader and
//! initial stack (`loader`), Linux system calls (`syscall`) and the
//! dispatcher (`dispatch`). Everything the guest sees of "Linux" lives here.

pub mod dispatch;
pub mod jit;
pub mod loader;
pub mod lockstep;
pub mod memory;
pub mod process;
pub mod procfs;
pub mod syscall;
pub mod sysio;
pub mod threads;

use std::path::{Path, PathBuf};

pub mod signal;
pub use dispatch::{GuestSignal, Outcome};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EngineKind {
    Interp,
    Jit,
}

impl EngineKind {
    /// The JIT wherever it can run (s390x hosts), else the interpreter.
    pub fn default_for_host() -> Self {
        if jit::unavailable_reason().is_none() {
            EngineKind::Jit
        } else {
            EngineKind::Interp
        }
    }
}

#[derive(Clone)]
pub struct Options {
    pub strace: bool,
    pub sysroot: Option<PathBuf>,
    pub engine: EngineKind,
    /// Byte budget of the JIT code cache.
    pub code_cache_size: usize,
    /// Print guest IR and host code of every compiled block (JIT).
    pub dump: bool,
    /// Print execution and translation statistics on stderr at exit.
    pub stats: bool,
    /// Write the same statistics as JSON to this file at exit.
    pub stats_json: Option<PathBuf>,
    /// Run every block in the interpreter and the JIT and compare.
    pub lockstep: bool,
    /// Host facilities the JIT may use (`--assist`).
    pub assist: String,
    /// The guest address window is 2^bits bytes.
    pub guest_window_bits: u32,
    /// Check guest page permissions in generated code (else the host MMU).
    pub checked_pages: bool,
    /// The optimising tier: "off" (the default), "auto" (on where
    /// Cranelift can run), "on" (an error where it cannot).
    pub tier: String,
    /// Block entries before a block's region is compiled by the tier.
    pub tier_threshold: u64,
    /// The JIT compiles a block at its N-th execution; the interpreter
    /// runs it before.
    pub jit_threshold: u64,
    /// Guest threads install each other's translations (`jit::SharedTranslations`).
    pub share_translations: bool,
    /// Hot loops wait while new code is still being translated
    /// (`--tier-start-wait`, see `jit::BASELINE_WORK`).
    pub tier_start_wait: bool,
    /// The compile thread starts with the tier (true, `--tier-thread=early`)
    /// or with the first region (`lazy`; see `JitEngine::enable_tier`).
    pub tier_thread_early: bool,
    /// The caller ends the process as soon as `run_program` returns an
    /// exit or a signal (the `zarm` command does): the guest's memory and
    /// the code memory are then left to the kernel instead of being
    /// unmapped first, which only costs time (under qemu-user 7.2 the
    /// unmapping of a 2^33-byte window walks its 2 M page descriptors
    /// again: ~45 ms of a 0.2 s start-up workload run).
    pub process_ends_on_return: bool,
}

/// The default `--jit-threshold` (see the README's measurements).
pub const DEFAULT_JIT_THRESHOLD: u64 = 8;

/// The default `--tier-threshold` (see the README's measurements).
pub const DEFAULT_TIER_THRESHOLD: u64 = 5000;

impl Options {
    /// The command-line options that give these options to a new zarm.
    pub fn to_args(&self) -> Vec<Vec<u8>> {
        let mut a: Vec<Vec<u8>> = Vec::new();
        let mut push = |s: String| a.push(s.into_bytes());
        push(format!("--engine={}", if self.engine == EngineKind::Jit { "jit" } else { "interp" }));
        push(format!("--code-cache-size={}", self.code_cache_size));
        push(format!("--assist={}", self.assist));
        push(format!("--guest-window-bits={}", self.guest_window_bits));
        push(format!("--tier={}", self.tier));
        push(format!("--tier-threshold={}", self.tier_threshold));
        push(format!("--jit-threshold={}", self.jit_threshold));
        push(format!("--share-translations={}", if self.share_translations { "on" } else { "off" }));
        push(format!("--tier-start-wait={}", if self.tier_start_wait { "on" } else { "off" }));
        push(format!("--tier-thread={}", if self.tier_thread_early { "early" } else { "lazy" }));
        for (on, flag) in [(self.strace, "--strace"), (self.dump, "--dump"), (self.stats, "--stats"), (self.lockstep, "--lockstep"), (self.checked_pages, "--checked-pages")] {
            if on {
                push(flag.into());
            }
        }
        if let Some(f) = &self.stats_json {
            let mut v = b"--stats-json=".to_vec();
            v.extend_from_slice(f.as_os_str().as_encoded_bytes());
            a.push(v);
        }
        if let Some(r) = &self.sysroot {
            let mut v = b"-L".to_vec();
            v.extend_from_slice(r.as_os_str().as_encoded_bytes());
            a.push(v);
        }
        a
    }
}

impl Default for Options {
    fn default() -> Self {
        Options { strace: false, sysroot: None, engine: EngineKind::default_for_host(), code_cache_size: 64 << 20, dump: false, stats: false, stats_json: None, lockstep: false, assist: "auto".into(), guest_window_bits: memory::DEFAULT_WINDOW_BITS, checked_pages: false, tier: "off".into(), tier_threshold: DEFAULT_TIER_THRESHOLD, jit_threshold: DEFAULT_JIT_THRESHOLD, share_translations: true, tier_start_wait: true, tier_thread_early: true, process_ends_on_return: false }
    }
}

/// Loads and runs an AArch64 program to completion, and the programs it
/// replaces itself with (`execve`), in this process.
pub fn run_program(path: &Path, argv: Vec<Vec<u8>>, envp: Vec<Vec<u8>>, opts: &Options) -> Result<Result<Outcome, GuestSignal>, String> {
    let image = process::ExecImage {
        host_path: path.to_path_buf(),
        guest_path: path.as_os_str().as_encoded_bytes().to_vec(),
        argv,
        envp,
        sigmask: 0,
        pending: 0,
        ignored: 0,
    };
    run_image_chain(image, opts)
}

/// Runs `image` (and the images it execs) with the signal state it
/// carries: how a zarm re-executed by a multi-threaded guest's execve
/// continues (see `process.rs`).
pub fn run_image_chain(mut image: process::ExecImage, opts: &Options) -> Result<Result<Outcome, GuestSignal>, String> {
    // Signals the host already ignores stay ignored for the guest (nohup).
    image.ignored |= signal::init_host_dispositions();
    loop {
        match run_image(&image, opts)? {
            Ok(Outcome::Exec(next)) => {
                process::close_cloexec_fds();
                image = *next;
            }
            other => return Ok(other),
        }
    }
}

/// Runs one program image until it exits, dies or execs another.
fn run_image(image: &process::ExecImage, opts: &Options) -> Result<Result<Outcome, GuestSignal>, String> {
    let (path, argv, envp) = (image.host_path.as_path(), &image.argv, &image.envp);
    // The engine first: with the tier, its compile thread then starts
    // before the guest window is reserved (see `JitEngine::enable_tier`).
    let mut d = new_dispatcher(opts)?;
    let data = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut space = memory::GuestSpace::with_window_bits(opts.guest_window_bits).map_err(|e| format!("cannot reserve the guest address space: {e}"))?;
    let mut img = loader::load_elf(&mut space, &data).map_err(|e| format!("{}: {e}", path.display()))?;
    let exe_name = procfs::guest_path(path, opts.sysroot.as_deref());
    for &(s, e, off) in &img.segments {
        space.names.set(s, e, exe_name.clone(), off);
    }
    space.brk_start = img.brk;
    space.brk = img.brk;
    // A dynamic executable starts in its interpreter (ld-linux), found in
    // the sysroot first, as the kernel with qemu's -L would.
    let mut start = img.entry;
    if let Some(interp) = img.interp.clone() {
        let host_path = resolve_in_sysroot(&interp, opts.sysroot.as_deref());
        let shown = String::from_utf8_lossy(&interp).into_owned();
        let idata = std::fs::read(&host_path).map_err(|e| {
            format!("{}: cannot read its program interpreter {shown} ({}): {e}; give the guest's root with -L or ZARM_LD_PREFIX", path.display(), host_path.display())
        })?;
        let li = loader::load_elf_as(&mut space, &idata, loader::Placement::Interpreter).map_err(|e| format!("{shown}: {e}"))?;
        for &(s, e, off) in &li.segments {
            space.names.set(s, e, interp.clone(), off);
        }
        img.interp_base = li.load_bias;
        start = li.entry;
    }
    let sp = loader::build_stack(&mut space, &img, argv, envp, &image.guest_path).map_err(|e| e.to_string())?;
    let mut cpu = zarm_ir::CpuState::default();
    cpu.x[31] = sp;
    cpu.pc = start;
    // SAFETY: gettid cannot fail.
    let me = std::sync::Arc::new(threads::ThreadEntry::new(unsafe { libc::gettid() }));
    let mut proc = syscall::Process {
        space: memory::SpaceRef::new(space),
        sysroot: opts.sysroot.clone(),
        exe: path.to_path_buf(),
        strace: opts.strace,
        sigactions: std::sync::Arc::new(std::sync::Mutex::new([[0; 4]; 65])),
        sigmask: image.sigmask,
        tid_address: 0,
        kernel_pins: Vec::new(),
        signals: Default::default(),
        threads: threads::ThreadGroup::new(opts.clone(), std::sync::Arc::clone(&me)),
        me,
    };
    // What survives an exec: the mask, pending signals, ignored signals.
    proc.signals.pending = image.pending;
    for sig in 1..=64 {
        if image.ignored & (1u64 << (sig - 1)) != 0 {
            proc.set_action(sig, [1, 0, 0, 0]);
        }
    }
    let mut outcome = d.run(&mut proc, &mut cpu);
    let mut this_thread = Some(&d);
    if let Ok(Outcome::ThreadExit(status)) = outcome {
        // The first thread ended with `exit`: the process lives on until
        // its last thread exits (or another ends it: its figures are in).
        if opts.stats || opts.stats_json.is_some() {
            proc.threads.retire_stats(&proc.me, &d.raw_stats());
            this_thread = None;
        }
        let status = match proc.thread_exit(status) {
            Some(s) => s,
            None => proc.wait_for_other_threads(),
        };
        outcome = Ok(Outcome::Exited(status));
    }
    write_stats(&proc, this_thread, opts)?;
    if opts.process_ends_on_return && !matches!(outcome, Ok(Outcome::Exec(_))) {
        // Nothing of this image is used again (see the option); the tier's
        // compile thread, if any, keeps valid memory until the exit.
        std::mem::forget(d);
        std::mem::forget(proc);
    }
    Ok(outcome)
}

/// The `--stats`/`--stats-json` report at the end of the process: the
/// figures of the thread ending it (`d`), of every guest thread that ended
/// before, and of the threads still running, which stop at their next
/// block boundary to add theirs (one still in a system call half a second
/// later is reported as not counted).
pub(crate) fn write_stats(proc: &syscall::Process, d: Option<&dispatch::Dispatcher>, opts: &Options) -> Result<(), String> {
    if !opts.stats && opts.stats_json.is_none() {
        return Ok(());
    }
    let missing = proc.threads.collect_running_stats(proc.me.tid);
    let mut raw = proc.threads.retired_stats();
    raw.threads_not_counted = missing;
    if let Some(d) = d {
        raw.merge(&d.raw_stats());
    }
    // Blocks offered to every thread count in the space, not in the
    // thread that compiled them.
    {
        let _g = proc.space.lock();
        raw.add_block_counts(proc.space.translations.counters());
    }
    let smc = proc.space.smc_writes;
    if opts.stats {
        eprint!("{}", raw.text(smc));
    }
    if let Some(file) = &opts.stats_json {
        let text = serde_json::to_string_pretty(&raw.json(smc)).unwrap_or_default() + "\n";
        std::fs::write(file, text).map_err(|e| format!("--stats-json {}: {e}", file.display()))?;
    }
    Ok(())
}

/// A dispatcher with the engine the options ask for (one per guest
/// thread).
pub(crate) fn new_dispatcher(opts: &Options) -> Result<dispatch::Dispatcher, String> {
    let mut d = dispatch::Dispatcher::new();
    if opts.engine == EngineKind::Jit {
        if let Some(why) = jit::unavailable_reason() {
            return Err(format!("--engine jit: {why}"));
        }
        let host = zarm_backend_s390x::facilities::HostFacilities::detect();
        let facilities = zarm_backend_s390x::facilities::parse_assist(&opts.assist, host)?;
        let mut j = jit::JitEngine::new(facilities, opts.code_cache_size, opts.guest_window_bits).map_err(|e| format!("cannot set up the JIT: {e}"))?;
        j.dump = opts.dump;
        j.share = opts.share_translations;
        j.set_checked_pages(opts.checked_pages);
        if opts.stats || opts.stats_json.is_some() {
            j.counters = Some(Vec::new());
        }
        j.single_block |= opts.lockstep;
        match opts.tier.as_str() {
            "off" => {}
            mode => {
                if let Err(why) = j.enable_tier(opts.tier_threshold, opts.tier_start_wait, opts.tier_thread_early) {
                    if mode == "on" {
                        return Err(format!("--tier=on: {why}"));
                    }
                    j.tier_unavailable = Some(why);
                }
            }
        }
        d.lockstep = opts.lockstep;
        // Lock-step compares the JIT with the interpreter on every block.
        d.jit_threshold = if opts.lockstep { 1 } else { opts.jit_threshold };
        if opts.lockstep {
            lockstep::LOCKSTEP.store(true, std::sync::atomic::Ordering::Relaxed);
        }
        d.engine = dispatch::Engine::Jit(Box::new(j));
    }
    Ok(d)
}

/// The message zarm prints when a synchronous guest signal kills it.
pub fn report_guest_signal(s: &GuestSignal) {
    match s.addr {
        Some(a) => eprintln!("zarm: guest {} at pc {:#x} (address {a:#x}): signal {}", s.what, s.pc, s.sig),
        None => eprintln!("zarm: guest {} at pc {:#x}: signal {}", s.what, s.pc, s.sig),
    }
}

/// The host path for an absolute guest path: under `sysroot` if it exists
/// there, else the path itself (qemu's -L rule).
pub fn resolve_in_sysroot(guest: &[u8], sysroot: Option<&Path>) -> PathBuf {
    use std::os::unix::ffi::OsStrExt;
    let p = Path::new(std::ffi::OsStr::from_bytes(guest));
    if let (Some(root), true) = (sysroot, p.is_absolute()) {
        let inside = root.join(p.strip_prefix("/").unwrap_or(p));
        if std::fs::symlink_metadata(&inside).is_ok() {
            return inside;
        }
    }
    p.to_path_buf()
}

/// `--host-info`: the facilities STFLE reports and the routes they enable.
pub fn host_info() -> String {
    use zarm_backend_s390x::facilities::{Facility, HostFacilities};
    use zarm_backend_s390x::routing::{Router, ROUTES};
    let host = HostFacilities::detect();
    let mut s = String::new();
    s += &format!("host: {} ({})\n", std::env::consts::ARCH, if cfg!(target_arch = "s390x") { "facilities from STFLE" } else { "not s390x: no facilities, the JIT is unavailable" });
    s += "facilities:\n";
    for f in Facility::ALL {
        s += &format!("  {:<7} STFLE bit {:>3}  {}\n", f.name(), f.stfle_bit(), if host.has(f) { "present" } else { "absent" });
    }
    let router = Router::new(host);
    s += "routes (with --assist=auto):\n";
    for r in ROUTES {
        let native = router.native(r.route);
        s += &format!(
            "  {:<20} {:<28} -> {}\n",
            format!("{:?}", r.route),
            r.guest,
            if native { format!("native: {}", r.native) } else { format!("fallback: {}", r.fallback) }
        );
    }
    s
}

/// Ends this process by `sig` with its default action, as the guest's
/// death must look to our parent. Core dumps are suppressed.
pub fn die_by_signal(sig: i32) -> ! {
    // SAFETY: plain libc calls on our own process.
    unsafe {
        let rl = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
        libc::setrlimit(libc::RLIMIT_CORE, &rl);
        libc::signal(sig, libc::SIG_DFL);
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, sig);
        libc::sigprocmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
        libc::raise(sig);
    }
    std::process::exit(128 + sig)
}
