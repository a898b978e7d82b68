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

/* Blocks read from each input file to tell whether two ranks see the same file: the first, the last and evenly
   spaced ones between, MF_PARIO_SAMPLE_BYTES each (a file of up to MF_PARIO_SAMPLES blocks is read whole). */
#define MF_PARIO_SAMPLES 8
#define MF_PARIO_SAMPLE_BYTES 4096
/* The value of an input that is not compared between ranks ("-", a pipe, a device: its bytes travel from rank 0). */
#define MF_PARIO_NOT_COMPARED 1
/* Start of the hidden probe file's name that rank 0 creates in the output's directory (then 16 hex digits). */
#define MF_PARIO_PROBE_PREFIX ".mpifactor-probe-"

/* Fills offsets with the starts of the blocks of MF_PARIO_SAMPLE_BYTES sampled from a file of size bytes:
   ascending, not overlapping, the first at 0, the last block ending at size (it may start less than a block
   after the one before). Returns how many (0 for an empty file, at most MF_PARIO_SAMPLES). Pure. */
int mf_pario_sample_offsets(uint64_t size, uint64_t offsets[MF_PARIO_SAMPLES]);
/* What identifies the contents of the file at path without device or inode numbers, which differ between the
   mounts of one shared file system: a hash of its size, modification time and sampled blocks (never 0 or
   MF_PARIO_NOT_COMPARED). MF_PARIO_NOT_COMPARED for "-" and files that are not regular (never opened). 0 when
   it cannot be seen or read, with "PATH: reason" in why. */
uint64_t mf_pario_file_id(const char *path, char *why, size_t whylen);
/* Writes to out the path of the probe file for token in the directory of output (-o FILE). */
void mf_pario_probe_path(char *out, size_t outlen, const char *output, uint64_t token);
/* Creates a new hidden probe file holding a fresh random token in the directory of output, where output is a
   regular file or does not exist yet. Returns the token (nonzero), or 0 with the reason in why (the directory
   cannot be written, output is not a regular file). The caller removes it (mf_pario_probe_remove). */
uint64_t mf_pario_probe_create(const char *output, char *why, size_t whylen);
/* Whether the probe file for token is found in the directory of output holding token: the directory this rank
   sees under that name is the one rank 0 created it in. Returns 0, or -1 with the reason in why. */
int mf_pario_probe_check(const char *output, uint64_t token, char *why, size_t whylen);
/* Removes the probe file for token (nothing for token 0). */
void mf_pario_probe_remove(const char *output, uint64_t token);

/* Rank 0's view of the run's files, sent to every rank: view[0] the probe token (0: none), view[1 + i] input
   i's mf_pario_file_id. Holds 1 + cfg->ninputs values. */
size_t mf_pario_view_len(const mf_config *cfg);
/* Rank 0: fills view and creates the probe file (with -o FILE; the caller removes it, also on errors, with
   mf_pario_probe_remove(cfg->output, view[0])). */
void mf_pario_view_make(const mf_config *cfg, uint64_t *view);
/* Whether rank 0 saw every file and created its probe: only then can other ranks be compared with it. */
bool mf_pario_view_complete(const mf_config *cfg, const uint64_t *view);
/* Whether this rank sees the files of rank 0's complete view: the same inputs (size, time, sampled bytes) and
   the probe file in the output's directory. True when the view is not complete (nothing to compare). Else false
   with "rank R (host H): FILE: reason; --parallel-io needs ..." in why. */
bool mf_pario_agrees(const mf_config *cfg, const uint64_t *view, int rank, char *why, size_t whylen);
/* Whether the run uses parallel I/O: cfg->parallel_io_mode on or off as asked; auto on with -o FILE and more
   than one rank exactly when rank 0's view is complete and every rank agrees with it. */
bool mf_pario_decide(const mf_config *cfg, int ranks, bool complete, bool all_agree);

/* Starts with nothing open for this rank's cfg; with cfg->parallel_io records what each input file is now, so
   that a read that fails later can tell a file changed during the run. Returns 0, or -1 when out of memory. */
int mf_pario_init(mf_pario *p, const mf_config *cfg, int rank);
/* Turns the unit by reference in *unit (MF_UNIT_TEXT_REF) into the text unit it stands for, reading its slice
   from the input file and checking it against rank 0's check of the same bytes. A unit of another kind is left as it
   is. Returns 0, or -1 with the reason in p->err (unreadable input, or bytes that differ from rank 0's: the
   ranks do not share the input files; "FILE changed during the run (N bytes, now M)" when the file's size or
   modification time is no longer what mf_pario_init saw). */
int mf_pario_resolve(mf_pario *p, mf_buf *unit);
/* Turns *rest, the unstarted end of the slice that unit by reference *orig stands for (a text unit, see
   mf_runner_take_rest), back into a unit by reference to those bytes of the file, so that no slice's bytes travel
   to rank 0 (pure: no I/O); *orig then ends where the rest begins, ready for the next rest cut off the same unit.
   Returns 0, or -1 when rest is no text unit or longer than orig's slice. */
int mf_pario_rest_by_ref(mf_buf *rest, mf_text_ref *orig);
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
