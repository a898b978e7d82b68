/* The master loop (rank 0): reads input, hands out units, factorizes in between, writes in order. */
#ifndef MPIFACTOR_MASTER_H
#define MPIFACTOR_MASTER_H

#include "mf_cli.h"
#include "mf_team.h"

/* Runs the whole job as rank 0 of `ranks` ranks (ranks == 1: alone, no messages), serving team->kids (every
   other rank, or with a second level the ranks of its node and one leader per other node, whose slices are
   team->weight times larger). Stops every rank before returning, also on errors. Returns the process exit
   code (MF_EXIT_*). */
int mf_master_run(const mf_config *cfg, int ranks, const mf_team *team);
/* Does ahead of mf_master_run the part of rank 0's set-up that depends on this CPU alone (it times the factoring
   kernel, which grows the kernel's tables), so that it fills a wait at start-up rather than delay the first
   units. Optional: mf_master_run does whatever was not done before. */
void mf_master_prepare(void);

#endif
