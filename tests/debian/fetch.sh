#!/usr/bin/env bash
# Fetches a handful of Debian arm64 packages (a shell, coreutils, sed, grep,
# compressors (gzip, xz, zstd, bzip2), Lua, Python, Perl, SQLite, bc,
# gawk, jq and the OpenSSL command) with `apt-get download` and unpacks them
# with `dpkg -x` into tests/debian/sysroot: the guest root (-L) of the
# Debian-binaries test. Nothing is installed on the host, and the host's
# apt configuration is untouched: the arm64 package lists live in
# tests/debian/apt. Idempotent (a stamp names the package set).
set -euo pipefail
cd "$(dirname "$0")"
PACKAGES=(libc6 libgcc-s1 dash coreutils sed grep gzip lua5.4 liblua5.4-0 libreadline8 libtinfo6
          libacl1 libattr1 libselinux1 libpcre2-8-0 libgmp10
          python3.11-minimal libpython3.11-minimal libexpat1 zlib1g libssl3 openssl
          xz-utils liblzma5 zstd libzstd1 liblz4-1 bzip2 libbz2-1.0 sqlite3 libsqlite3-0
          perl-base libcrypt1 bc gawk libmpfr6 libsigsegv2 jq libjq1 libonig5)
STAMP="sysroot/.zarm-packages"
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "${PACKAGES[*]}" ]; then
    echo "debian: sysroot present"
    exit 0
fi
APT=(-o APT::Architecture=arm64 -o APT::Architectures::=arm64
     -o Dir::State::Lists="$PWD/apt/lists" -o Dir::Cache="$PWD/apt/cache"
     -o Dir::State::status=/dev/null -o Debug::NoLocking=1)
# As root, apt runs its download and signature-check methods as the user
# _apt; where that user cannot write /dev/null (seen in CI: /dev/null mode
# 0644), apt-key's probe for gpgv fails and every list is refused as
# unsigned. The lists are still checked with gpgv, only as root.
if [ "$(id -u)" -eq 0 ]; then
    APT+=(-o APT::Sandbox::User=root)
fi
mkdir -p apt/lists/partial apt/cache/archives/partial apt/debs
echo "debian: fetching the arm64 package lists"
apt-get -qq "${APT[@]}" update
rm -f apt/debs/*.deb
(cd apt/debs && apt-get -qq "${APT[@]}" download "${PACKAGES[@]}" 2>&1 | grep -v "unsandboxed" || true)
count=$(ls apt/debs/*.deb | wc -l)
if [ "$count" -ne "${#PACKAGES[@]}" ]; then
    echo "debian: expected ${#PACKAGES[@]} packages, got $count" >&2
    exit 1
fi
rm -rf sysroot
mkdir -p sysroot
for deb in apt/debs/*.deb; do
    dpkg -x "$deb" sysroot
done
echo "${PACKAGES[*]}" > "$STAMP"
echo "debian: unpacked $count packages into tests/debian/sysroot"
