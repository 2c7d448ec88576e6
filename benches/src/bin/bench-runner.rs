//! The workload runner: each guest workload (benches/workloads/*.c) timed
//! in one run under zarm (JIT with all host facilities, and with
//! `--assist=none`), QEMU TCG built for s390x (Debian's
//! `qemu-user-static:s390x`, unpacked, not installed) and the same source
//! built natively for s390x. On a non-s390x host all four run under the
//! same `qemu-s390x -cpu max`; on s390x they run directly. Medians over
//! runs, ratios computed workload by workload (also paired by round: the
//! median of each round's ratio), geometric means, peak RSS.
//! A checksum that differs from the native build's marks the run FAILED.
//!
//! `cargo run -p zarm-benches --release --bin bench-runner -- [--quick] [--runs N] [--window-bits B]`
//! writes bench-results/report.{md,json,svg}.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

struct Workload {
    name: &'static str,
    arg_quick: &'static str,
    arg_full: &'static str,
    repeat: u32,
    cflags: &'static [&'static str],
}

const WORKLOADS: &[Workload] = &[
    Workload { name: "sha256", arg_quick: "1", arg_full: "8", repeat: 1, cflags: &["-O2"] },
    Workload { name: "crc32", arg_quick: "1", arg_full: "16", repeat: 1, cflags: &["-O2", "-march=armv8-a+crc"] },
    Workload { name: "qsort", arg_quick: "50", arg_full: "500", repeat: 1, cflags: &["-O2"] },
    Workload { name: "nbody", arg_quick: "20", arg_full: "300", repeat: 1, cflags: &["-O2"] },
    Workload { name: "matmul", arg_quick: "64", arg_full: "200", repeat: 1, cflags: &["-O3"] },
    Workload { name: "memstr", arg_quick: "100", arg_full: "2000", repeat: 1, cflags: &["-O2"] },
    Workload { name: "aes", arg_quick: "10", arg_full: "200", repeat: 1, cflags: &["-O2", "-march=armv8-a+crypto"] },
    Workload { name: "startup", arg_quick: "", arg_full: "", repeat: 10, cflags: &["-O2"] },
    Workload { name: "threads", arg_quick: "4", arg_full: "16", repeat: 1, cflags: &["-O2"] },
];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn sh(cmd: &mut Command) -> Result<(), String> {
    let out = cmd.output().map_err(|e| format!("{cmd:?}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!("{cmd:?} failed: {}", String::from_utf8_lossy(&out.stderr).lines().next().unwrap_or("")))
    }
}

struct RunOut {
    secs: f64,
    rss_kb: i64,
    checksum: Option<String>,
    err: Option<String>,
}

/// Runs a command, timing it and reading its peak RSS with wait4.
fn run(cmd: &[String]) -> RunOut {
    use std::io::Read;
    let start = Instant::now();
    let mut child = match Command::new(&cmd[0]).args(&cmd[1..]).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn() {
        Ok(c) => c,
        Err(e) => return RunOut { secs: 0.0, rss_kb: 0, checksum: None, err: Some(e.to_string()) },
    };
    let mut out = String::new();
    let mut err = String::new();
    child.stdout.take().unwrap().read_to_string(&mut out).ok();
    child.stderr.take().unwrap().read_to_string(&mut err).ok();
    let mut status = 0;
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waiting for our own child.
    unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut ru) };
    let secs = start.elapsed().as_secs_f64();
    let ok = libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0;
    let checksum = out.lines().find(|l| l.starts_with("checksum")).map(String::from);
    RunOut {
        secs,
        rss_kb: ru.ru_maxrss,
        checksum,
        err: (!ok).then(|| err.lines().next().unwrap_or("nonzero exit").to_string()),
    }
}

/// The ratios reported, as (numerator, denominator) contender indices:
/// auto/TCG, auto/native, none/TCG, tier/TCG, tier/native.
const RATIOS: [(usize, usize); 5] = [(0, 2), (0, 3), (1, 2), (4, 2), (4, 3)];

/// Geometric means of the `RATIOS` over the workloads that have them.
#[derive(Default)]
struct GeoMeans([(f64, usize); 5]);

impl GeoMeans {
    fn add(&mut self, ratios: &[Option<f64>; 5]) {
        for (acc, r) in self.0.iter_mut().zip(ratios) {
            if let Some(v) = r {
                acc.0 += v.ln();
                acc.1 += 1;
            }
        }
    }

    fn means(&self) -> [Option<f64>; 5] {
        self.0.map(|(sum, count)| (count > 0).then(|| (sum / count as f64).exp()))
    }
}

/// A ratio in the report: two decimals, or a dash where there is none.
fn cell2(x: Option<f64>) -> String {
    x.map(|v| format!("{v:.2}")).unwrap_or("—".into())
}

