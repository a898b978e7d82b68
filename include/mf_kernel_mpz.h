/* The GMP trial-division kernel for numbers of any size (used while the cofactor is >= 2^64). */
#ifndef MPIFACTOR_KERNEL_MPZ_H
#define MPIFACTOR_KERNEL_MPZ_H

#include <stdint.h>
#include <gmp.h>

/* Returns the smallest odd d with lo <= d <= hi and d | z, or 0 when there is none.
   Requires z > 0, lo odd, lo >= 3, hi <= 2^64 - 64. Below 2^512 and with an AVX2/AVX-512 128-bit
   kernel selected, uses its vector limb path (mf_u128_find_divisor_limbs); else mf_mpz_find_divisor_gmp. */
uint64_t mf_mpz_find_divisor(mpz_srcptr z, uint64_t lo, uint64_t hi);
/* The GMP path of mf_mpz_find_divisor, same contract: candidates grouped so that their product fits in
   64 bits, one mpz_fdiv_ui per group, then cheap word remainders per candidate. */
uint64_t mf_mpz_find_divisor_gmp(mpz_srcptr z, uint64_t lo, uint64_t hi);
/* Reference implementation (mpz_divisible_ui_p for every candidate), for tests. */
uint64_t mf_mpz_find_divisor_plain(mpz_srcptr z, uint64_t lo, uint64_t hi);

#endif
