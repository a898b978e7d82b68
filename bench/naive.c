/* bench/naive.c: the plain C naive trial-division peer for `make bench` (n % p over 2 and odd p).
 *
 * Usage: naive [FILE]   (standard input when FILE is absent or "-")
 * Reads unsigned 64-bit decimal integers separated by whitespace, factors each by testing 2 and
 * then every odd p while p*p <= n with the `%` operator, and prints GNU factor's format
 * "N: p1 p2 ..." in input order.  All numbers are read first and all results printed last, so the
 * time printed on standard error ("naive: compute_s=F numbers=N") is the factorization alone,
 * without I/O.  Build: gcc -O2 -o naive naive.c.  Exit status: 0 ok, 1 bad input, 2 I/O error.
 */
#define _POSIX_C_SOURCE 199309L
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A growable array of u64; aborts the program when memory runs out. */
struct u64vec {
    uint64_t *v;
    size_t n, cap;
};

/* Appends x to a, growing it geometrically. */
static void vec_push(struct u64vec *a, uint64_t x)
{
    if (a->n == a->cap) {
        size_t cap = a->cap ? 2 * a->cap : 1024;
        uint64_t *v = realloc(a->v, cap * sizeof *v);
        if (!v) {
            fputs("naive: out of memory\n", stderr);
            exit(2);
        }
        a->v = v;
        a->cap = cap;
    }
    a->v[a->n++] = x;
}

/* Appends the prime factors of n to out (ascending, with multiplicity); nothing for n < 2. */
static void factorize_naive(struct u64vec *out, uint64_t n)
{
    if (n < 2)
        return;
    while (n % 2 == 0) {
        vec_push(out, 2);
        n /= 2;
    }
    /* Stop when p*p > n; p*p cannot overflow while p <= 2^32 - 1, and every n < (2^32 + 1)^2. */
    for (uint64_t p = 3; p <= UINT32_MAX && p * p <= n; p += 2) {
        while (n % p == 0) {
            vec_push(out, p);
            n /= p;
        }
    }
    if (n > 1)
        vec_push(out, n);
}

/* Reads all integers of f into nums; returns 0, or 1 after reporting an invalid token. */
static int read_numbers(struct u64vec *nums, FILE *f, const char *name)
{
    char tok[32];
    size_t len = 0;
    int c, status = 0;
    do {
        c = getc(f);
        if (c != EOF && !isspace(c)) {
            if (len < sizeof tok - 1)
                tok[len] = (char)c;
            len++;
            continue;
        }
        if (len == 0)
            continue;
        if (len >= sizeof tok) {
            fprintf(stderr, "naive: %s: token too long\n", name);
            status = 1;
            len = 0;
            continue;
        }
        tok[len] = '\0';
        len = 0;
        char *end;
        errno = 0;
        uintmax_t x = strtoumax(tok, &end, 10);
        if (*end != '\0' || errno != 0 || tok[0] == '-' || x > UINT64_MAX) {
            fprintf(stderr, "naive: %s: not a u64: '%s'\n", name, tok);
            status = 1;
            continue;
        }
        vec_push(nums, (uint64_t)x);
    } while (c != EOF);
    if (ferror(f)) {
        fprintf(stderr, "naive: %s: read error\n", name);
        return 2;
    }
    return status;
}

/* Seconds from CLOCK_MONOTONIC. */
static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
    const char *name = argc > 1 ? argv[1] : "-";
    FILE *in = strcmp(name, "-") == 0 ? stdin : fopen(name, "r");
    if (!in) {
        fprintf(stderr, "naive: %s: %s\n", name, strerror(errno));
        return 2;
    }
    struct u64vec nums = {0}, facs = {0};
    int status = read_numbers(&nums, in, name);
    if (in != stdin)
        fclose(in);
    if (status == 2)
        return 2;

    /* ends[i] = end of number i's factors in facs. */
    size_t *ends = malloc((nums.n + 1) * sizeof *ends);
    if (!ends) {
        fputs("naive: out of memory\n", stderr);
        return 2;
    }
    double t0 = now_s();
    for (size_t i = 0; i < nums.n; i++) {
        factorize_naive(&facs, nums.v[i]);
        ends[i] = facs.n;
    }
    double compute_s = now_s() - t0;

    static char obuf[1 << 16];
    setvbuf(stdout, obuf, _IOFBF, sizeof obuf);
    size_t k = 0;
    for (size_t i = 0; i < nums.n; i++) {
        printf("%" PRIu64 ":", nums.v[i]);
        for (; k < ends[i]; k++)
            printf(" %" PRIu64, facs.v[k]);
        putchar('\n');
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "naive: write error: %s\n", strerror(errno));
        return 2;
    }
    fprintf(stderr, "naive: compute_s=%.6f numbers=%zu\n", compute_s, nums.n);
    free(ends);
    free(nums.v);
    free(facs.v);
    return status;
}
