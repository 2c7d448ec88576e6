//! Support for zarm's integration tests: locating the `zarm` binary (and an
//! optional runner such as `qemu-s390x` for a cross-built one), building the
//! guest programs, and running a guest under zarm and under the oracle
//! (`qemu-aarch64`) with the same arguments, environment and stdin.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// The zarm binary under test: `$ZARM_BIN`, else the workspace's release or
/// debug build (`cargo build --release` first).
pub fn zarm_bin() -> PathBuf {
    if let Some(p) = std::env::var_os("ZARM_BIN") {
        return PathBuf::from(p);
    }
    for profile in ["release", "debug"] {
        let p = repo_root().join("target").join(profile).join("zarm");
        if p.is_file() {
            return p;
        }
    }
    panic!("no zarm binary: run `cargo build --release` or set ZARM_BIN");
}

/// `$ZARM_RUNNER`, e.g. `qemu-s390x -cpu max -L /usr/s390x-linux-gnu`, for a
/// zarm built for another host architecture.
pub fn zarm_runner() -> Vec<String> {
    std::env::var("ZARM_RUNNER").map(|s| s.split_whitespace().map(String::from).collect()).unwrap_or_default()
}

/// Builds the guest programs (tests/guest/build.sh) once per test process.
pub fn guest_dir() -> PathBuf {
    static BUILT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BUILT
        .get_or_init(|| {
            let dir = repo_root().join("tests/guest");
            let st = Command::new("bash").arg(dir.join("build.sh")).status().expect("run tests/guest/build.sh");
            assert!(st.success(), "building the guest programs failed (is aarch64-linux-gnu-gcc installed? run ./setup.sh)");
            dir.join("build")
        })
        .clone()
}

#[derive(Debug, PartialEq, Eq, Clone)]
pub struct RunResult {
    pub stdout: Vec<u8>,
    /// Exit status, or None if killed by a signal.
    pub code: Option<i32>,
    pub signal: Option<i32>,
    pub stderr: Vec<u8>,
}

impl RunResult {
    /// What must agree between zarm and the oracle.
    pub fn observable(&self) -> (&[u8], Option<i32>, Option<i32>) {
        (&self.stdout, self.code, self.signal)
    }
}

/// Makes the program `cmd` starts die with the test process (SIGKILL when
/// the thread that started it ends): a test run killed from outside, e.g.
/// by `timeout`, leaves no guest program spinning behind it.
pub fn die_with_test(cmd: &mut Command) {
    // SAFETY: getpid, prctl and _exit are async-signal-safe.
    let parent = unsafe { libc::getpid() };
    unsafe {
        std::os::unix::process::CommandExt::pre_exec(cmd, move || {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
            // The test may have ended before the signal was armed.
            if libc::getppid() != parent {
                libc::_exit(1);
            }
            Ok(())
        });
    }
}

fn run(mut cmd: Command, stdin: &[u8]) -> RunResult {
    use std::io::Write;
    use std::os::unix::process::ExitStatusExt;
    // A fixed environment, keeping what the caller set for zarm itself.
    let keep: Vec<(std::ffi::OsString, std::ffi::OsString)> =
        cmd.get_envs().filter_map(|(k, v)| Some((k.to_os_string(), v?.to_os_string()))).filter(|(k, _)| k.to_string_lossy().starts_with("ZARM_")).collect();
    cmd.env_clear().env("PATH", "/usr/bin:/bin").env("LC_ALL", "C").env("ZARM_TEST_VAR", "hello world");
    cmd.envs(keep);
    cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    // Its own process group, so a run that hangs is ended with all the
    // processes it started.
    std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    die_with_test(&mut cmd);
    let mut child = cmd.spawn().expect("spawn");
    child.stdin.take().unwrap().write_all(stdin).ok();
    let read_all = |mut r: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut v = Vec::new();
            r.read_to_end(&mut v).ok();
            v
        })
    };
    let out = read_all(Box::new(child.stdout.take().unwrap()));
    let err = read_all(Box::new(child.stderr.take().unwrap()));
    let limit = std::time::Duration::from_secs(run_timeout_secs());
    let start = std::time::Instant::now();
    let status = loop {
        if let Some(st) = child.try_wait().expect("wait") {
            break Some(st);
        }
        if start.elapsed() > limit {
            // SAFETY: signalling the run's own process group.
            unsafe { libc::kill(-(child.id() as i32), libc::SIGKILL) };
            child.wait().ok();
            break None;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    };
    let stdout = out.join().unwrap_or_default();
    let mut stderr = err.join().unwrap_or_default();
    match status {
        Some(st) => RunResult { stdout, code: st.code(), signal: st.signal(), stderr },
        None => {
            stderr.extend_from_slice(format!("\n[test harness: killed after {} s (ZARM_TEST_TIMEOUT)]\n", limit.as_secs()).as_bytes());
            RunResult { stdout, code: None, signal: Some(libc::SIGKILL), stderr }
        }
    }
}

/// How long one program run may take before the harness kills it:
/// `$ZARM_TEST_TIMEOUT` seconds, default 600.
fn run_timeout_secs() -> u64 {
    std::env::var("ZARM_TEST_TIMEOUT").ok().and_then(|s| s.parse().ok()).unwrap_or(600)
}

