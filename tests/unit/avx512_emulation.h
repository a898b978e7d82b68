/* Test support: the AVX-512 intrinsics that the 128-bit kernel uses, on plain C lanes, so that its AVX-512
   path runs (slowly) on any CPU. Built only with `make EMULATE_AVX512=1` (-DMF_EMULATE_AVX512), after
   <immintrin.h>: each intrinsic's name then means the function here.

   Semantics follow Intel's descriptions: fused multiply-adds round once (C's fma), rounding to nearest is
   to even, comparisons are ordered. _mm512_rcp14_pd is only specified to a relative error below 2^-14, so
   here it is off by 0.999 * 2^-14 of 1/x, low in even lanes and high in odd ones: the worst the kernel's
   two Newton steps must repair. */
#ifndef MF_AVX512_EMULATION_H
#define MF_AVX512_EMULATION_H

#include <math.h>

typedef struct emu_m512d {
    double v[8];
} emu_m512d;

static inline emu_m512d emu512_set1_pd(double x)
{
    emu_m512d r;
    for (int i = 0; i < 8; i++)
        r.v[i] = x;
    return r;
}

static inline emu_m512d emu512_setr_pd(double a, double b, double c, double d, double e, double f, double g,
                                       double h)
{
    return (emu_m512d){{a, b, c, d, e, f, g, h}};
}

static inline emu_m512d emu512_setzero_pd(void)
{
    return emu512_set1_pd(0.0);
}

static inline emu_m512d emu512_add_pd(emu_m512d a, emu_m512d b)
{
    for (int i = 0; i < 8; i++)
        a.v[i] += b.v[i];
    return a;
}

static inline emu_m512d emu512_mul_pd(emu_m512d a, emu_m512d b)
{
    for (int i = 0; i < 8; i++)
        a.v[i] *= b.v[i];
    return a;
}

/* a b + c, rounded once */
static inline emu_m512d emu512_fmadd_pd(emu_m512d a, emu_m512d b, emu_m512d c)
{
    for (int i = 0; i < 8; i++)
        a.v[i] = fma(a.v[i], b.v[i], c.v[i]);
    return a;
}

/* -(a b) + c, rounded once */
static inline emu_m512d emu512_fnmadd_pd(emu_m512d a, emu_m512d b, emu_m512d c)
{
    for (int i = 0; i < 8; i++)
        a.v[i] = fma(-a.v[i], b.v[i], c.v[i]);
    return a;
}

/* Rounds to an integer; the kernel asks only for round to nearest (imm 8: scale 0, nearest, quiet). */
static inline emu_m512d emu512_roundscale_pd(emu_m512d a, int imm)
{
    for (int i = 0; i < 8; i++)
        a.v[i] = imm == (_MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC) ? nearbyint(a.v[i]) : NAN;
    return a;
}

static inline emu_m512d emu512_rcp14_pd(emu_m512d a)
{
    for (int i = 0; i < 8; i++)
        a.v[i] = 1.0 / a.v[i] * (1.0 + (i % 2 ? 0.999 : -0.999) * 0x1p-14);
    return a;
}

/* Bit i set where lane i of a equals that of b (ordered: NaN never equals); the kernel asks only for EQ_OQ. */
static inline unsigned emu512_cmp_pd_mask(emu_m512d a, emu_m512d b, int predicate)
{
    unsigned m = 0;
    for (int i = 0; i < 8; i++)
        m |= (unsigned)(predicate == _CMP_EQ_OQ && a.v[i] == b.v[i]) << i;
    return m;
}

/* <immintrin.h> defines some of these names as macros itself */
#undef __m512d
#define __m512d emu_m512d
#undef _mm512_set1_pd
#define _mm512_set1_pd emu512_set1_pd
#undef _mm512_setr_pd
#define _mm512_setr_pd emu512_setr_pd
#undef _mm512_setzero_pd
#define _mm512_setzero_pd emu512_setzero_pd
#undef _mm512_add_pd
#define _mm512_add_pd emu512_add_pd
#undef _mm512_mul_pd
#define _mm512_mul_pd emu512_mul_pd
#undef _mm512_fmadd_pd
#define _mm512_fmadd_pd emu512_fmadd_pd
#undef _mm512_fnmadd_pd
#define _mm512_fnmadd_pd emu512_fnmadd_pd
#undef _mm512_roundscale_pd
#define _mm512_roundscale_pd emu512_roundscale_pd
#undef _mm512_rcp14_pd
#define _mm512_rcp14_pd emu512_rcp14_pd
#undef _mm512_cmp_pd_mask
#define _mm512_cmp_pd_mask emu512_cmp_pd_mask

#endif
