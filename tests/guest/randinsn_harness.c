/* The random-instruction harness. Reads test cases from stdin until EOF:
 *   u32 n_words, n_words instruction words (a complete function that takes
 *   the state block in x0 and returns), then the STATE_SIZE-byte state;
 * copies the code into an executable page, cleans the caches as the
 * architecture requires, calls it, and writes the final state to stdout.
 * The generated code (see tests/tests/random_insns.rs) loads the state
 * into registers, runs the random instructions, and stores the state back. */
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Registers (416 bytes), then a 4 KiB scratch area that the memory cases'
 * loads and stores address (x15 points at its middle). */
#define STATE_SIZE (416 + 4096)

static int read_full(void *buf, size_t n) {
    char *p = buf;
    while (n) {
        ssize_t r = read(0, p, n);
        if (r <= 0) return 0;
        p += r;
        n -= r;
    }
    return 1;
}

int main(void) {
    uint32_t *code = mmap(0, 65536, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    static uint8_t state[STATE_SIZE] __attribute__((aligned(16)));
    uint32_t n;
    while (read_full(&n, 4)) {
        if (n == 0 || n > 16000 || !read_full(code, n * 4) || !read_full(state, STATE_SIZE)) return 2;
        __builtin___clear_cache((char *)code, (char *)(code + n));
        ((void (*)(void *))code)(state);
        if (write(1, state, STATE_SIZE) != STATE_SIZE) return 3;
    }
    return 0;
}
