/* CPU feature checks shared by the 64- and 128-bit kernels (GCC/Clang builtins on x86-64). */
#include "mf_cpu.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
bool mf_cpu_has_avx2_fma(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

bool mf_cpu_has_avx512(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq");
}
#else
bool mf_cpu_has_avx2_fma(void)
{
    return false;
}

bool mf_cpu_has_avx512(void)
{
    return false;
}
#endif
