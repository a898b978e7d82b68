/* Simulation hooks: under SMPI (MF_SMPI) one copy of read-only tables for all simulated ranks and factoring
   charged F times (MF_SIM_WORKER_COST), measured or per candidate (MF_SIM_CANDIDATE_NS); plain libc and no
   charge otherwise. */
#include "mf_sim.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef MF_SMPI
/* mallopt: smpicc includes SMPI's helpers first, whose macros for malloc and its kin would rewrite the header */
#pragma push_macro("malloc")
#pragma push_macro("calloc")
#pragma push_macro("realloc")
#pragma push_macro("free")
#undef malloc
#undef calloc
#undef realloc
#undef free
#include <malloc.h>
#pragma pop_macro("free")
#pragma pop_macro("realloc")
#pragma pop_macro("calloc")
#pragma pop_macro("malloc")
#include <float.h>  /* DBL_TRUE_MIN */
#include <limits.h> /* INT_MAX */
#include <simgrid/actor.h>
#include <simgrid/engine.h>
#include <smpi/smpi.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

/* When the calling rank last came back from the simulator, real seconds, and the process's CPU clock then (SMPI
   gives each rank its own copy); < 0 while it is inside (or before its first call). */
static double g_back_at = -1, g_back_cpu = -1;
/* When the running stretch last read the CPU clock (real seconds; before g_back_at: not in this stretch), and
   what the stretch was worth then (stretch_s) */
static double g_cpu_read_at = -1, g_worth_then;
/* Real seconds spent and not charged yet: SMPI ignores an execution shorter than smpi/cpu-threshold (1 us by
   default), and most stretches between two calls are shorter (a map unit at 1 rank: 0.05 s charged as 0.012) */
static double g_owed;
#define CHARGE_AT_LEAST_S 1e-6
/* A stretch longer than this is charged its CPU time where that is less: the operating system took the CPU
   away meanwhile. Every simulated rank runs in this one process, so a preemption that a real rank would suffer
   alone lands on whichever simulated rank runs then: at 1024 ranks one 15 ms stall in one rank's last stretch
   set the whole run's simulated end. Shorter stretches are charged their wall-clock time, as reading the CPU
   clock costs about a microsecond on a VM. */
#define CHECK_CPU_AFTER_S 50e-6

