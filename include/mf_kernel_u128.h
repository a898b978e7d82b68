/* The 128-bit trial-division kernel: smallest odd divisor of a cofactor below 2^128, no GMP per candidate. */
#ifndef MPIFACTOR_KERNEL_U128_H
#define MPIFACTOR_KERNEL_U128_H

#include <stdbool.h>
#include <stdint.h>

#include "mf_kernel_u64.h"

typedef enum mf_u128_kernel {
    MF_U128_AUTO = 0,  /* AVX-512, else AVX2 with FMA, else scalar */
    MF_U128_AVX512,    /* 8 candidates per instruction (x86-64 with AVX-512F/DQ) */
    MF_U128_AVX2,      /* 4 candidates per instruction (x86-64 with AVX2 and FMA) */
    MF_U128_SCALAR,    /* portable C: exact double-precision remainders */
    MF_U128_PLAIN      /* reference: one 128-bit % per candidate */
} mf_u128_kernel;

/* Chooses the implementation used by mf_u128_find_divisor. Returns 0, or -1 when the CPU cannot run
   the requested one (the selection is then unchanged). MF_U128_AUTO resolves to the best available. */
int mf_u128_kernel_select(mf_u128_kernel k);
/* Chooses the implementation named like the 64-bit kernel k (--kernel): avx512, avx2, scalar and plain
   select the same kind here; auto selects MF_U128_AUTO. Returns as mf_u128_kernel_select. */
int mf_u128_kernel_select_as(mf_u64_kernel k);
/* True unless the plain reference is in use: every other implementation (vector or portable) costs less per
   candidate than the 64-bit kernel's Newton inverses, so it also serves numbers below 2^64 past that
   kernel's table. */
bool mf_u128_kernel_beats_newton(void);
/* Name of the implementation in use ("avx512", "avx2", "scalar" or "plain"). */
const char *mf_u128_kernel_name(void);

/* Returns the smallest odd d with lo <= d <= hi and d | n, where n = nh * 2^64 + nl, or 0 when
   there is none. Requires lo odd, lo >= 3 (hi < lo gives 0; any hi < 2^64 is allowed). Every
   implementation returns the same answer. */
uint64_t mf_u128_find_divisor(uint64_t nh, uint64_t nl, uint64_t lo, uint64_t hi);
/* Most 32-bit limbs mf_u128_find_divisor_limbs takes (numbers below 2^512). */
#define MF_U128_MAX_LIMBS 16
/* The same search for a number of any size up to MF_U128_MAX_LIMBS 32-bit limbs (most significant
   first), with the selected vector implementation (AVX-512 or AVX2; their cost grows with the limbs).
   Returns 0 with the answer in *d (0: no divisor), or -1 when it does not apply: count out of range,
   hi >= 2^46, or a non-vector implementation selected. Requires lo odd, lo >= 3. */
int mf_u128_find_divisor_limbs(uint64_t *d, const uint32_t *limbs, int count, uint64_t lo, uint64_t hi);
/* Reference implementation of mf_u128_find_divisor: one 128-bit % per candidate (for tests). */
uint64_t mf_u128_find_divisor_plain(uint64_t nh, uint64_t nl, uint64_t lo, uint64_t hi);
/* Returns floor(sqrt(nh * 2^64 + nl)) exactly (always below 2^64). */
uint64_t mf_u128_isqrt(uint64_t nh, uint64_t nl);

#endif
