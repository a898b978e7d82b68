/* A node leader (the second level of distribution): takes large slices of input from rank 0, cuts them again for
   the other ranks of its node and itself, and returns each slice's results merged into one, as a worker would. */
#ifndef MPIFACTOR_LEADER_H
#define MPIFACTOR_LEADER_H

#include "mf_cli.h"
#include "mf_team.h"

/* Runs the leader side of the job on this rank, serving team->kids and taking slices from team->parent (rank
   0), which only sends slices by reference cut by byte offset (parallel I/O) and ranges of split numbers (passed
   on to a kid as they are). Handing back works at both levels: a kid hands back to the leader, and the leader
   hands the uncut rest of the slice it is cutting back to rank 0 when asked. Stops its kids when told to stop,
   passes on their statistics, then sends its own. Returns the exit code rank 0 sent with its stop message. */
int mf_leader_run(const mf_config *cfg, const mf_team *team);

#endif
