/* Worker side of --parallel-io (no MPI): reads the slices of units sent by reference straight from the input
   files, keeps the output of finished units until the master says where it goes, then writes it there. */
#ifndef MPIFACTOR_PARIO_H
#define MPIFACTOR_PARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mf_buf.h"
#include "mf_cli.h"
#include "mf_codec.h"
#include "mf_input.h"

typedef struct mf_held {
    uint64_t id;
    mf_buf bytes;
} mf_held;

typedef struct mf_pario {
    const mf_config *cfg;
    int rank;
    int *in_fds;              /* per input, opened on first use (-1: not yet) */
    mf_file_seen *seen;       /* per input, what it was at the start (with cfg->parallel_io) */
    int out_fd;               /* opened on the first placement (-1: not yet) */
    mf_held *held;            /* outputs waiting for their place */
    size_t nheld, cap;
    uint64_t placed;          /* placements carried out */
    uint64_t synced;          /* placements known durable (mf_pario_sync) */
    char err[768];
} mf_pario;

/* What this rank sees of the run's files, as one value that ranks seeing the same files share: each input
   file's device, inode, size and modification time, and the directory (device, inode) and name of -o FILE.
   0 when some file or the output's directory cannot be seen. ("-" is standard input: nothing to compare.) */
uint64_t mf_pario_identity(const mf_config *cfg);
/* Whether the run uses parallel I/O: cfg->parallel_io_mode on or off as asked; auto on with -o FILE and more
   than one rank exactly when every rank's identity is the same nonzero value (lowest and highest over all
   ranks: min_id, max_id). */
bool mf_pario_decide(const mf_config *cfg, int ranks, uint64_t min_id, uint64_t max_id);

/* Starts with nothing open for this rank's cfg; with cfg->parallel_io records what each input file is now, so
   that a read that fails later can tell a file changed during the run. Returns 0, or -1 when out of memory. */
int mf_pario_init(mf_pario *p, const mf_config *cfg, int rank);
/* Turns the unit by reference in *unit (MF_UNIT_TEXT_REF) into the text unit it stands for, reading its slice
   from the input file and checking it against rank 0's check of the same bytes. A unit of another kind is left as it
   is. Returns 0, or -1 with the reason in p->err (unreadable input, or bytes that differ from rank 0's: the
   ranks do not share the input files; "FILE changed during the run (N bytes, now M)" when the file's size or
   modification time is no longer what mf_pario_init saw). */
int mf_pario_resolve(mf_pario *p, mf_buf *unit);
/* Turns *rest, the unstarted end of the slice that unit by reference orig stood for (a text unit, see
   mf_runner_take_rest), back into a unit by reference to those bytes of the file, so that no slice's bytes travel
   to rank 0 (pure: no I/O). Returns 0, or -1 when rest is no text unit or longer than orig's slice. */
int mf_pario_rest_by_ref(mf_buf *rest, const mf_text_ref *orig);
/* Keeps the output records of the finished text result in *result and rewrites it as a held result. */
void mf_pario_hold(mf_pario *p, mf_buf *result);
/* Writes held output id at byte offset of the output file and forgets it. Returns 0, or -1 with the reason
   in p->err (no such output held, the file cannot be opened: not shared, or a write error). */
int mf_pario_place(mf_pario *p, uint64_t id, uint64_t offset);
/* Makes every placement so far durable (fdatasync) and counts them in p->synced. Returns 0, or -1 (p->err). */
int mf_pario_sync(mf_pario *p);
/* Closes the files and frees storage (held outputs never placed are dropped). */
void mf_pario_free(mf_pario *p);

#endif
