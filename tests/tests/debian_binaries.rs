//! Dynamically linked programs from Debian's arm64 archive (a shell,
//! coreutils, sed, grep, compressors, Lua, Python, Perl, SQLite, bc, gawk, jq, OpenSSL), unpacked into a test sysroot
//! by `tests/debian/fetch.sh` (run by setup.sh): each command's stdout and
//! exit status under zarm must equal `qemu-aarch64 -L <the same sysroot>`.
//! Shell pipelines that exec other aarch64 programs cannot run under
//! qemu-aarch64 without binfmt_misc, so those are compared with the host's
//! own dash and coreutils running the same script.

use std::path::PathBuf;
use zarm_tests::*;

fn sysroot() -> PathBuf {
    let root = repo_root().join("tests/debian/sysroot");
    assert!(
        root.join(".zarm-packages").exists(),
        "the Debian test sysroot is missing: run tests/debian/fetch.sh (setup.sh does)"
    );
    root
}

struct Cmd {
    prog: &'static str,
    args: &'static [&'static str],
    stdin: &'static [u8],
    /// The exit status qemu-aarch64 gives: a check that the command does
    /// what it is meant to (not, say, fail the same way under both).
    code: i32,
}

const TEXT: &[u8] = b"the quick brown fox\njumps over\nthe lazy dog\nzebra\napple\napple\n\xc3\xa9t\xc3\xa9\n";