/// Runs a guest program under zarm.
pub fn run_zarm(prog: &Path, args: &[&str], extra: &[&str], stdin: &[u8]) -> RunResult {
    run_zarm_env(prog, args, extra, &[], stdin)
}

/// `run_zarm` with environment variables `env` set for zarm.
pub fn run_zarm_env(prog: &Path, args: &[&str], extra: &[&str], env: &[(&str, &str)], stdin: &[u8]) -> RunResult {
    let runner = zarm_runner();
    let mut cmd = if runner.is_empty() {
        Command::new(zarm_bin())
    } else {
        let mut c = Command::new(&runner[0]);
        c.args(&runner[1..]).arg(zarm_bin());
        // A zarm that re-executes itself (execve from a multi-threaded
        // guest) runs under the same emulator.
        c.env("ZARM_REEXEC_PREFIX", runner.join(" "));
        c
    };
    // The tier's synchronous mode, when the test run asks for it.
    if let Some(v) = std::env::var_os("ZARM_TIER_SYNC") {
        cmd.env("ZARM_TIER_SYNC", v);
    }
    // $ZARM_ARGS: options for every zarm run (e.g. "--engine interp").
    let common: Vec<String> = std::env::var("ZARM_ARGS").map(|s| s.split_whitespace().map(String::from).collect()).unwrap_or_default();
    cmd.envs(env.iter().copied()).args(&common).args(extra).arg(prog).args(args);
    run(cmd, stdin)
}

/// Runs a program built for this host directly (the oracle where
/// qemu-aarch64 cannot be one, e.g. for execve).
pub fn run_native(prog: &Path, args: &[&str], stdin: &[u8]) -> RunResult {
    let mut cmd = Command::new(prog);
    cmd.args(args);
    run(cmd, stdin)
}

/// Runs a guest program under the oracle, `qemu-aarch64`.
pub fn run_qemu(prog: &Path, args: &[&str], stdin: &[u8]) -> RunResult {
    run_qemu_opts(prog, args, &[], stdin)
}

/// `run_qemu` with options for qemu-aarch64 (e.g. `-L sysroot`).
pub fn run_qemu_opts(prog: &Path, args: &[&str], opts: &[&str], stdin: &[u8]) -> RunResult {
    let mut cmd = Command::new("qemu-aarch64");
    cmd.args(opts).arg(prog).args(args);
    run(cmd, stdin)
}

/// The AArch64 sysroot dynamic guest programs run against: the cross
/// toolchain's (`/usr/aarch64-linux-gnu`, installed by setup.sh), or
/// `$ZARM_TEST_SYSROOT`.
pub fn aarch64_sysroot() -> String {
    std::env::var("ZARM_TEST_SYSROOT").unwrap_or_else(|_| "/usr/aarch64-linux-gnu".into())
}

/// A readable account of how two runs differ.
pub fn describe_difference(name: &str, zarm: &RunResult, qemu: &RunResult) -> String {
    let mut s = format!("guest program `{name}` under zarm differs from qemu-aarch64:\n");
    if zarm.code != qemu.code || zarm.signal != qemu.signal {
        s += &format!("  exit: zarm {:?}/signal {:?}, qemu {:?}/signal {:?}\n", zarm.code, zarm.signal, qemu.code, qemu.signal);
    }
    let (zl, ql): (Vec<&[u8]>, Vec<&[u8]>) = (zarm.stdout.split(|b| *b == b'\n').collect(), qemu.stdout.split(|b| *b == b'\n').collect());
    if let Some(i) = (0..zl.len().max(ql.len())).find(|&i| zl.get(i) != ql.get(i)) {
        s += &format!(
            "  first differing stdout line {}:\n    zarm: {}\n    qemu: {}\n",
            i + 1,
            zl.get(i).map(|l| String::from_utf8_lossy(l).into_owned()).unwrap_or("<end>".into()),
            ql.get(i).map(|l| String::from_utf8_lossy(l).into_owned()).unwrap_or("<end>".into())
        );
    }
    s += &format!("  zarm stderr: {}\n", String::from_utf8_lossy(&zarm.stderr).lines().take(5).collect::<Vec<_>>().join(" | "));
    s
}

/// How many guest runs a test may have going at once: `ZARM_TEST_JOBS`,
/// else the host's parallelism (at most 4).
pub fn test_jobs() -> usize {
    std::env::var("ZARM_TEST_JOBS").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get().min(4))).max(1)
}

/// Runs `f` on every item, `test_jobs()` at a time; returns what it
/// returned other than `None`, in the items' order.
pub fn for_each_parallel<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> Option<R> + Sync) -> Vec<R> {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results: std::sync::Mutex<Vec<(usize, R)>> = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..test_jobs().min(items.len()) {
            s.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(item) = items.get(i) else { break };
                if let Some(r) = f(item) {
                    results.lock().unwrap().push((i, r));
                }
            });
        }
    });
    let mut r = results.into_inner().unwrap();
    r.sort_by_key(|(i, _)| *i);
    r.into_iter().map(|(_, r)| r).collect()
}
