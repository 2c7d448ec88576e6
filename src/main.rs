//! The `zarm` command: run an AArch64 Linux program, like `qemu-aarch64`.

mod binfmt;

use clap::Parser;
use std::path::PathBuf;
use zarm_runtime::{die_by_signal, run_program, EngineKind, Options, Outcome};

#[derive(Parser, Debug)]
#[command(
    name = "zarm",
    version,
    about = "Run AArch64 Linux programs on IBM Z (s390x) — and, with the interpreter, on any host",
    after_help = "With no program, zarm runs its bundled demo (tests/guest/build/demo, built by ./setup.sh)."
)]
struct Cli {
    /// Execution engine: `jit` (s390x code; the default on s390x hosts) or
    /// `interp` (the IR interpreter; every host, the default elsewhere).
    #[arg(long, value_name = "ENGINE")]
    engine: Option<String>,
    /// Byte budget of the JIT code cache (e.g. 64M, 512K); least recently
    /// used guest pages are evicted when it is full.
    #[arg(long, value_name = "BYTES", default_value = "64M")]
    code_cache_size: String,
    /// Print each compiled block's IR and s390x code on stderr (JIT).
    #[arg(long)]
    dump: bool,
    /// Print execution, translation and code-cache statistics on stderr at exit.
    #[arg(long)]
    stats: bool,
    /// Write the statistics as JSON to FILE at exit (for scripts).
    #[arg(long, value_name = "FILE")]
    stats_json: Option<PathBuf>,
    /// Run every block in the JIT and in the interpreter and compare the
    /// whole guest state; report the first divergence (exit status 125).
    #[arg(long)]
    lockstep: bool,
    /// Host facilities the JIT may use: auto (all detected), none (the z196
    /// base only), or a list of facility names and machine levels
    /// (e.g. z14, vx,mie3).
    #[arg(long, value_name = "SPEC", default_value = "auto", overrides_with = "assist")]
    assist: String,
    /// Print the host facilities (STFLE) and the routes they enable, then exit.
    #[arg(long)]
    host_info: bool,
    /// The guest address space is 2^BITS bytes (33..=38). Every guest
    /// address is checked against it; the whole window is reserved at
    /// start-up (under qemu-s390x emulation that costs time and memory in
    /// qemu, not on s390x hardware).
    #[arg(long, value_name = "BITS", default_value_t = zarm_runtime::memory::DEFAULT_WINDOW_BITS, env = "ZARM_GUEST_WINDOW_BITS")]
    guest_window_bits: u32,
    /// Check guest page permissions in generated code instead of relying on
    /// the host MMU and its fault signals (slower; for comparison).
    #[arg(long)]
    checked_pages: bool,
    /// The optimising tier (Cranelift): off (the default, unless
    /// --tier-threshold is given: ahead of the baseline JIT on long compute
    /// runs, behind on short ones under emulation, see the README), auto (on where the host has its z14 base and
    /// --assist allows it), on (an error otherwise). The last one given
    /// counts (likewise for the options below).
    #[arg(long, value_name = "MODE", value_parser = ["auto", "on", "off"], overrides_with = "tier")]
    tier: Option<String>,
    /// Block entries before the tier recompiles a block and its hot
    /// successors as one region (default 5000; 1: every block, for
    /// testing). Given alone, it turns the tier on where it can run
    /// (--tier=auto).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..), overrides_with = "tier_threshold")]
    tier_threshold: Option<u64>,
    /// While the program is still starting (new code translated since a
    /// latch's previous countdown), hot loops wait a countdown more before
    /// becoming regions (on, the default; not with --tier-threshold 1), or
    /// form at once (off; for comparison).
    #[arg(long, value_name = "MODE", value_parser = ["on", "off"], default_value = "on")]
    tier_start_wait: String,
    /// The tier's compile thread starts with the tier (early, the
    /// default) or when the first region is to be compiled (lazy: a
    /// program that never turns hot then runs as with --tier=off under
    /// qemu-user, where a second thread slows everything; hot programs
    /// lose more there).
    #[arg(long, value_name = "WHEN", value_parser = ["early", "lazy"], default_value = "early")]
    tier_thread: String,
    /// The JIT compiles a block at its N-th execution; the interpreter runs
    /// it before, so code that runs a few times (start-up) is never
    /// translated to s390x (default 8; 1: compile at the first execution,
    /// as QEMU does).
    /// Given more than once, the last one counts.
    #[arg(long, value_name = "N", default_value_t = zarm_runtime::DEFAULT_JIT_THRESHOLD, value_parser = clap::value_parser!(u64).range(1..), overrides_with = "jit_threshold")]
    jit_threshold: u64,
    /// Translations shared between guest threads: a block one thread
    /// compiled is installed by the others instead of translated again
    /// (on, the default), or every thread translates what it runs (off;
    /// for comparison).
    #[arg(long, value_name = "MODE", value_parser = ["on", "off"], default_value = "on")]
    share_translations: String,
    /// Print one line per guest system call on stderr.
    #[arg(long)]
    strace: bool,
    /// Register zarm with binfmt_misc as the interpreter of AArch64 ELF
    /// programs (root; flags F and P), so they run when executed directly.
    #[arg(long)]
    install_binfmt: bool,
    /// Remove the binfmt_misc entry --install-binfmt made.
    #[arg(long)]
    uninstall_binfmt: bool,
    /// The binfmt_misc entry's name.
    #[arg(long, value_name = "NAME", default_value = "zarm-aarch64")]
    binfmt_name: String,
    /// Look up absolute guest paths in SYSROOT first (also ZARM_LD_PREFIX).
    #[arg(short = 'L', value_name = "SYSROOT", env = "ZARM_LD_PREFIX")]
    sysroot: Option<PathBuf>,
    /// Internal: the signal state (mask, pending, ignored; hex) of an image
    /// exec'd by a multi-threaded guest, which re-executes zarm.
    #[arg(long, hide = true, value_name = "MASK,PENDING,IGNORED")]
    exec_state: Option<String>,
    /// Internal: the exec'd image's argv[0].
    #[arg(long, hide = true, allow_hyphen_values = true)]
    exec_argv0: Option<std::ffi::OsString>,
    /// Internal: the path the guest exec'd (AT_EXECFN).
    #[arg(long, hide = true, allow_hyphen_values = true)]
    exec_execfn: Option<std::ffi::OsString>,
    /// The AArch64 ELF program.
    program: Option<PathBuf>,
    /// Arguments for the guest program, passed through untouched.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    args: Vec<std::ffi::OsString>,
}

