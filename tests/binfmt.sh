#!/usr/bin/env bash
# zarm --install-binfmt / --uninstall-binfmt on this machine's kernel: the
# entry's fields, AArch64 programs executed directly (static, dynamic with
# ZARM_LD_PREFIX, argv[0] preserved by the P flag, compared with zarm run
# by hand and with qemu-aarch64 -0), refusal of a duplicate, removal.
# Needs root and binfmt_misc (mounted if it is not); says why it cannot
# run otherwise. Run by test.sh on its own, as the entry briefly applies to
# every AArch64 program this machine executes.
set -euo pipefail
cd "$(dirname "$0")/.."
Z="$PWD/target/release/zarm"
R="$PWD/tests/debian/sysroot"
NAME="zarm-test-$$"
ENTRY="/proc/sys/fs/binfmt_misc/$NAME"
if [ "$(id -u)" -ne 0 ]; then
    echo "binfmt: not run: registering with binfmt_misc needs root"
    exit 0
fi
fail() { echo "binfmt: FAILED: $*" >&2; exit 1; }
trap '[ -e "$ENTRY" ] && echo -1 > "$ENTRY" || true' EXIT

if ! out=$("$Z" --install-binfmt --binfmt-name "$NAME" 2>&1); then
    if grep -q "mounting it failed" <<<"$out"; then
        echo "binfmt: not run: $out"
        exit 0
    fi
    fail "install: $out"
fi
grep -qx enabled "$ENTRY" || fail "entry not enabled"
grep -qx "interpreter $(readlink -f "$Z")" "$ENTRY" || fail "wrong interpreter: $(cat "$ENTRY")"
grep -qx "flags: PF" "$ENTRY" || fail "wrong flags: $(cat "$ENTRY")"
grep -qx "magic 7f454c460201010000000000000000000200b700" "$ENTRY" || fail "wrong magic"
if "$Z" --install-binfmt --binfmt-name "$NAME" 2>/tmp/zarm-binfmt.err; then fail "a second install succeeded"; fi
grep -q "exists already" /tmp/zarm-binfmt.err || fail "duplicate install message: $(cat /tmp/zarm-binfmt.err)"

# A static program executed directly equals zarm run by hand.
direct=$(tests/guest/build/demo one two)
by_hand=$("$Z" tests/guest/build/demo one two)
[ "$direct" = "$by_hand" ] || fail "demo: direct run differs: $direct"

# argv[0] preserved (P flag): Python reports the name it was started as.
PY=(-S -c 'import sys; print(sys.orig_argv[0], sys.argv[1:])')
direct=$(ZARM_LD_PREFIX="$R" bash -c 'exec -a custom-argv0 "$0" "${@}" x y' "$R/usr/bin/python3.11" "${PY[@]}")
oracle=$(qemu-aarch64 -L "$R" -0 custom-argv0 "$R/usr/bin/python3.11" "${PY[@]}" x y)
[ "$direct" = "$oracle" ] || fail "argv[0]: '$direct' vs qemu-aarch64 '$oracle'"

# A dynamic shell executed directly, its pipeline exec'ing more programs.
direct=$(ZARM_LD_PREFIX="$R" "$R/bin/dash" -c 'printf "b\na\n" | /usr/bin/sort | /usr/bin/tr a-z A-Z; echo "$0"' name)
[ "$direct" = "$(printf 'A\nB\nname')" ] || fail "dash: '$direct'"

"$Z" --uninstall-binfmt --binfmt-name "$NAME" >/dev/null || fail "uninstall"
[ ! -e "$ENTRY" ] || fail "entry still there after uninstall"
if "$Z" --uninstall-binfmt --binfmt-name "$NAME" 2>/dev/null; then fail "a second uninstall succeeded"; fi
if tests/guest/build/demo 2>/dev/null; then
    # Another handler (qemu-user-binfmt, say) may still run it.
    ls /proc/sys/fs/binfmt_misc | grep -qv -e register -e status || fail "an AArch64 program still runs with no handler registered"
fi
echo "binfmt: install, direct execution (static, dynamic, argv[0]), uninstall: ok"