const LUA: &str = r##"
local t = {}
for i = 1, 200 do t[i] = (i * 7919) % 1009 end
table.sort(t)
local co = coroutine.wrap(function() for i = 1, 3 do coroutine.yield(i * i) end end)
local s = 0
for _ = 1, 3 do s = s + co() end
local words = {}
for w in ("alpha beta gamma"):gmatch("%a+") do words[#words + 1] = w:upper() end
print(t[1], t[100], t[200], s, table.concat(words, "-"), string.format("%.6f %x %q", math.sqrt(2), 48879, "a\tb"))
print(math.maxinteger, 7 // 2, 7 % -3, 2^10, utf8.len("\u{e9}t\u{e9}"))
local ok, err = pcall(error, {code = 42})
print(ok, err.code, select("#", 1, nil, 3))
os.exit(3)
"##;

const PERL: &str = r#"my %h; for my $i (1..5000) { $h{$i % 997} += $i * 1.5 }
print join(",", map { sprintf("%.3f", $h{$_}) } (sort { $a <=> $b } keys %h)[0..20]), "\n";
my $s = join "", map { chr(65 + $_ % 26) } 1..5000; (my $t = $s) =~ s/([AEIOU])(.)/$2$1/g; print length($t), substr($t, 0, 60), "\n";
printf("%.17g %e %s %s\n", 1/3, 2**70, 9**20, unpack("H*", pack("d>N", 3.25, 77)));
print scalar(reverse "hello"), " ", join(":", sort { $b cmp $a } qw(pear apple fig)), "\n";
my @p = grep { my $n = $_; !grep { $n % $_ == 0 } 2..sqrt($n) } 2..1500; print scalar(@p), " $p[-1]\n";"#;

const BC: &[u8] = b"scale=300; 4*a(1)\ne(1)\nsqrt(2)\nl(10)\n2^1000 % 1000007\nquit\n";

const GAWK: &str = r#"BEGIN { srand(42); s = 0; for (i = 1; i < 20000; i++) s += sin(i) * rand();
printf "%.17g %d %s\n", s, 2^53, gensub(/(a+)(b)/, "<\\2\\1>", "g", "aab ab aaab");
n = split("z y x w", a); asort(a); print a[1] a[4], 17 % -5, int(-3.7), substr("hello", 2, 3) }"#;

const JQ: &str = r#"[range(0;2000)] | map(. * 1.1 | floor) | [add, length, (map(tostring) | join("") | length), (map(select(. % 7 == 0)) | length)], ([limit(5; repeat(1.5))] | add), ({"a":[1,2,{"b":null}]} | tojson), (1e1000 | tostring), (pow(2;64) | tostring), ("x" * 3)"#;

const PYTHON: &str = r#"
import sys, struct, zlib, hashlib, re, math, binascii
from collections import Counter
d = {i: i * i for i in range(50)}
print(sum(d.values()), sorted(Counter("mississippi").items()))
print(struct.pack("<IqH", 1, -2, 3).hex(), struct.unpack(">d", struct.pack(">d", 1.5)))
print(zlib.crc32(b"zarm"), hashlib.sha256(b"abc").hexdigest()[:16])
print(repr({"a": [1, 2.5, None, True]}), re.sub(r"(\w)(\d)", r"\2\1", "a1 b2 c3"), math.gamma(4.5), binascii.hexlify(b"\x00\xff"))
print(f"{2**100} {1/3:.10f} {float('nan')} {-0.0} {int('ff', 16)}")
try:
    1 / 0
except ZeroDivisionError as e:
    print("caught", type(e).__name__)
sys.exit(5)
"#;

fn commands() -> Vec<Cmd> {
    vec![
        Cmd { prog: "bin/dash", args: &["-c", "for i in 1 2 3; do echo line $i; done; x=$((7*6)); echo $x; echo abc | (read v; echo got $v); f() { return 3; }; f; echo status $?; exit 4"], stdin: b"", code: 4 },
        Cmd { prog: "bin/dash", args: &["-c", "while read a b; do case $a in the) echo \"article:$b\";; *) printf '%s|%s\\n' \"$a\" \"$b\";; esac; done; trap 'echo trapped' EXIT"], stdin: TEXT, code: 0 },
        Cmd { prog: "usr/bin/sort", args: &["-r"], stdin: TEXT, code: 0 },
        Cmd { prog: "usr/bin/sort", args: &["-u", "-k2"], stdin: TEXT, code: 0 },
        Cmd { prog: "usr/bin/wc", args: &[], stdin: TEXT, code: 0 },
        Cmd { prog: "usr/bin/sha256sum", args: &[], stdin: TEXT, code: 0 },
        Cmd { prog: "usr/bin/md5sum", args: &[], stdin: TEXT, code: 0 },
        Cmd { prog: "usr/bin/tr", args: &["a-z", "A-Z"], stdin: TEXT, code: 0 },
        Cmd { prog: "usr/bin/seq", args: &["-s", ",", "1", "7", "100"], stdin: b"", code: 0 },
        Cmd { prog: "usr/bin/factor", args: &["1234567890", "600851475143", "18446744073709551557"], stdin: b"", code: 0 },
        Cmd { prog: "usr/bin/expr", args: &["12345", "*", "6789"], stdin: b"", code: 0 },
        Cmd { prog: "usr/bin/base64", args: &[], stdin: TEXT, code: 0 },
        Cmd { prog: "usr/bin/od", args: &["-An", "-tx1", "-N", "24"], stdin: TEXT, code: 0 },
        Cmd { prog: "usr/bin/uniq", args: &["-c"], stdin: TEXT, code: 0 },
        Cmd { prog: "usr/bin/tac", args: &[], stdin: TEXT, code: 0 },
        Cmd { prog: "usr/bin/numfmt", args: &["--to=iec", "123456789", "1000", "1048576"], stdin: b"", code: 0 },
        Cmd { prog: "bin/date", args: &["-u", "-d", "@1234567890", "+%Y-%m-%d %H:%M:%S %A %j"], stdin: b"", code: 0 },
        Cmd { prog: "usr/bin/printf", args: &["%05d|%-6s|%x|%.3f|%e\\n", "42", "ab", "255", "3.14159", "12345.678"], stdin: b"", code: 0 },
        Cmd { prog: "bin/ls", args: &["-1", "-a", "/usr/lib/python3.11/collections", "/usr/share/lintian/overrides"], stdin: b"", code: 0 },
        Cmd { prog: "bin/cat", args: &["/nonexistent-file"], stdin: b"", code: 1 },
        Cmd { prog: "bin/sed", args: &["-e", "s/[aeiou]/_/g", "-e", "2d", "-e", "/dog/a appended"], stdin: TEXT, code: 0 },
        Cmd { prog: "bin/grep", args: &["-n", "-E", "o[a-z]+|^z"], stdin: TEXT, code: 0 },
        Cmd { prog: "bin/grep", args: &["-c", "nomatch"], stdin: TEXT, code: 1 },
        Cmd { prog: "bin/gzip", args: &["-c", "-9", "-n"], stdin: TEXT, code: 0 },
        Cmd { prog: "usr/bin/lua5.4", args: &["-e", LUA], stdin: b"", code: 3 },
        Cmd { prog: "usr/bin/python3.11", args: &["-S", "-c", PYTHON], stdin: b"", code: 5 },
        // OpenSSL's AArch64 code takes the AES, SHA-1, SHA-256 and SHA-512
        // instructions that the HWCAPs advertise.
        Cmd { prog: "usr/bin/openssl", args: &["dgst", "-sha512"], stdin: TEXT, code: 0 },
        Cmd { prog: "usr/bin/openssl", args: &["dgst", "-sha256"], stdin: TEXT, code: 0 },
        Cmd { prog: "usr/bin/openssl", args: &["dgst", "-sha1"], stdin: TEXT, code: 0 },
        Cmd { prog: "usr/bin/openssl", args: &["dgst", "-sha3-256"], stdin: TEXT, code: 0 },
        Cmd { prog: "usr/bin/openssl", args: &["enc", "-aes-128-cbc", "-K", "000102030405060708090a0b0c0d0e0f", "-iv", "f0e0d0c0b0a090807060504030201000", "-a"], stdin: TEXT, code: 0 },
        Cmd { prog: "usr/bin/openssl", args: &["enc", "-aes-256-ctr", "-K", "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4", "-iv", "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff", "-a"], stdin: TEXT, code: 0 },
    ]
}

#[test]
fn debian_binaries_match_qemu() {
    let root = sysroot();
    let r = root.to_str().unwrap();
    let failures = for_each_parallel(&commands(), |c| {
        let prog = root.join(c.prog);
        let q = run_qemu_opts(&prog, c.args, &["-L", r], c.stdin);
        if q.code != Some(c.code) {
            return Some(format!("qemu-aarch64 ran {} {:?} unexpectedly (status {:?}): {}", c.prog, c.args, q.code, String::from_utf8_lossy(&q.stderr)));
        }
        let z = run_zarm(&prog, c.args, &["-L", r], c.stdin);
        (z.observable() != q.observable()).then(|| describe_difference(&format!("{} {:?}", c.prog, c.args), &z, &q))
    });
    assert!(failures.is_empty(), "{} commands differ:\n{}", failures.len(), failures.join("\n"));
}

/// gzip's output decompressed again by the guest's own gzip.
#[test]
fn gzip_round_trip() {
    let root = sysroot();
    let r = root.to_str().unwrap();
    let gz = root.join("bin/gzip");
    let packed = run_zarm(&gz, &["-c", "-n"], &["-L", r], TEXT);
    assert_eq!(packed.code, Some(0), "{}", String::from_utf8_lossy(&packed.stderr));
    let unpacked = run_zarm(&gz, &["-d", "-c"], &["-L", r], &packed.stdout);
    assert_eq!(unpacked.code, Some(0), "{}", String::from_utf8_lossy(&unpacked.stderr));
    assert_eq!(unpacked.stdout, TEXT);
}

/// A shell script whose pipelines fork and exec other Debian programs
/// (inside zarm, re-entered with the same -L), against the host's dash
/// and coreutils running the same script.
#[test]
fn shell_pipelines_exec_debian_programs() {
    let root = sysroot();
    let r = root.to_str().unwrap();
    let script = "echo hello world | /usr/bin/tr a-z A-Z; \
                  /usr/bin/seq 1 20 | /bin/grep 1 | /usr/bin/wc -l; \
                  printf 'b\\na\\nc\\n' | /usr/bin/sort | /usr/bin/tac | /usr/bin/head -n 2; \
                  /bin/ls /nonexistent-zarm-dir 2>/dev/null; echo ls status $?; \
                  x=$(/usr/bin/expr 6 \\* 7); echo expr $x; \
                  /bin/sh -c 'exit 9'; echo sub status $?; \
                  /usr/bin/env -i /bin/dash -c 'echo env size $(/usr/bin/env | /usr/bin/wc -l)'; \
                  exec /bin/echo exec replaced the shell";
    let host = run_native(std::path::Path::new("/bin/dash"), &["-c", script], b"");
    assert_eq!(host.code, Some(0), "the host's dash failed: {}", String::from_utf8_lossy(&host.stderr));
    let z = run_zarm(&root.join("bin/dash"), &["-c", script], &["-L", r], b"");
    assert!(z.observable() == host.observable(), "{}", describe_difference("dash pipelines", &z, &host));
}

/// 64 KiB of deterministic pseudo-random bytes (xorshift64*) for the
/// cryptographic commands to read from stdin.
fn blob() -> Vec<u8> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..65536 / 8)
        .flat_map(|_| {
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            x.wrapping_mul(0x2545_F491_4F6C_DD1D).to_le_bytes()
        })
        .collect()
}

