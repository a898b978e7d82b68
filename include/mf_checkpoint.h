/* Durable progress record: how many input numbers are finished and how many output bytes hold them.

   File format (text): a header line "mpifactor-checkpoint 2 <fingerprint hex>" then one record per
   commit, "done <numbers> <output bytes> <check hex>", appended and fsync'ed. A torn or corrupt last
   record (kill -9 mid-write) fails its check and is ignored; the file is cut back to the last good
   record before more are appended. Format 1 (FNV-1a fingerprint) is recognised and refused with a
   message. The run that opens the file holds a write lock (fcntl) on it until it ends. */
#ifndef MPIFACTOR_CHECKPOINT_H
#define MPIFACTOR_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>

typedef struct mf_checkpoint {
    int fd;
    uint64_t done;       /* numbers finished (a prefix of the input, in order) */
    uint64_t out_bytes;  /* output bytes holding exactly those numbers' results */
    int resumed;         /* the file existed with a matching header */
} mf_checkpoint;

/* Returns a fingerprint (XXH3 64, one pass at memory speed) of the contents of the input files, their
   boundaries and the option text that changes the output. Returns 0, or -1 with a message in err on a
   read error. */
int mf_fingerprint(uint64_t *fp, const char *const *paths, int npaths, const char *options,
                   char *err, size_t errlen);
/* Opens path (creating it empty when missing) and takes a write lock on it without reading or
   writing anything, so a second run can be refused before it touches its inputs or outputs. Returns
   0, or -1 with "checkpoint PATH is in use by another run" (or another message) in err and c->fd -1. */
int mf_checkpoint_lock(mf_checkpoint *c, const char *path, char *err, size_t errlen);
/* After mf_checkpoint_lock on path: writes the header into an empty file; an existing file must carry
   format 2 and fingerprint fp, else -1 with a message saying it belongs to another input or version.
   On success c->done/out_bytes hold the last good record (0/0 for a new file). Returns 0 or -1
   (message in err; the file is then closed and unlocked). */
int mf_checkpoint_load(mf_checkpoint *c, const char *path, uint64_t fp, char *err, size_t errlen);
/* mf_checkpoint_lock then mf_checkpoint_load. Returns 0 or -1 (message in err). */
int mf_checkpoint_open(mf_checkpoint *c, const char *path, uint64_t fp, char *err, size_t errlen);
/* Appends a record and makes it durable (fsync). Returns 0 or -1 (message in err). */
int mf_checkpoint_commit(mf_checkpoint *c, uint64_t done, uint64_t out_bytes, char *err, size_t errlen);
/* Closes the file (releasing its lock); does nothing when c->fd is -1. */
void mf_checkpoint_close(mf_checkpoint *c);

#endif