/* The real monotonic clock: the parentheses keep smpicc's clock_gettime macro (simulated time) away. */
static double real_now(void)
{
    struct timespec ts;
    (clock_gettime)(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The CPU seconds this thread has used (SMPI runs every rank in it, one at a time). */
static double cpu_now(void)
{
    struct timespec ts;
    (clock_gettime)(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The number in the environment variable name, or fallback where it is unset, empty, not wholly a number, or
   outside [least, most]. */
static double env_number(const char *name, double least, double most, double fallback)
{
    const char *v = getenv(name);
    char *end = NULL;
    double x = v && *v ? strtod(v, &end) : fallback;
    return v && *v && (*end != '\0' || !(x >= least && x <= most)) ? fallback : x;
}

/* Heap memory touched before the simulation starts, KiB per simulated rank (MF_SIM_POOL_KIB; see touch_heap_pool). */
#define POOL_PER_RANK_KIB 512
#define POOL_CHUNK_BYTES ((size_t)16 << 20) /* under glibc's largest mmap threshold: these come from the heap */

/* Touches sg_actor_count() x MF_SIM_POOL_KIB (default POOL_PER_RANK_KIB; 0: none) KiB of heap and frees it, once for
   the whole simulation (mf_sim_start calls it in the first rank to start). Those page faults fall outside every
   rank's charged time, and what the ranks allocate later reuses the pages. On this VM a page's first touch costs
   11.5 us, tens of times a bare-metal node's, and it was charged to whichever rank touched the page: 1,000,000 cheap
   numbers on 1024 simulated ranks took 39,556 page faults, 18,000 with the pool, and each kid's time outside its
   factoring went from 1.9-2.1 ms to 1.4-1.6 ms of about 6 (three runs each, interleaved). */
static void touch_heap_pool(void)
{
    double kib = env_number("MF_SIM_POOL_KIB", 0, 1 << 20, POOL_PER_RANK_KIB);
    if (kib == 0)
        return;
    mallopt(M_MMAP_THRESHOLD, (int)(2 * POOL_CHUNK_BYTES)); /* ranks' large buffers from the heap too */
    size_t n = (size_t)((double)sg_actor_count() * kib * 1024 / (double)POOL_CHUNK_BYTES) + 1;
    void **chunks = calloc(n, sizeof *chunks);
    for (size_t i = 0; chunks && i < n; i++)
        if ((chunks[i] = malloc(POOL_CHUNK_BYTES)) != NULL)
            memset(chunks[i], 0, POOL_CHUNK_BYTES);
    for (size_t i = 0; chunks && i < n; i++)
        free(chunks[i]); /* kept in the heap: M_TRIM_THRESHOLD below */
    free(chunks);
}

/* Fresh pages for the files, KiB per simulated rank (MF_SIM_PAGES_KIB; see warm_free_pages). */
#define PAGES_PER_RANK_KIB 128
#define REPORTED_BLOCK_BYTES ((size_t)2 << 20) /* the least free block the VM's kernel gives back to its host */

/* Touches sg_actor_count() x MF_SIM_PAGES_KIB (default PAGES_PER_RANK_KIB; 0: none) KiB of fresh memory and
   gives it back to the kernel, all but one page of every 2 MiB block, once for the whole simulation. The heap
   pool (touch_heap_pool) serves what the ranks allocate, not the pages the kernel takes for the files they
   write (the page cache: the output, --stats). This VM's kernel gives free blocks of 2 MiB and more back to its
   host (free page reporting, /sys/module/page_reporting), and in the simulation's process a fresh page of a
   file cost 18 us: rank 0 wrote the 360 KB --stats of 1024 ranks to tmpfs in 1.55-1.66 ms, where a small
   process writes as much in 0.21-0.28 ms. The kernel serves a page from its smallest free blocks first, and
   the pages given back here cannot merge into a 2 MiB block while one page of each stays held: that write then
   took 0.50-0.56 ms (random40 at 1024 ranks, three runs each way, AVX2 Zen 3 VM; the same memory given back
   whole, free to merge, 1.55-1.66). A real node's page costs a fraction of a microsecond. */
static void warm_free_pages(void)
{
    double kib = env_number("MF_SIM_PAGES_KIB", 0, 1 << 20, PAGES_PER_RANK_KIB);
    size_t page = (size_t)sysconf(_SC_PAGESIZE), block = REPORTED_BLOCK_BYTES;
    size_t bytes = (size_t)((double)sg_actor_count() * kib * 1024 / (double)block) * block;
    if (bytes == 0 || page == 0 || page >= block)
        return;
    char *raw = mmap(NULL, bytes + block, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED)
        return;
    char *p = raw + (block - (uintptr_t)raw % block) % block;
    madvise(p, bytes, MADV_NOHUGEPAGE); /* pages of their own, not one huge page that stays whole */
    for (size_t i = 0; i < bytes; i += page)
        p[i] = 1;
    for (size_t b = 0; b < bytes; b += block)
        munmap(p + b + page, block - page); /* the first page of each block stays held until the process exits */
}

void mf_sim_start(void)
{
    /* Every simulated rank allocates from this one process's heap, so the heap holds the memory of all ranks,
       and a free() that leaves enough free space at its top gives it back to the operating system (malloc
       trim) right then: at 1024 ranks one such free took 15-23 ms, charged to whichever rank happened to call
       it (rank 0 releasing its tables, or a worker after its last message), and that rank then ended the
       whole simulated run 40-50% later (random40: 0.047 s against 0.021 s). A real rank's heap holds its own
       few MiB, whose release costs it microseconds. */
    mallopt(M_TRIM_THRESHOLD, INT_MAX);
    if (getenv("MF_SIM_POOL_TOUCHED")) /* the first rank to start does it for all: SMPI does not copy the
                                          environment per rank */
        return;
    setenv("MF_SIM_POOL_TOUCHED", "1", 1);
    touch_heap_pool();
    warm_free_pages();
}

/* The real seconds the calling rank has run since it last came back from the simulator (its CPU seconds where a
   stretch over CHECK_CPU_AFTER_S used less); 0 while it is inside. Reading the CPU clock is a system call of
   about 0.8 us on this VM (the real clock: 35 ns), charged to the rank like its own code, so a reading that is
   not `fresh` (for the clock, not for the charge) reuses one taken less than CHECK_CPU_AFTER_S before, plus
   the real time since: rank 0 read it about 330 times in one run of 1,000,000 cheap numbers on 1024 simulated
   ranks (0.3 ms charged for what a real rank reads in 35 ns), each leader about 110. */
static double stretch_s(bool fresh)
{
    if (g_back_at < 0)
        return 0;
    double now = real_now(), spent = now - g_back_at;
    if (spent > CHECK_CPU_AFTER_S) {
        if (!fresh && g_cpu_read_at >= g_back_at && now - g_cpu_read_at < CHECK_CPU_AFTER_S)
            return g_worth_then + (now - g_cpu_read_at);
        double cpu = cpu_now() - g_back_cpu;
        if (cpu >= 0 && cpu < spent)
            spent = cpu;
        g_cpu_read_at = now;
        g_worth_then = spent > 0 ? spent : 0;
    }
    return spent > 0 ? spent : 0;
}

void mf_sim_enter(void)
{
    if (g_back_at < 0)
        return;
    g_owed += stretch_s(true); /* the charge: the CPU clock read afresh */
    g_back_at = -1;
    if (g_owed >= CHARGE_AT_LEAST_S) {
        smpi_execute(g_owed); /* at smpi/host-speed, as SMPI charges what it benchmarks itself */
        g_owed = 0;
    }
}

void mf_sim_leave(void)
{
    g_back_cpu = cpu_now(); /* first: its own cost falls outside the stretch */
    g_back_at = real_now();
}

double mf_sim_now(void)
{
    /* the simulated clock where the rank came back, plus what it has run since and owes: nothing is charged
       here, so reading the clock hands no control to the simulator (the next MPI call charges it all). Each
       hand-over let the other ranks run, and the rank then went on in caches they had filled: when every clock
       read was charged at once, 1024 simulated ranks (weak scaling, --worker-cost 8) were charged 1.24 ns per
       candidate against 1.06-1.12 at 16 ranks, now 1.18, and the simulation took 157 s instead of 85. */
    return simgrid_get_clock() + g_owed + stretch_s(false);
}

/* SMPI runs every simulated rank in one process with its own copy of the program's globals, so a
   pointer kept in a global is per rank. SimGrid's shared-call registry (keyed by a name and an input
   string, process wide) hands the first rank's block to all the others. Ranks take turns (SimGrid
   schedules one at a time), so the look-up and the insertion cannot interleave. */
void *mf_sim_shared_realloc(void *old, size_t bytes, size_t cap_bytes)
{
    char key[32];
    (void)old;
    if (bytes > cap_bytes)
        return NULL;
    snprintf(key, sizeof key, "%zu", cap_bytes);
    if (smpi_shared_known_call("mf_sim_shared_realloc", key))
        return smpi_shared_get_call("mf_sim_shared_realloc", key);
    /* its pages are touched now, outside the rank's charged time: the first rank to use a page would pay its
       fault and no other rank would, a fake tail on one rank (a real rank pays its own, a few ms once).
       mf_sim_enter charges the time spent so far, and other ranks run meanwhile: one of them may have
       made the block by then, so look again (from here to smpi_shared_set_call nothing yields). Without
       that second look each rank that got here in the same turn made its own 8 MiB table (64 ranks: 16-96
       MiB where 8 were due). */
    mf_sim_enter();
    void *p = NULL;
    if (smpi_shared_known_call("mf_sim_shared_realloc", key)) {
        p = smpi_shared_get_call("mf_sim_shared_realloc", key);
    } else if ((p = calloc(1, cap_bytes)) != NULL) {
        memset(p, 0, cap_bytes);
        p = smpi_shared_set_call("mf_sim_shared_realloc", key, p);
    }
    mf_sim_leave(); /* the pages' faults are not charged */
    return p;
}

void mf_sim_shared_free(void *p)
{
    (void)p;
}

int mf_sim_enabled(void)
{
    return 1;
}

double mf_sim_worker_cost(void)
{
    static double cost = 0; /* read once per simulated rank (SMPI gives each rank its own globals) */
    if (cost == 0)
        cost = env_number("MF_SIM_WORKER_COST", 1, 1e6, 1);
    return cost;
}

/* C from MF_SIM_CANDIDATE_NS (nanoseconds, a number in (0, 1e9]), in seconds; 0 when unset or not such a number
   (factoring is then charged its measured time) */
static double candidate_cost(void)
{
    static double cost = -1; /* read once per simulated rank */
    if (cost < 0) /* DBL_TRUE_MIN: the least number above 0 */
        cost = env_number("MF_SIM_CANDIDATE_NS", DBL_TRUE_MIN, 1e9, 0) * 1e-9;
    return cost;
}

/* The rank's factoring so far, for the calibration line (mf_sim_finish) */
static double g_factor_s;
static uint64_t g_factor_candidates;

double mf_sim_charge_compute(double measured_s, uint64_t candidates)
{
    if (measured_s < 0)
        measured_s = 0;
    g_factor_s += measured_s;
    g_factor_candidates += candidates;
    double f = mf_sim_worker_cost(), c = candidate_cost();
    /* owed like the rank's own time and charged with it at its next call into the simulator (mf_sim_now counts
       it at once); the per-candidate charge replaces the measured time, which the rank's clock has counted
       already, so the difference may be negative */
    double charged = measured_s;
    if (c > 0)
        charged = f * c * (double)candidates;
    else if (f > 1)
        charged = f * measured_s;
    g_owed += charged - measured_s;
    return charged;
}

void mf_sim_finish(void)
{
    const char *path = getenv("MF_SIM_CALIBRATION_OUT");
    if (!path || !*path || g_factor_candidates == 0)
        return;
    FILE *f = fopen(path, "a"); /* ranks take turns: one line each, whole */
    bool written = f && fprintf(f, "%llu %.9f\n", (unsigned long long)g_factor_candidates, g_factor_s) > 0;
    if ((f && fclose(f) != 0) || !written)
        fprintf(stderr, "mpifactor: cannot append to %s (MF_SIM_CALIBRATION_OUT)\n", path);
}
#else
void mf_sim_start(void)
{
}

void *mf_sim_shared_realloc(void *old, size_t bytes, size_t cap_bytes)
{
    if (bytes > cap_bytes)
        return NULL;
    return realloc(old, bytes);
}

void mf_sim_shared_free(void *p)
{
    free(p);
}

int mf_sim_enabled(void)
{
    return 0;
}

void mf_sim_enter(void)
{
}

double mf_sim_now(void)
{
    return 0; /* never asked: mf_now reads the real clock */
}

void mf_sim_leave(void)
{
}

double mf_sim_worker_cost(void)
{
    return 1;
}

double mf_sim_charge_compute(double measured_s, uint64_t candidates)
{
    (void)candidates;
    return measured_s;
}

void mf_sim_finish(void)
{
}
#endif

uint64_t mf_sim_slice(uint64_t candidates)
{
    double f = mf_sim_worker_cost();
    if (f <= 1)
        return candidates;
    double c = (double)candidates / f;
    uint64_t least = candidates < 65536 ? candidates : 65536; /* the slice's own cost stays small beside it */
    return c >= (double)least ? (uint64_t)c : least;
}
