/* The uint64_t trial-division kernel: finds the smallest odd divisor of n in a range of candidates. */
#ifndef MPIFACTOR_KERNEL_U64_H
#define MPIFACTOR_KERNEL_U64_H

#include <stdint.h>

typedef enum mf_u64_kernel {
    MF_KERNEL_AUTO = 0,  /* AVX-512 when the CPU has it, else AVX2 with FMA, else scalar */
    MF_KERNEL_SCALAR,    /* portable: multiply by the inverse of p modulo 2^64 */
    MF_KERNEL_AVX512,    /* 8 candidates per instruction (x86-64 with AVX-512F/DQ only) */
    MF_KERNEL_PLAIN,     /* reference: n % p for every candidate */
    MF_KERNEL_AVX2       /* n < 2^63: 4 candidates per instruction in double precision (AVX2 and FMA); scalar above */
} mf_u64_kernel;

/* Chooses the implementation used by mf_u64_find_divisor. Returns 0, or -1 when the CPU cannot run
   the requested one (the selection is then unchanged). MF_KERNEL_AUTO resolves to the best available. */
int mf_u64_kernel_select(mf_u64_kernel k);
/* Name of the implementation in use ("avx512", "avx2", "scalar" or "plain"). */
const char *mf_u64_kernel_name(void);
/* Parses "auto", "avx512", "avx2", "scalar" or "plain" into *k; returns 0 or -1 for an unknown name. */
int mf_u64_kernel_parse(const char *name, mf_u64_kernel *k);

/* Returns the smallest odd d with lo <= d <= hi and d | n, or 0 when there is none.
   Requires lo odd, lo >= 3, hi <= 2^32 - 1 (hi < lo gives 0). Tests candidates in ascending order
   with the selected implementation; every implementation returns the same answer. */
uint64_t mf_u64_find_divisor(uint64_t n, uint64_t lo, uint64_t hi);
/* The same for small numbers (n < 2^32, hi <= 65535; lo odd, lo >= 3): one 32-bit multiply and compare
   per candidate against tables of inverses modulo 2^32 (built on first use, 256 KiB), no block set-up,
   so that numbers with few candidates cost little more than their candidates. The plain kernel, when
   selected, is used as it is. */
uint64_t mf_u32_find_divisor(uint32_t n, uint64_t lo, uint64_t hi);
/* First candidate from which the selected implementation computes each inverse of n's candidates (Newton's
   iteration, several multiplies per candidate) instead of reading it from its table: 2^21 + 1 for the
   scalar implementation and for AVX2 with n >= 2^63, UINT64_MAX otherwise. Callers with a faster kernel for
   such candidates may use it from there. */
uint64_t mf_u64_table_end(uint64_t n);
/* Reference implementation of mf_u64_find_divisor with the % operator (for tests). */
uint64_t mf_u64_find_divisor_plain(uint64_t n, uint64_t lo, uint64_t hi);
/* Returns floor(sqrt(n)) exactly. */
uint64_t mf_u64_isqrt(uint64_t n);
/* Returns the inverse of odd p modulo 2^64 (p * inv == 1 mod 2^64). */
uint64_t mf_u64_inverse(uint64_t p);
/* Frees the cached inverse tables (optional; for leak checkers). */
void mf_u64_kernel_release(void);

#endif
