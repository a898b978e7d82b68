/* Rank 0's output side: writes finished results in input order, their stderr lines, and durable checkpoint
   commits of the finished prefix. */
#ifndef MPIFACTOR_SINK_H
#define MPIFACTOR_SINK_H

#include <stdbool.h>
#include <stdint.h>

#include "mf_buf.h"
#include "mf_checkpoint.h"
#include "mf_cli.h"
#include "mf_ledger.h"
#include "mf_writer.h"

typedef struct mf_sink {
    const mf_config *cfg;
    int out_fd;
    mf_buf out;               /* buffered output not yet written */
    mf_writer writer;         /* writes the output when it is not a regular file (a pipe drains slowly) */
    bool threaded;            /* writer in use */
    bool parallel;            /* --parallel-io into a regular file: workers write the results they hold */
    uint64_t flushed;         /* parallel: output bytes before the buffered ones (where they go) */
    mf_ledger ledger;         /* parallel with a checkpoint: placements not yet confirmed written */
    bool have_ledger;
    uint64_t out_bytes;       /* bytes of results in the output file, flushed or not */
    uint64_t written;         /* numbers written in total (including a resumed prefix) */
    uint64_t written_now;     /* numbers written by this run */
    uint64_t invalid;         /* invalid tokens reported by the written results */
    uint64_t input_bytes;     /* input bytes the written results of this run came from */
    uint64_t verify_failures;
    uint64_t unfactored;      /* records written with a cofactor left unfactored, a resumed prefix's included */
    uint32_t line_file;       /* results with relative lines: the input of the last one, and the line their */
    uint64_t line_next;       /* next one starts at (mf_sink_lines_from) */
    mf_buf msg_text;          /* their stderr lines, rendered */
    mf_checkpoint ckpt;
    bool have_ckpt;
    double last_commit;
    bool io_error;
    char err[512];
} mf_sink;

/* Opens the output (stdout or cfg->output) and, with cfg->checkpoint, the checkpoint; on resume cuts the
   output back to the recorded length. ranks: the run's rank count (with cfg->parallel_io and more than one
   rank, a regular output file takes results that workers hold: s->parallel). *resume_done gets the numbers a
   previous run finished (0 when none). Returns 0, or -1 after printing a message naming the file. */
int mf_sink_open(mf_sink *s, const mf_config *cfg, int ranks, uint64_t *resume_done, double now);

/* Where a result that a worker holds goes: rank holder is to write unit id's output at byte offset. */
typedef struct mf_placement {
    int holder;               /* 0: nothing to place (the sink wrote the result itself) */
    uint64_t id, offset;
} mf_placement;

/* Writes one finished text result (as built by mf_text_result_*): its stderr lines, then its records; for a
   result whose output a worker holds (s->parallel only), reserves its place in the output and returns it in
   *place for the master to pass on. Returns 0, or -1 when the result is malformed. */
int mf_sink_write(mf_sink *s, mf_buf *result, mf_placement *place);
/* From here on, results with relative lines (slices cut by byte offset) continue input `file` at line `line`;
   a later input begins at line 1. Their messages get their line numbers as they are written in order. */
void mf_sink_lines_from(mf_sink *s, uint32_t file, uint64_t line);
/* Records that rank has written (and synced) the first count placements sent to it (mf_sink_confirm_all:
   every rank all of them, once the workers stopped). Returns 0, or -1 when rank confirms more than it was sent. */
int mf_sink_confirm(mf_sink *s, int rank, uint64_t count);
void mf_sink_confirm_all(mf_sink *s);
/* True while the output drains slower than results arrive: the writer thread has at least a quarter of
   its buffers queued (a pipe, a terminal, mpirun's forwarding). More factoring on rank 0 would then only
   queue more output and take CPU from whatever drains it. */
bool mf_sink_backlogged(mf_sink *s);
/* Commits when a checkpoint is due (about once a second). */
void mf_sink_tick(mf_sink *s, double now);
/* Flushes the output, syncs it and records the finished prefix in the checkpoint. */
void mf_sink_commit(mf_sink *s, double now);
/* For a run that read its whole input and was not stopped: when the checkpoint it resumed from already held
   every number (this run wrote none), says so on stderr ("mpifactor: CKPT: already complete (N numbers);
   nothing to do"); otherwise prints nothing. */
void mf_sink_note_finished(const mf_sink *s);
/* Commits, closes the files and frees storage. Returns 0, or -1 when closing the output failed. */
int mf_sink_close(mf_sink *s, double now);

#endif
