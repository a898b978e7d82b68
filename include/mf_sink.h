/* Rank 0's output side: writes finished results in input order, their stderr lines, and durable checkpoint
   commits of the finished prefix. */
#ifndef MPIFACTOR_SINK_H
#define MPIFACTOR_SINK_H

#include <stdbool.h>
#include <stdint.h>

#include "mf_buf.h"
#include "mf_checkpoint.h"
#include "mf_cli.h"

typedef struct mf_sink {
    const mf_config *cfg;
    int out_fd;
    mf_buf out;               /* buffered output not yet written */
    uint64_t out_bytes;       /* bytes of results in the output file, flushed or not */
    uint64_t written;         /* numbers written in total (including a resumed prefix) */
    uint64_t written_now;     /* numbers written by this run */
    uint64_t invalid;         /* invalid tokens reported by the written results */
    uint64_t input_bytes;     /* input bytes the written results of this run came from */
    uint64_t verify_failures;
    mf_checkpoint ckpt;
    bool have_ckpt;
    double last_commit;
    bool io_error;
    char err[512];
} mf_sink;

/* Opens the output (stdout or cfg->output) and, with cfg->checkpoint, the checkpoint; on resume cuts the
   output back to the recorded length. *resume_done gets the numbers a previous run finished (0 when
   none). Returns 0, or -1 after printing a message naming the file. */
int mf_sink_open(mf_sink *s, const mf_config *cfg, uint64_t *resume_done, double now);
/* Writes one finished text result (as built by mf_text_result_*): its stderr lines, then its records.
   Returns 0, or -1 when the result is malformed. */
int mf_sink_write(mf_sink *s, mf_buf *result);
/* Commits when a checkpoint is due (about once a second). */
void mf_sink_tick(mf_sink *s, double now);
/* Flushes the output, syncs it and records the finished prefix in the checkpoint. */
void mf_sink_commit(mf_sink *s, double now);
/* Commits, closes the files and frees storage. Returns 0, or -1 when closing the output failed. */
int mf_sink_close(mf_sink *s, double now);

#endif
