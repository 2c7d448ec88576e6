local out = {}
local function p(...) local t = table.pack(...) for i = 1, t.n do t[i] = tostring(t[i]) end out[#out+1] = table.concat(t, " ") end
-- integers and floats
local s = 0
for i = 1, 20000 do s = (s * 31 + i * i) % 1000000007 end
p(s)
local f = 0.0
for i = 1, 5000 do f = f + math.sin(i) * math.exp(-i / 1e4) + math.sqrt(i) / (i + 0.5) end
p(string.format("%.17g", f))
p(string.format("%a %g %.20e %5.2f", 1/3, 2^70, math.pi, -0.005))
p(math.tointeger(2^53), 7 // 2, -7 // 2, 7 % -3, -7.5 % 2, 3 / 0, -3 % math.huge)
p(math.maxinteger + 1 == math.mininteger, math.ult(-1, 1), 1 << 63, (-1) >> 1, 5 & 3 | 8 ~ 2)
p(string.format("%d %x", math.maxinteger // 3, math.mininteger // -1))
-- strings, patterns
local t = {}
for i = 1, 1000 do t[#t+1] = string.format("key%05d=%s", (i * 7919) % 10007, string.rep(string.char(65 + i % 26), i % 7)) end
local big = table.concat(t, ";")
p(#big)
local cnt = 0
for k, v in big:gmatch("key(%d+)=(%u*)") do cnt = cnt + #v + tonumber(k) % 13 end
p(cnt)
p(big:gsub("%d%d", function(d) return d:reverse() end):sub(1, 60))
p(("héllo wörld"):upper(), utf8 and utf8.len("héllo wörld"))
-- tables and sorting
local arr = {}
local x = 12345
for i = 1, 4000 do x = (x * 1103515245 + 12345) % 2147483648; arr[i] = x end
table.sort(arr)
p(arr[1], arr[2000], arr[4000])
table.sort(arr, function(a, b) return a % 1000 < b % 1000 or (a % 1000 == b % 1000 and a < b) end)
p(arr[1], arr[4000])
local h = {}
for i = 1, 4000 do h["k" .. (i % 601)] = (h["k" .. (i % 601)] or 0) + i end
local keys = {}
for k in pairs(h) do keys[#keys+1] = k end
table.sort(keys)
p(#keys, keys[1], h[keys[100]])
-- closures, coroutines, errors
local function gen(n) return coroutine.wrap(function() for i = 1, n do coroutine.yield(i * i) end end) end
local acc = 0
for v in gen(300) do acc = acc + v end
p(acc)
p(select(2, pcall(function() error({code = 42}) end)).code)
p(select(2, pcall(function() local a = nil; return a.b end)))
local function fib(n) if n < 2 then return n end return fib(n-1) + fib(n-2) end
p(fib(18))
p(string.pack and #string.pack("<i4 d s", 7, 1.5, "abc"))
p(string.unpack("<d", string.pack("<d", -1.25e-300)))
p(os.time({year = 2024, month = 2, day = 29, hour = 12}))
print(table.concat(out, "\n"))
