//! Translation throughput as the minimum over repeated passes (robust
//! against a noisy machine, unlike a mean): decode+lift, +optimise, +emit
//! over the demo program's `.text`, natively, in guest instructions/s.
//! `cargo run -p zarm-benches --release --bin translate-min [-- REPEATS [STAGE]]`
//! (STAGE 0, 1 or 2 runs only that stage: for profilers; stage 3 emits
//! without the optimiser, to weigh the optimiser's share of the whole path).
//! After the full path it prints the static code expansion of the blocks:
//! host bytes per guest instruction.

use std::time::Instant;

fn main() {
    let repeats: usize = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(30);
    let Some((mut mem, start, insns)) = zarm_benches::guest_text(&zarm_benches::demo_path()) else {
        eprintln!("build the guest programs first (./setup.sh)");
        std::process::exit(1);
    };
    let only: Option<usize> = std::env::args().nth(2).and_then(|s| s.parse().ok());
    let cfg = zarm_benches::emit_config();
    for (name, stage) in [("decode+lift", 0), ("decode+lift+optimise", 1), ("decode+lift+optimise+emit s390x", 2), ("decode+lift+emit s390x (no optimiser)", 3)] {
        if only.is_some_and(|o| o != stage) {
            continue;
        }
        let mut best = f64::MAX;
        let mut made = (0, 0);
        for _ in 0..repeats {
            let t0 = Instant::now();
            made = zarm_benches::translate_text(&mut mem, start, insns, stage == 1 || stage == 2, (stage >= 2).then_some(&cfg));
            best = best.min(t0.elapsed().as_secs_f64());
        }
        println!("{name:<34} {:>7.2} ms  {:>6.2} M guest insns/s  (best of {repeats}, {insns} insns)", best * 1e3, insns as f64 / best / 1e6);
        if stage == 2 {
            // The static code expansion of the same blocks.
            let (blocks, bytes) = made;
            println!("{:<34} {bytes} host bytes in {blocks} blocks, {:.1} per guest instruction", "  code emitted", bytes as f64 / insns as f64);
        }
    }
}
