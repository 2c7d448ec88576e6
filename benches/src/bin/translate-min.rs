//! Translation throughput as the minimum over repeated passes (robust
//! against a noisy machine, unlike a mean): decode+lift, +optimise, +emit
//! over the demo program's `.text`, natively, in guest instructions/s.
//! `cargo run -p zarm-benches --release --bin translate-min [-- REPEATS]`

use std::time::Instant;
use zarm_backend_s390x::emit::{compile, EmitConfig};
use zarm_backend_s390x::facilities::HostFacilities;
use zarm_frontend_a64::{translate, TranslateOptions};

fn main() {
    let repeats: usize = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(30);
    let Some((mut mem, start, insns)) = zarm_benches::guest_text(&zarm_benches::demo_path()) else {
        eprintln!("build the guest programs first (./setup.sh)");
        std::process::exit(1);
    };
    let opts = TranslateOptions::default();
    let cfg = EmitConfig { facilities: HostFacilities::machine_level("z15").unwrap(), guest_addr_bits: 37, window_guard: true, checked_pages: false, exit_checks: true };
    for (name, stage) in [("decode+lift", 0), ("decode+lift+optimise", 1), ("decode+lift+optimise+emit s390x", 2)] {
        let mut best = f64::MAX;
        for _ in 0..repeats {
            let t0 = Instant::now();
            let mut pc = start;
            while pc < start + 4 * insns {
                let mut block = translate(&mut mem, pc, &opts);
                if stage >= 1 {
                    zarm_ir::passes::optimize(&mut block, false).unwrap();
                }
                if stage >= 2 {
                    let _ = compile(&block, &cfg);
                }
                pc = block.end_pc.max(pc + 4);
            }
            best = best.min(t0.elapsed().as_secs_f64());
        }
        println!("{name:<34} {:>7.2} ms  {:>6.2} M guest insns/s  (best of {repeats}, {insns} insns)", best * 1e3, insns as f64 / best / 1e6);
    }
}
