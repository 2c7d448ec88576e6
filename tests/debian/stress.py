import sys, math, cmath, random, re, zlib, struct, hashlib, binascii, unicodedata, itertools, functools, collections, heapq, bisect, array, pickle, datetime, threading, string, textwrap, csv, io, base64

def h(x):
    return hashlib.sha256(repr(x).encode()).hexdigest()[:16]

out = []
# big integers
out.append(h(pow(3, 5003, 2**521 - 1)))
out.append(sum(int(d) for d in str(math.factorial(400))))
out.append(h([(a * 0x9E3779B97F4A7C15) >> 17 for a in range(2000)]))
out.append(h(divmod(7**2000, 13**700)))
out.append(math.isqrt(10**200 + 12345))
out.append(math.gcd(2**300 - 1, 2**180 - 1))
# floats
r = random.Random(12345)
fs = [r.uniform(-1e6, 1e6) for _ in range(500)]
out.append(h([repr(f) for f in fs]))
out.append(h([math.sin(f) for f in fs[:500]] + [math.exp(f / 1e5) for f in fs[:500]]))
out.append(h([math.log1p(abs(f)) for f in fs[:500]] + [math.lgamma(abs(f) / 1e3 + 0.5) for f in fs[:300]]))
out.append(h([f"{f:.17g}|{f:e}|{f:.3f}" for f in fs[:1000]]))
out.append(h([float.fromhex((f * 1.5).hex()) for f in fs[:1000]]))
out.append(h([cmath.sqrt(complex(f, -f / 3)) for f in fs[:300]]))
out.append(h([math.fsum(fs[i:i + 50]) for i in range(0, 500, 50)]))
out.append(h([round(f, 2) for f in fs[:1000]]))
out.append(h([f.as_integer_ratio() for f in fs[:300]]))
# decimal and fractions
# sorting, containers
data = [r.randrange(10**9) for _ in range(2000)]
out.append(h(sorted(data)[::97]))
out.append(h(sorted(map(str, data[:1500]))[::53]))
c = collections.Counter(x % 1000 for x in data)
out.append(h(c.most_common(10)))
hp = data[:1000]; heapq.heapify(hp)
out.append(h([heapq.heappop(hp) for _ in range(100)]))
out.append(bisect.bisect_left(sorted(data), 500000000))
d = {}
for i, x in enumerate(data):
    d[str(x)] = i
out.append(h(sorted(d.items())[:50]))
out.append(h(list(itertools.permutations(range(6)))[::37]))
# strings and regexes
text = " ".join(f"word{r.randrange(1000)} Ünïcödé-{i} 0x{i*7919:x}" for i in range(400))
out.append(h(re.findall(r"word(\d+) \w+-(\d+)", text)[::31]))
out.append(h(re.sub(r"0x([0-9a-f]+)", lambda m: str(int(m.group(1), 16)), text)[:5000]))
out.append(h(unicodedata.normalize("NFD", text)[:4000]))
out.append(h(text.upper().split()[::17]))
out.append(h(text.encode("utf-16-le")[:6000]))
out.append(h(textwrap.wrap(text[:5000], 61)))
# codecs, compression, hashing
raw = text.encode()
comp = zlib.compress(raw, 9)
out.append((len(comp), zlib.crc32(raw), zlib.adler32(raw)))
out.append(zlib.decompress(comp) == raw)
for name in ["md5", "sha1", "sha256", "sha512", "sha3_256", "blake2b", "blake2s"]:
    out.append(hashlib.new(name, raw).hexdigest()[:24])
out.append(binascii.crc32(raw))
out.append(h(base64.b85encode(raw[:3000])))
out.append(h(struct.pack("<50d", *fs[:50]) + struct.pack(">50q", *data[:50])))
out.append(h(struct.unpack("<100f", struct.pack("<100f", *fs[:100]))))
out.append(h(array.array("d", fs[:200]).tobytes()))
# serialisation
obj = {"a": fs[:100], "b": data[:100], "c": {"x": [1, 2.5, None, True, "s\u00e9"]}}
out.append(pickle.loads(pickle.dumps(obj)) == obj)
out.append(h(pickle.dumps(obj, protocol=5)))
buf = io.StringIO(); w = csv.writer(buf)
for i in range(200):
    w.writerow([i, fs[i], f"q\"uote{i}", data[i]])
out.append(h(buf.getvalue()))
# dates
out.append(str(datetime.datetime(2024, 2, 29, 13, 14, 15) + datetime.timedelta(days=1000, seconds=12345)))
# recursion, closures, exceptions
@functools.lru_cache(maxsize=None)
def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)
out.append(fib(300))
def ack(m, n):
    return n + 1 if m == 0 else ack(m - 1, 1) if n == 0 else ack(m - 1, ack(m, n - 1))
sys.setrecursionlimit(10000)
out.append(ack(2, 100))
try:
    1 / 0
except ZeroDivisionError as e:
    out.append(str(e))
# threads
lock = threading.Lock()
total = [0]
def work(k):
    s = 0
    for i in range(1500):
        s += (i * k) % 7
    with lock:
        total[0] += s
ts = [threading.Thread(target=work, args=(k,)) for k in range(4)]
for t in ts: t.start()
for t in ts: t.join()
out.append(total[0])
for line in out:
    print(line)
