/* Background writer: a thread that writes queued buffers to a file descriptor in order, so that rank 0
   goes on serving workers while a slow reader (mpirun's stdout forwarding, a pipe) drains the output. */
#ifndef MPIFACTOR_WRITER_H
#define MPIFACTOR_WRITER_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "mf_buf.h"

#define MF_WRITER_SLOTS 8

typedef struct mf_writer {
    int fd;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t changed;           /* a slot was filled or written, or stop was asked */
    mf_buf slot[MF_WRITER_SLOTS];     /* ring of queued buffers: written from head, filled at tail */
    unsigned head, tail;              /* counters (slot index = counter % MF_WRITER_SLOTS) */
    bool stop;
    int error;                        /* errno of the first failed write (0: none); later buffers dropped */
    bool running;
} mf_writer;

/* Starts the thread writing to fd (which stays the caller's to close). Returns 0, or -1 when no thread
   could be started (w is then unused: write synchronously instead). */
int mf_writer_start(mf_writer *w, int fd);
/* Queues b's bytes for writing and leaves b empty (its storage is swapped with a written slot's, nothing is
   copied). Waits while MF_WRITER_SLOTS buffers are queued. Returns 0, or -1 with errno set once a write has
   failed (the bytes are then dropped). */
int mf_writer_put(mf_writer *w, mf_buf *b);
/* Buffers queued and not yet written. */
unsigned mf_writer_queued(mf_writer *w);
/* Waits until every queued buffer is written. Returns 0, or -1 with errno set when a write failed. */
int mf_writer_drain(mf_writer *w);
/* Drains, stops the thread and frees the slots. Returns as mf_writer_drain. */
int mf_writer_stop(mf_writer *w);

#endif
