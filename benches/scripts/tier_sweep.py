#!/usr/bin/env python3
# Tier-threshold sweep: each benchmark workload under zarm for s390x
# (qemu-s390x -cpu max on a non-s390x host) with --tier=off and --tier=on at
# thresholds 1000, 5000, 20000; medians of 3 interleaved runs with stdout and
# stderr piped as the bench runner does (a pipe makes glibc buffer
# differently, which changes which loops get hot). Run after the bench
# runner has built the workloads: python3 benches/scripts/tier_sweep.py [full]
import subprocess, time, os, statistics, sys, math, platform
ROOT=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
os.chdir(os.path.join(ROOT, "bench-results"))
NATIVE = platform.machine() == "s390x"
Z=os.path.abspath("../target/release/zarm" if NATIVE else "../target/s390x-unknown-linux-gnu/release/zarm")
EMU=[] if NATIVE else ["qemu-s390x","-cpu","max","-L","/usr/s390x-linux-gnu"]
W=[("sha256","1"),("crc32","1"),("qsort","50"),("nbody","20"),("matmul","64"),("memstr","100"),("aes","10"),("startup","")]
if len(sys.argv)>1 and sys.argv[1]=="full":
    W=[("sha256","4"),("crc32","8"),("qsort","300"),("nbody","100"),("matmul","128"),("memstr","500"),("aes","50")]
cfgs={"off":["--tier=off"],"t1000":["--tier=on","--tier-threshold","1000"],"t5000":["--tier=on","--tier-threshold","5000"],"t20000":["--tier=on","--tier-threshold","20000"]}
res={}
for w,a in W:
    for r in range(3):
        for c,extra in cfgs.items():
            cmd=EMU+[Z,"--assist=auto"]+extra+["--guest-window-bits","33",os.path.abspath(f"build/{w}.aarch64"),a]
            t0=time.time(); p=subprocess.run(cmd,capture_output=True); dt=time.time()-t0
            assert p.returncode==0, p.stderr
            res.setdefault((w,c),[]).append(dt)
    print(w, "  ".join(f"{c}={statistics.median(res[(w,c)]):.3f}" for c in cfgs), flush=True)
for c in cfgs:
    g=math.exp(sum(math.log(statistics.median(res[(w,c)])/statistics.median(res[(w,'off')])) for w,_ in W)/len(W))
    print(c, "geomean vs off", round(g,3))
