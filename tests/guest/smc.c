/* Self-modifying and freshly written code, the ways guest JITs do it:
 * an RWX mapping rewritten in place (with and without __clear_cache), an
 * RW alias of an RX mapping (memfd mapped twice), W^X flipping with
 * mprotect, a page holding both code and data that the code itself
 * writes, and a mapping replaced at the same address. Every section checks
 * its own results, so a wrong encoding here shows under qemu-aarch64 too. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

typedef uint64_t (*fn1)(uint64_t);

static const uint32_t RET = 0xd65f03c0;
static int failures;

static uint32_t movz_w0(uint32_t imm16) { return 0x52800000u | (imm16 << 5); }
/* add x0, x0, #imm12 */
static uint32_t add_x0_imm(uint32_t imm12) { return 0x91000000u | (imm12 << 10); }

static void flush(void *p, size_t n) { __builtin___clear_cache((char *)p, (char *)p + n); }

static void check(const char *what, uint64_t got, uint64_t want) {
    if (got != want) {
        printf("FAIL %s: got %llu want %llu\n", what, (unsigned long long)got, (unsigned long long)want);
        failures++;
    }
}

/* Writes "movz w0,#k; ret" or "add x0,x0,#k; ret" at p. */
static void emit(uint32_t *p, int add, uint32_t k) {
    p[0] = add ? add_x0_imm(k) : movz_w0(k);
    p[1] = RET;
}

static void rwx_rewrite(int use_flush) {
    uint32_t *code = mmap(0, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (code == MAP_FAILED) { printf("mmap rwx failed\n"); failures++; return; }
    uint64_t sum = 0;
    for (uint32_t k = 1; k <= 200; k++) {
        emit(code, k & 1, k);
        if (use_flush) flush(code, 8);
        uint64_t r = ((fn1)code)(1000);
        check(use_flush ? "rwx flushed" : "rwx unflushed", r, (k & 1) ? 1000 + k : k);
        sum += r;
    }
    printf("rwx rewrite (%s): sum %llu\n", use_flush ? "clear_cache" : "no clear_cache", (unsigned long long)sum);
    munmap(code, 4096);
}

static void rw_alias_of_rx(void) {
    int fd = memfd_create("zarm-smc", 0);
    if (fd < 0) { printf("memfd_create failed\n"); failures++; return; }
    if (ftruncate(fd, 4096) != 0) { printf("ftruncate failed\n"); failures++; return; }
    uint32_t *rw = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    uint32_t *rx = mmap(0, 4096, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0);
    if (rw == MAP_FAILED || rx == MAP_FAILED) { printf("alias mmap failed\n"); failures++; return; }
    uint64_t sum = 0;
    for (uint32_t k = 1; k <= 100; k++) {
        emit(rw + 4 * (k % 3), 0, 7 * k);
        flush(rx + 4 * (k % 3), 8);
        uint64_t r = ((fn1)(rx + 4 * (k % 3)))(0);
        check("rw alias", r, 7 * k);
        sum += r;
    }
    /* A write through the RX view is refused (SIGSEGV) on Linux; not tried. */
    printf("rw alias of rx: sum %llu\n", (unsigned long long)sum);
    munmap(rw, 4096);
    munmap(rx, 4096);
    close(fd);
}

static void wx_flip(void) {
    uint32_t *code = mmap(0, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    uint64_t sum = 0;
    for (uint32_t k = 1; k <= 50; k++) {
        mprotect(code, 8192, PROT_READ | PROT_WRITE);
        emit(code + 1024 - 1, 1, k); /* straddles the two pages */
        mprotect(code, 8192, PROT_READ | PROT_EXEC);
        flush(code + 1024 - 1, 8);
        uint64_t r = ((fn1)(code + 1024 - 1))(k);
        check("w^x flip", r, 2 * k);
        sum += r;
    }
    printf("w^x flip: sum %llu\n", (unsigned long long)sum);
    munmap(code, 8192);
}

static void mixed_page(void) {
    /* Code at the start of the page; a counter 2048 bytes in, which the
     * code updates on every call and the caller writes too. */
    uint32_t *page = mmap(0, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    uint32_t prog[] = {
        0x10004001, /* adr x1, .+2048 */
        0xf9400022, /* ldr x2, [x1] */
        0x8b000042, /* add x2, x2, x0 */
        0xf9000022, /* str x2, [x1] */
        0xaa0203e0, /* mov x0, x2 */
        RET,
    };
    memcpy(page, prog, sizeof prog);
    flush(page, sizeof prog);
    volatile uint64_t *counter = (volatile uint64_t *)((char *)page + 2048);
    volatile uint64_t *other = (volatile uint64_t *)((char *)page + 3000);
    uint64_t last = 0;
    for (uint64_t i = 1; i <= 300; i++) {
        last = ((fn1)page)(i);
        *other = last ^ i;
        if (i == 150) *counter += 1000000;
    }
    check("mixed page counter", *counter, 300 * 301 / 2 + 1000000);
    check("mixed page last", last, *counter);
    printf("mixed page: counter %llu other %llu\n", (unsigned long long)*counter, (unsigned long long)*other);
    munmap(page, 4096);
}

static void remap_same_address(void) {
    uint32_t *a = mmap(0, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    emit(a, 0, 11);
    flush(a, 8);
    uint64_t r1 = ((fn1)a)(0);
    munmap(a, 4096);
    uint32_t *b = mmap(a, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    emit(b, 0, 22);
    flush(b, 8);
    uint64_t r2 = ((fn1)b)(0);
    check("remap first", r1, 11);
    check("remap second", r2, 22);
    printf("remap at the same address: %llu %llu\n", (unsigned long long)r1, (unsigned long long)r2);
    munmap(b, 4096);
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "alias") == 0) {
        /* qemu-aarch64 does not see code written through an alias (it
         * ignores IC IVAU), so this section is checked by itself only. */
        rw_alias_of_rx();
    } else {
        rwx_rewrite(1);
        rwx_rewrite(0);
        wx_flip();
        mixed_page();
        remap_same_address();
    }
    printf(failures ? "smc: %d FAILURES\n" : "smc: all ok\n", failures);
    return failures != 0;
}
