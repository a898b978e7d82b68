/* A rank that holds outputs until rank 0 says where they go (--parallel-io: a worker, a node leader): reports
   its placements made durable and its I/O failures to the rank it takes work from. */
#ifndef MPIFACTOR_HOLDER_H
#define MPIFACTOR_HOLDER_H

#include <stdbool.h>

#include "mf_pario.h"

#define MF_HOLDER_CONFIRM_EVERY_S 0.25 /* with --checkpoint: placements synced and confirmed this often */

/* Fails the whole run on a --parallel-io error (the files are not shared, an input changed, a read or write
   failed): rank `parent` is told p->err (once: *failed is set), and rank 0 stops every rank with exit 2 after a
   last checkpoint commit of what is safely written; the caller takes no more units meanwhile. */
void mf_holder_failed(const mf_pario *p, int parent, bool *failed);
/* With --checkpoint: makes the placements done so far durable and tells rank `parent` how many are (a failure
   is reported as by mf_holder_failed, and unconfirmed placements stay out of the checkpoint). */
void mf_holder_confirm(mf_pario *p, int parent, bool *failed);

#endif