/// A ratio in the JSON: four decimals, or null.
fn json4(x: Option<f64>) -> String {
    x.map(|v| format!("{v:.4}")).unwrap_or("null".into())
}

/// Ratios as a JSON array's items.
fn json4_list(xs: &[Option<f64>]) -> String {
    xs.iter().map(|&v| json4(v)).collect::<Vec<_>>().join(",")
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().collect();
    let quick = args.iter().any(|a| a == "--quick");
    // The guest window zarm reserves: under qemu-s390x, qemu 7.2 spends
    // ~0.9 s and ~800 MB on the default 2^37 reservation (a descriptor per
    // page) — an emulation artefact absent on s390x hardware — so emulated
    // runs use 2^33 unless told otherwise.
    let window_bits: String = args
        .iter()
        .position(|a| a == "--window-bits")
        .and_then(|i| args.get(i + 1).cloned())
        .unwrap_or_else(|| if cfg!(target_arch = "s390x") { "37".into() } else { "33".into() });
    let runs: usize = args.iter().position(|a| a == "--runs").and_then(|i| args.get(i + 1)).and_then(|s| s.parse().ok()).unwrap_or(if quick { 1 } else { 3 });
    let root = root();
    let out_dir = root.join("bench-results");
    let build = out_dir.join("build");
    std::fs::create_dir_all(&build).map_err(|e| e.to_string())?;
    let native_host = std::env::consts::ARCH == "s390x";
    let emu: Vec<String> = if native_host { vec![] } else { vec!["qemu-s390x".into(), "-cpu".into(), "max".into(), "-L".into(), "/usr/s390x-linux-gnu".into()] };

    // Build the workloads for both architectures from the same source.
    for w in WORKLOADS {
        let src = root.join("benches/workloads").join(format!("{}.c", w.name));
        sh(Command::new("aarch64-linux-gnu-gcc").args(w.cflags).args(["-static", "-o"]).arg(build.join(format!("{}.aarch64", w.name))).arg(&src).arg("-lm"))?;
        let cc = if native_host { "gcc" } else { "s390x-linux-gnu-gcc" };
        let flags: Vec<&str> = w.cflags.iter().copied().filter(|f| !f.starts_with("-march")).collect();
        sh(Command::new(cc).args(&flags).args(["-static", "-o"]).arg(build.join(format!("{}.s390x", w.name))).arg(&src).arg("-lm"))?;
    }
    // zarm for s390x.
    let mut cargo = Command::new("cargo");
    cargo.current_dir(&root).args(["build", "--release", "--bin", "zarm"]);
    if !native_host {
        cargo.args(["--target", "s390x-unknown-linux-gnu"]);
    }
    sh(&mut cargo)?;
    let zarm = if native_host { root.join("target/release/zarm") } else { root.join("target/s390x-unknown-linux-gnu/release/zarm") };
    // QEMU TCG built for s390x.
    let tcg = out_dir.join("tcg/usr/bin/qemu-aarch64-static");
    if !tcg.exists() {
        let dl = out_dir.join("tcg-deb");
        std::fs::create_dir_all(&dl).ok();
        let _ = Command::new("dpkg").args(["--add-architecture", "s390x"]).status();
        let _ = Command::new("apt-get").args(["update", "-qq"]).status();
        let _ = Command::new("apt-get").current_dir(&dl).args(["download", "qemu-user-static:s390x"]).status();
        if let Some(deb) = std::fs::read_dir(&dl).ok().and_then(|mut d| d.find_map(|e| e.ok().map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "deb")))) {
            let _ = Command::new("dpkg").args(["-x"]).arg(&deb).arg(out_dir.join("tcg")).status();
        }
    }
    let tcg_ok = tcg.exists();

    let contenders: Vec<(&str, Box<dyn Fn(&Path, &str) -> Vec<String>>)> = vec![
        ("zarm --assist=auto", Box::new({ let (e, z, w) = (emu.clone(), zarm.clone(), window_bits.clone()); move |p, a| [e.clone(), vec![z.display().to_string(), "--assist=auto".into(), "--tier=off".into(), "--guest-window-bits".into(), w.clone(), p.display().to_string(), a.into()]].concat() })),
        ("zarm --assist=none", Box::new({ let (e, z, w) = (emu.clone(), zarm.clone(), window_bits.clone()); move |p, a| [e.clone(), vec![z.display().to_string(), "--assist=none".into(), "--guest-window-bits".into(), w.clone(), p.display().to_string(), a.into()]].concat() })),
        ("QEMU TCG (s390x build)", Box::new({ let (e, t) = (emu.clone(), tcg.clone()); move |p, a| [e.iter().take(3).cloned().collect(), vec![t.display().to_string(), p.display().to_string(), a.into()]].concat() })),
        ("native s390x", Box::new({ let e = emu.clone(); move |p, a| [e.clone(), vec![p.display().to_string().replace(".aarch64", ".s390x"), a.into()]].concat() })),
        ("zarm --assist=auto --tier=on", Box::new({ let (e, z, w) = (emu.clone(), zarm.clone(), window_bits.clone()); move |p, a| [e.clone(), vec![z.display().to_string(), "--assist=auto".into(), "--tier=on".into(), "--guest-window-bits".into(), w.clone(), p.display().to_string(), a.into()]].concat() })),
    ];
    let mut rows = Vec::new();
    for w in WORKLOADS {
        let arg = if quick { w.arg_quick } else { w.arg_full };
        let prog = build.join(format!("{}.aarch64", w.name));
        let mut times: Vec<Vec<f64>> = vec![Vec::new(); contenders.len()];
        let mut rss = vec![0i64; contenders.len()];
        let mut status: Vec<Option<String>> = vec![None; contenders.len()];
        let mut expected: Option<String> = None;
        for _ in 0..runs {
            // Native first: its checksum is the reference.
            for ci in [3usize, 0, 1, 4, 2] {
                if ci == 2 && !tcg_ok {
                    status[ci] = Some("TCG for s390x not available".into());
                    continue;
                }
                let cmd = (contenders[ci].1)(&prog, arg);
                let cmd: Vec<String> = cmd.into_iter().filter(|s| !s.is_empty()).collect();
                let mut total = 0.0;
                for _ in 0..w.repeat {
                    let r = run(&cmd);
                    total += r.secs;
                    rss[ci] = rss[ci].max(r.rss_kb);
                    if let Some(e) = r.err {
                        status[ci].get_or_insert(format!("FAILED: {e}"));
                    }
                    if ci == 3 {
                        expected = r.checksum.clone();
                    } else if r.checksum != expected && status[ci].is_none() {
                        status[ci] = Some(format!("FAILED: checksum {:?} != native {:?}", r.checksum, expected));
                    }
                }
                times[ci].push(total);
            }
        }
        let medians = times.iter().map(|t| if t.is_empty() { f64::NAN } else { median(t.clone()) }).collect::<Vec<f64>>();
        rows.push((w.name, medians, rss, status, times));
        eprintln!("bench: {} done", w.name);
    }
    // Report.
    let host = format!("{} ({})", std::env::consts::ARCH, if native_host { "native" } else { "all contenders under qemu-s390x -cpu max" });
    let date = String::from_utf8_lossy(&Command::new("date").arg("-u").arg("+%Y-%m-%d %H:%M UTC").output().map(|o| o.stdout).unwrap_or_default()).trim().to_string();
    let mut md = format!("# zarm benchmark report\n\n{date}, host {host}, {runs} run(s) per contender, {} sizes.\n\n", if quick { "quick" } else { "full" });
    md += "| workload | zarm auto (s) | zarm none (s) | zarm auto+tier (s) | TCG (s) | native (s) | auto/TCG | auto/native | none/TCG | tier/TCG | tier/native | peak RSS auto (KB) | peak RSS tier (KB) |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|\n";
    let mut geo = GeoMeans::default();
    let mut paired_geo = GeoMeans::default();
    let mut json_rows = Vec::new();
    for (name, t, rss, st, runs_t) in &rows {
        let cell = |i: usize| match &st[i] {
            Some(s) => s.clone(),
            None => format!("{:.3}", t[i]),
        };
        let ratio = |a: usize, b: usize| if st[a].is_none() && st[b].is_none() && t[b] > 0.0 { Some(t[a] / t[b]) } else { None };
        let r = RATIOS.map(|(a, b)| ratio(a, b));
        geo.add(&r);
        // The same ratios paired by round (each round runs every contender
        // back to back): the median of the rounds' ratios, which a slow
        // phase of the machine moves less than a ratio of medians.
        let paired = |a: usize, b: usize| {
            (st[a].is_none() && st[b].is_none() && !runs_t[a].is_empty() && runs_t[a].len() == runs_t[b].len())
                .then(|| median(runs_t[a].iter().zip(&runs_t[b]).map(|(x, y)| x / y).collect()))
        };
        let p = RATIOS.map(|(a, b)| paired(a, b));
        paired_geo.add(&p);
        md += &format!("| {name} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n", cell(0), cell(1), cell(4), cell(2), cell(3), cell2(r[0]), cell2(r[1]), cell2(r[2]), cell2(r[3]), cell2(r[4]), rss[0], rss[4]);
        json_rows.push(format!(
            "{{\"workload\":\"{name}\",\"seconds\":[{}],\"status\":[{}],\"auto_over_tcg\":{},\"auto_over_native\":{},\"none_over_tcg\":{},\"tier_over_tcg\":{},\"tier_over_native\":{},\"rss_kb\":[{}],\"runs_seconds\":[{}],\"paired\":[{}]}}",
            t.iter().map(|x| if x.is_nan() { "null".into() } else { format!("{x:.4}") }).collect::<Vec<_>>().join(","),
            st.iter().map(|s| s.as_ref().map(|s| format!("{:?}", s)).unwrap_or("\"ok\"".into())).collect::<Vec<_>>().join(","),
            json4(r[0]),
            json4(r[1]),
            json4(r[2]),
            json4(r[3]),
            json4(r[4]),
            rss.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(","),
            runs_t.iter().map(|r| format!("[{}]", r.iter().map(|x| format!("{x:.4}")).collect::<Vec<_>>().join(","))).collect::<Vec<_>>().join(","),
            json4_list(&p)
        ));
    }
    let means = geo.means();
    md += &format!(
        "\nGeometric means over workloads that ran correctly: zarm auto / TCG = {}, zarm auto / native = {}, zarm none / TCG = {}, zarm auto+tier / TCG = {}, zarm auto+tier / native = {}.\n\nContenders (seconds, in order): zarm auto = baseline JIT with every allowed facility (`--tier=off`), zarm none = `--assist=none`, zarm auto+tier = `--tier=on` (the Cranelift tier at its default threshold), TCG, native; the JSON's `seconds` follow the internal order auto, none, TCG, native, auto+tier.\n\nPeak RSS under qemu-s390x includes qemu-s390x's own memory. zarm ran with `--guest-window-bits {window_bits}` (qemu 7.2 user mode spends ~0.9 s and ~800 MB reserving the default 2^37-byte guest window, which costs nothing on s390x hardware).\n",
        cell2(means[0]),
        cell2(means[1]),
        cell2(means[2]),
        cell2(means[3]),
        cell2(means[4])
    );
    let paired_means = paired_geo.means();
    md += &format!(
        "\nThe same geometric means of ratios paired by round (in each round every contender runs back to back; a row's ratio is the median of its rounds' ratios, which a slow phase of the machine moves less): zarm auto / TCG = {}, zarm auto / native = {}, zarm none / TCG = {}, zarm auto+tier / TCG = {}, zarm auto+tier / native = {}. The JSON has every run's seconds (`runs_seconds`, internal order) and the paired ratios (`paired`: auto/TCG, auto/native, none/TCG, tier/TCG, tier/native).\n",
        cell2(paired_means[0]),
        cell2(paired_means[1]),
        cell2(paired_means[2]),
        cell2(paired_means[3]),
        cell2(paired_means[4])
    );
    std::fs::write(out_dir.join("report.md"), &md).map_err(|e| e.to_string())?;
    std::fs::write(out_dir.join("report.json"), format!("{{\"date\":\"{date}\",\"host\":\"{host}\",\"runs\":{runs},\"quick\":{quick},\"paired_geomeans\":[{}],\"rows\":[{}]}}\n", json4_list(&paired_means), json_rows.join(","))).map_err(|e| e.to_string())?;
    // A bar chart of zarm/TCG ratios (log scale), plain SVG.
    let mut svg = String::from("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"640\" height=\"360\" font-family=\"sans-serif\" font-size=\"12\">\n<text x=\"10\" y=\"20\">zarm time / QEMU TCG time (log scale; 1 = parity, lower is better)</text>\n");
    let bar_w = 560.0 / rows.len() as f64;
    let y1 = 180.0; // ratio 1 line
    svg += &format!("<line x1=\"50\" x2=\"620\" y1=\"{y1}\" y2=\"{y1}\" stroke=\"black\"/>\n<text x=\"10\" y=\"{}\">1×</text>\n", y1 + 4.0);
    for (i, (name, t, _, st, _)) in rows.iter().enumerate() {
        let x = 55.0 + i as f64 * bar_w;
        if st[0].is_none() && st[2].is_none() && t[2] > 0.0 {
            let r = t[0] / t[2];
            let h = r.log10() * 60.0; // 60 px per decade
            let (y, hh) = if h >= 0.0 { (y1 - h, h) } else { (y1, -h) };
            svg += &format!("<rect x=\"{x:.0}\" y=\"{y:.0}\" width=\"{:.0}\" height=\"{hh:.0}\" fill=\"steelblue\"/>\n<text x=\"{x:.0}\" y=\"{:.0}\">{r:.2}</text>\n", bar_w * 0.7, y - 4.0);
        } else {
            svg += &format!("<text x=\"{x:.0}\" y=\"{y1:.0}\" fill=\"red\">n/a</text>\n");
        }
        svg += &format!("<text x=\"{x:.0}\" y=\"340\">{name}</text>\n");
    }
    svg += "</svg>\n";
    std::fs::write(out_dir.join("report.svg"), svg).map_err(|e| e.to_string())?;
    println!("{md}");
    Ok(())
}
