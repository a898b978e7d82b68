/* The worker loop: receives units, factorizes them in slices, returns results, stops on request. */
#ifndef MPIFACTOR_WORKER_H
#define MPIFACTOR_WORKER_H

#include "mf_cli.h"

/* Runs the worker side of the job on this rank (rank > 0), taking units from rank `parent` (rank 0, or its
   node's leader) and returning results there. Returns the exit code rank 0 sent with its stop message. */
int mf_worker_run(const mf_config *cfg, int parent);

#endif
