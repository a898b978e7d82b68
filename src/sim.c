/* Simulation hooks: under SMPI (MF_SMPI) one copy of read-only tables for all simulated ranks and factoring
   charged F times (MF_SIM_WORKER_COST); plain libc and no charge otherwise. */
#include "mf_sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef MF_SMPI
#include <simgrid/host.h>
#include <smpi/smpi.h>

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
    /* its pages are touched now, outside the rank's benchmarked code: the first rank to use a page would pay its
       fault and no other rank would, a fake tail on one rank (a real rank pays its own, a few ms once).
       smpi_bench_end charges the time benchmarked so far, and other ranks run meanwhile: one of them may have
       made the block by then, so look again (from here to smpi_shared_set_call nothing yields). Without
       that second look each rank that got here in the same turn made its own 8 MiB table (64 ranks: 16-96
       MiB where 8 were due). */
    smpi_bench_end();
    void *p = NULL;
    if (smpi_shared_known_call("mf_sim_shared_realloc", key)) {
        p = smpi_shared_get_call("mf_sim_shared_realloc", key);
    } else if ((p = calloc(1, cap_bytes)) != NULL) {
        memset(p, 0, cap_bytes);
        p = smpi_shared_set_call("mf_sim_shared_realloc", key, p);
    }
    smpi_bench_begin();
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
    if (cost == 0) {
        const char *v = getenv("MF_SIM_WORKER_COST");
        char *end = NULL;
        double f = v && *v ? strtod(v, &end) : 1;
        cost = (v && *v && (*end != '\0' || !(f >= 1 && f <= 1e6))) ? 1 : f;
    }
    return cost;
}

void mf_sim_charge_compute(double measured_s)
{
    double f = mf_sim_worker_cost();
    if (!(f > 1 && measured_s > 0))
        return;
    /* flops at this host's speed: exactly (F - 1) x measured_s simulated seconds. SMPI's benchmark of the
       rank's own code stops around it: the real time the simulation spends on the other ranks meanwhile
       would otherwise be charged to this one as computation. */
    smpi_bench_end();
    smpi_execute_flops((f - 1) * measured_s * sg_host_get_speed(sg_host_self()));
    smpi_bench_begin();
}
#else
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

double mf_sim_worker_cost(void)
{
    return 1;
}

void mf_sim_charge_compute(double measured_s)
{
    (void)measured_s;
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
