#!/usr/bin/env bash
# Installs what zarm's build and tests need on Debian/Ubuntu, idempotently,
# then builds the guest test programs. Works as root (CI) or via sudo.
set -euo pipefail
cd "$(dirname "$0")"

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi
# apt's methods run as the user _apt, which cannot write /dev/null on
# machines where it is mode 0644 (CI): apt-key then fails to find gpgv.
APT_OPTS=(-o APT::Sandbox::User=root)

need=()
for pkg in qemu-user gcc-aarch64-linux-gnu gcc-s390x-linux-gnu libc6-dev-arm64-cross libc6-dev-s390x-cross \
           binutils-aarch64-linux-gnu binutils-s390x-linux-gnu; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
    echo "setup: installing ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get "${APT_OPTS[@]}" update -qq
    $SUDO apt-get "${APT_OPTS[@]}" install -y -qq "${need[@]}"
else
    echo "setup: system packages present"
fi

if ! rustup target list --installed 2>/dev/null | grep -q '^s390x-unknown-linux-gnu$'; then
    echo "setup: adding the Rust target s390x-unknown-linux-gnu"
    rustup target add s390x-unknown-linux-gnu
else
    echo "setup: Rust target s390x-unknown-linux-gnu present"
fi

echo "setup: building the guest test programs"
bash tests/guest/build.sh
bash tests/debian/fetch.sh
echo "setup: done"
