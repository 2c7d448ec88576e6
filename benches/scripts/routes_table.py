#!/usr/bin/env python3
# The routes table of the README: each benchmark workload (quick size) under
# zarm for s390x (qemu-s390x -cpu max on a non-s390x host) with
# --stats-json, for --assist=auto and --assist=none; prints Markdown tables
# of the share of executed guest instructions per route group (native and
# fallback together), on fallback code, through the helper, and run by the
# interpreter before their block was compiled. Run after the
# bench runner has built the workloads: python3 benches/scripts/routes_table.py
import json, os, platform, subprocess, tempfile
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
os.chdir(os.path.join(ROOT, "bench-results"))
NATIVE = platform.machine() == "s390x"
Z = os.path.abspath("../target/release/zarm" if NATIVE else "../target/s390x-unknown-linux-gnu/release/zarm")
EMU = [] if NATIVE else ["qemu-s390x", "-cpu", "max", "-L", "/usr/s390x-linux-gnu"]
W = [("sha256", "1"), ("crc32", "1"), ("qsort", "50"), ("nbody", "20"), ("matmul", "64"), ("memstr", "100"), ("aes", "10"), ("startup", "")]
GROUPS = [
    ("VectorInteger (vx)", ["VectorInteger", "PolyMultiply"]),
    ("VectorFloat (vx/vxe1)", ["VectorFloatDouble", "VectorFloatSingle"]),
    ("FloatScalar (BFP)", ["FloatScalar"]),
    ("Crc32 + AES routes", ["Crc32", "AesRound", "AesMixColumns"]),
]


def stats(assist, w, a):
    with tempfile.NamedTemporaryFile(suffix=".json") as f:
        cmd = EMU + [Z, f"--assist={assist}", "--guest-window-bits", "33", "--stats-json", f.name, os.path.abspath(f"build/{w}.aarch64")] + ([a] if a else [])
        p = subprocess.run(cmd, capture_output=True)
        assert p.returncode == 0, p.stderr
        return json.load(open(f.name))


def pct(n, total):
    return f"{100.0 * n / max(total, 1):.1f}%"


for assist in ["auto", "none"]:
    print(f"\n--assist={assist}\n")
    print("| workload | guest insns executed | hardware-assisted (facility beyond base) | " + " | ".join(g for g, _ in GROUPS)
          + " | fallback code (route without its facility) | helper calls | interpreted before compilation | host bytes / guest insn |")
    print("|---" * (len(GROUPS) + 7) + "|")
    for w, a in W:
        v = stats(assist, w, a)
        total = v["guest_insns_executed"]
        routes = {r["route"]: r for r in v["routes"]}
        ex = lambda names: sum(routes[n]["executed_native"] + routes[n]["executed_fallback"] for n in names if n in routes)
        fallback = sum(r["executed_fallback"] for r in v["routes"] if r["route"] != "Helper")
        cells = [pct(ex(names), total) for _, names in GROUPS]
        print(f"| {w} | {total} | {pct(v['assisted_insns_executed'], total)} | " + " | ".join(cells)
              + f" | {pct(fallback, total)} | {pct(ex(['Helper']), total)} | {pct(v['interpreted_before_compilation']['guest_insns'], total)}"
              + f" | {v['translation']['host_bytes_per_guest_insn']:.1f} |", flush=True)
