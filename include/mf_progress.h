/* A progress line on stderr: a bar of the numbers finished out of a total estimated from the input
   bytes read, with the rate, the elapsed time and an ETA; and when to show it. */
#ifndef MPIFACTOR_PROGRESS_H
#define MPIFACTOR_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define MF_PROGRESS_INTERVAL_S 0.5 /* at most one redraw this often */
#define MF_PROGRESS_LINE_MAX 160   /* a buffer for one formatted line */
#define MF_PROGRESS_COUNT_BYTES (UINT64_C(256) << 20) /* input files up to this size are counted before the run */

typedef struct mf_progress {
    FILE *f;            /* NULL: disabled */
    double start;       /* clock at start */
    double last;        /* clock at the last redraw */
    bool based;         /* base_done holds the count at the first update */
    uint64_t base_done; /* numbers finished before this run (a resumed prefix) */
    size_t width;       /* characters of the line on screen, to blank out on the next redraw */
} mf_progress;

/* What one line shows. Counts include a resumed prefix; done_now is what this run finished. */
typedef struct mf_progress_view {
    double elapsed;     /* seconds since this run started */
    uint64_t done;      /* numbers finished */
    uint64_t done_now;  /* of which finished by this run (the rate and the ETA come from these) */
    double total;       /* numbers in the input: estimated (< 0 unknown) */
    bool total_exact;   /* the whole input has been read: total is the count */
    bool final;         /* the closing line */
} mf_progress_view;

/* Decides whether progress is shown. option: 1 (--progress) yes, 0 (--no-progress) no, -1 (default):
   yes when the user watches a terminal, that is when stderr is a terminal, or when stderr is a pipe
   or socket held by the parent (an MPI launcher such as mpirun forwarding rank output) whose own
   stderr is a terminal, looking up to three launcher levels (Linux /proc). Redirected or batch
   stderr (files, /dev/null, CI logs, Slurm batch jobs, `mpirun ... | tee`) gives no. */
bool mf_progress_wanted(int option);
/* Enables progress on f (NULL disables) from clock time now. */
void mf_progress_init(mf_progress *p, FILE *f, double now);
/* Formats the line for v (no carriage return or newline) into buf of buflen bytes (NUL-terminated,
   cut to fit; MF_PROGRESS_LINE_MAX suffices). Running: "mpifactor: [####    ]  45.0% 900/~2000
   numbers, 300/s, 00:00:03 elapsed, ETA 00:00:04" (the share, the rate and the ETA only once
   known); final: "mpifactor: 2000 numbers, 300/s, 00:00:07 elapsed". Returns the line's length. */
size_t mf_progress_format(char *buf, size_t buflen, const mf_progress_view *v);
/* Redraws the line at most every MF_PROGRESS_INTERVAL_S: done numbers finished and read numbers
   tokenized so far (both counting a resumed prefix), bytes_fraction the share of the input bytes
   tokenized (< 0 unknown, e.g. standard input). The total is estimated as read / bytes_fraction. */
void mf_progress_update(mf_progress *p, double now, uint64_t done, uint64_t read, double bytes_fraction);
/* Draws the final line over the last one and ends it with a newline (nothing when disabled). */
void mf_progress_finish(mf_progress *p, double now, uint64_t done);

#endif
