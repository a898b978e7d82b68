/* The one place for simulation-specific code (SimGrid SMPI, built with `make SMPI=1`): memory shared by simulated ranks. */
#ifndef MPIFACTOR_SIM_H
#define MPIFACTOR_SIM_H

#include <stddef.h>

/* Grows a table whose content is the same on every rank (e.g. precomputed constants) to bytes bytes,
   like realloc(old, bytes); cap_bytes is the most it will ever be asked for (bytes <= cap_bytes).
   Ordinary build: exactly realloc(old, bytes). SMPI build (MF_SMPI): every simulated rank of the process
   gets the same block of cap_bytes, allocated once, so N ranks hold one copy instead of N; a rank may
   only write the values every other rank would write there. Returns NULL when out of memory (old is
   then untouched). Release with mf_sim_shared_free. */
void *mf_sim_shared_realloc(void *old, size_t bytes, size_t cap_bytes);
/* Releases a block from mf_sim_shared_realloc (NULL is ignored). SMPI build: the shared block stays
   for the other ranks and is reclaimed when the simulation process exits. */
void mf_sim_shared_free(void *p);
/* 1 when built for SMPI (MF_SMPI), else 0. */
int mf_sim_enabled(void);

#endif