/// Heavier real workloads, each compared with qemu-aarch64: a Python
/// script (big integers, float formatting and libm, sorting, regexes,
/// Unicode, zlib, hashlib, pickle, threads; `tests/debian/stress.py`), a
/// Lua script (`stress.lua`), and OpenSSL's hand-written AArch64 assembly
/// on 64 KiB: RSA signing (Montgomery multiplication), Ed25519, X25519,
/// P-256 (nistz256), PBKDF2, ChaCha20, Poly1305, GMAC (PMULL), SM3, SM4,
/// ARIA, Camellia, 3DES, BLAKE2 and SHA-3 — with keys from
/// `tests/debian/keys` (test keys, made once with the host's openssl);
/// xz and zstd (also multi-threaded), bzip2, SQLite (`stress.sql`), Perl,
/// bc, gawk (also -M: MPFR and GMP) and jq.
#[test]
fn real_workloads_match_qemu() {
    let root = sysroot();
    let r = root.to_str().unwrap();
    let debian = repo_root().join("tests/debian");
    let key = |name: &str| debian.join("keys").join(name).display().to_string();
    let data = blob();
    const K: &str = "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4";
    const IV: &str = "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";
    let strs = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let (py, lua) = (debian.join("stress.py").display().to_string(), debian.join("stress.lua").display().to_string());
    let mut cmds: Vec<(&str, Vec<String>, &[u8])> = vec![("usr/bin/python3.11", strs(&["-S", &py]), b""), ("usr/bin/lua5.4", strs(&[&lua]), b"")];
    let mut openssl: Vec<Vec<String>> = vec![
        strs(&["dgst", "-sha256", "-sign", &key("rsa.pem")]),
        strs(&["pkeyutl", "-sign", "-inkey", &key("ed25519.pem"), "-rawin", "-in", &lua]),
        strs(&["pkeyutl", "-derive", "-inkey", &key("x25519.pem"), "-peerkey", &key("x25519-peer.pub.pem")]),
        strs(&["ec", "-in", &key("p256.pem"), "-pubout"]),
        strs(&["rsa", "-in", &key("rsa.pem"), "-check", "-noout"]),
        strs(&["kdf", "-keylen", "32", "-kdfopt", "digest:SHA256", "-kdfopt", "pass:password", "-kdfopt", "salt:salt", "-kdfopt", "iter:4000", "PBKDF2"]),
        strs(&["enc", "-chacha20", "-K", K, "-iv", "00000000000000000000000000000001"]),
        strs(&["mac", "-macopt", "hexkey:000102030405060708090a0b0c0d0e0f000102030405060708090a0b0c0d0e0f", "Poly1305"]),
        strs(&["mac", "-macopt", "hexkey:000102030405060708090a0b0c0d0e0f", "-macopt", "hexiv:000102030405060708090a0b", "-cipher", "AES-128-GCM", "GMAC"]),
        strs(&["mac", "-cipher", "AES-128-CBC", "-macopt", "hexkey:000102030405060708090a0b0c0d0e0f", "CMAC"]),
        strs(&["dgst", "-sm3"]),
        strs(&["dgst", "-blake2b512"]),
        strs(&["dgst", "-shake256"]),
        strs(&["dgst", "-sha512", "-hmac", "secretkey"]),
    ];
    for cipher in ["sm4-cbc", "aria-128-cbc", "camellia-128-cbc", "des-ede3-cbc", "aes-192-cfb", "aes-128-cfb8"] {
        openssl.push(strs(&["enc", &format!("-{cipher}"), "-K", K, "-iv", IV, "-a"]));
    }
    cmds.extend(openssl.into_iter().map(|args| ("usr/bin/openssl", args, &data[..])));
    // Compressors (xz and zstd also with two threads), SQLite, Perl, bc,
    // gawk (with MPFR/GMP for -M) and jq, on text with a random tail.
    let text: Vec<u8> = {
        let mut t = Vec::new();
        for _ in 0..6 {
            for f in ["stress.py", "stress.lua", "stress.sql"] {
                t.extend(std::fs::read(debian.join(f)).unwrap());
            }
        }
        t.extend(&data[..30000]);
        t
    };
    let sql = std::fs::read(debian.join("stress.sql")).unwrap();
    cmds.extend([
        ("usr/bin/xz", strs(&["-9e", "-c"]), &text[..]),
        ("usr/bin/xz", strs(&["-T2", "-6", "--block-size=40000", "-c"]), &text),
        ("usr/bin/xz", strs(&["--format=lzma", "-c"]), &text),
        ("usr/bin/zstd", strs(&["-19", "-c"]), &text),
        ("usr/bin/zstd", strs(&["-T2", "-3", "-c"]), &text),
        ("bin/bzip2", strs(&["-9", "-c"]), &text),
        ("usr/bin/sqlite3", strs(&[":memory:"]), &sql),
        ("usr/bin/perl", strs(&["-e", PERL]), b""),
        ("usr/bin/bc", strs(&["-l", "-q"]), BC),
        ("usr/bin/gawk", strs(&[GAWK]), b""),
        ("usr/bin/gawk", strs(&["-M", "BEGIN { x = 2^300 + 7; print x, x % 1000000007; printf \"%.40f\\n\", 1/7 }"]), b""),
        ("usr/bin/gawk", strs(&["{ n += NF; c += length($0); w[$1]++ } END { for (k in w) if (w[k] > 20) m++; print NR, n, c, m }"]), &text),
        ("usr/bin/jq", strs(&["-n", "-c", JQ]), b""),
    ]);
    let failures = for_each_parallel(&cmds, |(prog, args, stdin)| {
        let prog = root.join(prog);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let q = run_qemu_opts(&prog, &args, &["-L", r], stdin);
        if q.code != Some(0) || q.stdout.is_empty() {
            return Some(format!("qemu-aarch64 ran {} {args:?} unexpectedly (status {:?}): {}", prog.display(), q.code, String::from_utf8_lossy(&q.stderr)));
        }
        let z = run_zarm(&prog, &args, &["-L", r], stdin);
        (z.observable() != q.observable()).then(|| describe_difference(&format!("{} {args:?}", prog.display()), &z, &q))
    });
    assert!(failures.is_empty(), "{} of {} workloads differ:\n{}", failures.len(), cmds.len(), failures.join("\n"));
}