/// Environment variables zarm reads itself; they are not passed to the guest.
const ZARM_VARS: &[&str] = &["ZARM_REEXEC_PREFIX", "ZARM_LD_PREFIX", "ZARM_GUEST_WINDOW_BITS", "ZARM_TRACE", "ZARM_JIT_SINGLE_BLOCK", "ZARM_DEBUG_FAULTS"];

/// "64M", "512K", "1G" or a plain number of bytes.
fn parse_size(s: &str) -> Option<usize> {
    let (num, mult) = match s.chars().last()? {
        'k' | 'K' => (&s[..s.len() - 1], 1 << 10),
        'm' | 'M' => (&s[..s.len() - 1], 1 << 20),
        'g' | 'G' => (&s[..s.len() - 1], 1 << 30),
        _ => (s, 1),
    };
    num.parse::<usize>().ok()?.checked_mul(mult).filter(|n| *n >= 4096)
}

fn demo_path() -> Option<PathBuf> {
    let mut candidates = vec![PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/guest/build/demo")];
    if let Ok(exe) = std::env::current_exe() {
        // target/<profile>/zarm → repo root is three levels up.
        if let Some(root) = exe.parent().and_then(|p| p.parent()).and_then(|p| p.parent()) {
            candidates.push(root.join("tests/guest/build/demo"));
        }
    }
    candidates.into_iter().find(|p| p.is_file())
}

fn main() {
    let cli = Cli::parse();
    if cli.host_info {
        print!("{}", zarm_runtime::host_info());
        return;
    }
    if cli.install_binfmt || cli.uninstall_binfmt {
        let r = if cli.install_binfmt { binfmt::install(&cli.binfmt_name) } else { binfmt::uninstall(&cli.binfmt_name) };
        match r {
            Ok(msg) => println!("zarm: {msg}"),
            Err(msg) => {
                eprintln!("zarm: {msg}");
                std::process::exit(1);
            }
        }
        return;
    }
    let engine = match cli.engine.as_deref() {
        None if cli.lockstep => EngineKind::Jit,
        None => EngineKind::default_for_host(),
        Some("interp") => EngineKind::Interp,
        Some("jit") => EngineKind::Jit,
        Some(other) => {
            eprintln!("zarm: unknown engine '{other}' (engines: jit, interp)");
            std::process::exit(1);
        }
    };
    let Some(code_cache_size) = parse_size(&cli.code_cache_size) else {
        eprintln!("zarm: --code-cache-size: '{}' is not a size (e.g. 64M, 512K, 100000)", cli.code_cache_size);
        std::process::exit(1);
    };
    let program = match cli.program {
        Some(p) => p,
        None => match demo_path() {
            Some(p) => p,
            None => {
                eprintln!("zarm: no program given and the bundled demo is not built; run ./setup.sh first, or name a program");
                std::process::exit(1);
            }
        },
    };
    let mut args = cli.args.iter().map(|a| a.as_encoded_bytes().to_vec());
    // Started by binfmt_misc with the P flag: the program's own argv[0]
    // follows its path.
    let argv0 = match binfmt::preserved_argv0() {
        true => args.next().unwrap_or_else(|| program.as_os_str().as_encoded_bytes().to_vec()),
        false => program.as_os_str().as_encoded_bytes().to_vec(),
    };
    let mut argv = vec![argv0];
    argv.extend(args);
    let envp: Vec<Vec<u8>> = std::env::vars_os()
        // zarm's own settings are not the guest's business.
        .filter(|(k, _)| !ZARM_VARS.iter().any(|v| k == v))
        .map(|(k, v)| {
            let mut e = k.as_encoded_bytes().to_vec();
            e.push(b'=');
            e.extend_from_slice(v.as_encoded_bytes());
            e
        })
        .collect();
    let opts = Options { strace: cli.strace, sysroot: cli.sysroot, engine, code_cache_size, dump: cli.dump, stats: cli.stats, stats_json: cli.stats_json, lockstep: cli.lockstep, assist: cli.assist, guest_window_bits: cli.guest_window_bits, checked_pages: cli.checked_pages, tier: cli.tier.unwrap_or_else(|| if cli.tier_threshold.is_some() { "auto".into() } else { "off".into() }), tier_threshold: cli.tier_threshold.unwrap_or(zarm_runtime::DEFAULT_TIER_THRESHOLD), jit_threshold: cli.jit_threshold, share_translations: cli.share_translations == "on", tier_start_wait: cli.tier_start_wait == "on", tier_thread_early: cli.tier_thread == "early", process_ends_on_return: true };
    let result = match &cli.exec_state {
        None => run_program(&program, argv, envp, &opts),
        Some(state) => {
            // Re-executed by a multi-threaded guest's execve.
            let v: Vec<u64> = state.split(',').filter_map(|x| u64::from_str_radix(x, 16).ok()).collect();
            let [sigmask, pending, ignored] = v[..] else {
                eprintln!("zarm: --exec-state: '{state}' is not MASK,PENDING,IGNORED");
                std::process::exit(1);
            };
            if let Some(a0) = &cli.exec_argv0 {
                argv[0] = a0.as_encoded_bytes().to_vec();
            }
            let guest_path = cli.exec_execfn.as_ref().map_or_else(|| program.as_os_str().as_encoded_bytes().to_vec(), |p| p.as_encoded_bytes().to_vec());
            let image = zarm_runtime::process::ExecImage { host_path: program.clone(), guest_path, argv, envp, sigmask, pending, ignored };
            zarm_runtime::run_image_chain(image, &opts)
        }
    };
    match result {
        Err(msg) => {
            eprintln!("zarm: {msg}");
            std::process::exit(1);
        }
        Ok(Ok(Outcome::Exited(code))) => std::process::exit(code & 0xff),
        Ok(Ok(Outcome::Signaled(sig))) => die_by_signal(sig),
        Ok(Ok(Outcome::Exec(_))) => unreachable!("run_program runs the new image itself"),
        Ok(Ok(Outcome::ThreadExit(code))) => std::process::exit(code & 0xff),
        Ok(Err(s)) => {
            zarm_runtime::report_guest_signal(&s);
            die_by_signal(s.sig)
        }
    }
}
