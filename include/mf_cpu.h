/* What the CPU running this process offers to the kernels' vector paths (x86-64; false elsewhere). */
#ifndef MPIFACTOR_CPU_H
#define MPIFACTOR_CPU_H

#include <stdbool.h>

/* True when the CPU has AVX2 and FMA. */
bool mf_cpu_has_avx2_fma(void);
/* True when the CPU has AVX-512F and AVX-512DQ. */
bool mf_cpu_has_avx512(void);

#endif
