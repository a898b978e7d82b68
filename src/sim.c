/* Simulation hooks: under SMPI (MF_SMPI) one copy of read-only tables for all simulated ranks; plain libc otherwise. */
#include "mf_sim.h"

#include <stdio.h>
#include <stdlib.h>

#ifdef MF_SMPI
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
    void *p = calloc(1, cap_bytes);
    if (!p)
        return NULL;
    return smpi_shared_set_call("mf_sim_shared_realloc", key, p);
}

void mf_sim_shared_free(void *p)
{
    (void)p;
}

int mf_sim_enabled(void)
{
    return 1;
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
#endif
