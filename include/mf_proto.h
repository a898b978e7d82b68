/* The wire protocol: the only module that calls MPI. Named tags, non-blocking sends, polled receives. */
#ifndef MPIFACTOR_PROTO_H
#define MPIFACTOR_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include "mf_buf.h"

typedef enum mf_tag {
    MF_TAG_UNIT = 1,    /* master -> worker: an encoded work unit */
    MF_TAG_RESULT = 2,  /* worker -> master: an encoded unit result */
    MF_TAG_STOP = 3,    /* master -> worker: stop now; payload u32 exit code */
    MF_TAG_STATS = 4,   /* worker -> master: the worker's statistics, its last message (a leader's: its kids'
                           records, then its own) */
    MF_TAG_YIELD = 5,   /* master -> worker: text unit <u64 id>, if still running, hands back its rest now, or with
                           no rest, its number in progress when that has <u64 split_least> candidates left
                           (0: never) */
    MF_TAG_PLACE = 6,   /* master -> worker: write held output <u64 id> at byte <u64 offset> (--parallel-io) */
    MF_TAG_PLACED = 7,  /* worker -> master: <u64 count> placements written and synced (with --checkpoint) */
    MF_TAG_FAILED = 8,  /* worker -> master: an I/O error stops the run (exit 2); payload the message text */
    MF_TAG_REST = 9,    /* worker -> master: the unstarted rest of a running text unit, handed back on request
                           (a text unit carrying the running unit's id); the unit goes on */
    MF_TAG_SPLIT = 10,  /* leader -> rank 0: a number its node ran past its budget, for rank 0 to split over every
                           rank (mf_split_request_put) */
    MF_TAG_SPLIT_DONE = 11, /* rank 0 -> leader: that number's factorization (mf_split_done_put) */
    MF_TAG_DROP = 12    /* master -> worker: the ranges of split number <u64 id> (their unit id) are no longer
                           needed: the running one stops, one not yet started ends at once; each still reports */
} mf_tag;

/* Starts MPI. Returns 0, or -1 when MPI could not start. */
int mf_proto_init(int *argc, char ***argv);
/* Shuts MPI down after all sends completed. */
void mf_proto_finalize(void);
/* This process's rank and the number of ranks. */
int mf_proto_rank(void);
int mf_proto_size(void);
/* Aborts every rank (unrecoverable errors only). */
void mf_proto_abort(int code);
/* Sends b to dest with tag without blocking; the protocol takes b's storage (b is left empty). */
void mf_proto_send(int dest, mf_tag tag, mf_buf *b);
/* Holds back the sends made from now on until mf_proto_release, which posts them in the order made (the
   receivers see no difference). A batch of sends then costs one stretch of the sender's own code, not one per
   send: a simulated rank's code resumes after each send in caches the other ranks just used. */
void mf_proto_hold(void);
void mf_proto_release(void);
/* Completes finished sends and frees their buffers; returns how many are still pending. */
int mf_proto_progress(void);
/* Waits until every send has completed. */
void mf_proto_flush(void);
/* Receives one waiting message, if any, into b: returns 1 with *src and *tag set, else 0. */
int mf_proto_poll(int *src, int *tag, mf_buf *b);
/* Collective (every rank calls it): rank 0's len bytes at data are copied to data on every other rank. */
void mf_proto_bcast(void *data, size_t len);
/* Collective (every rank calls it): every rank's len bytes at mine, in rank order, into all (room for
   len x ranks bytes) on every rank. */
void mf_proto_allgather(const void *mine, size_t len, void *all);
/* This rank's node: a 64-bit hash (FNV-1a) of the name MPI gives its processor (MPI_Get_processor_name: the
   host name; under SMPI the simulated host's). Ranks of one node have equal ids; nodes whose names hash alike
   would share one leader: slower, never wrong. */
uint64_t mf_proto_node_id(void);
/* Total payload bytes sent and received by this process. */
uint64_t mf_proto_bytes_sent(void);
uint64_t mf_proto_bytes_received(void);

#endif
