/* A progress line on stderr: numbers done, share of the input read, rate and ETA. */
#ifndef MPIFACTOR_PROGRESS_H
#define MPIFACTOR_PROGRESS_H

#include <stdint.h>
#include <stdio.h>

typedef struct mf_progress {
    FILE *f;          /* NULL: disabled */
    double start;     /* clock at start */
    double last;      /* clock at the last line */
    int shown;        /* a line was printed (needs a final newline) */
} mf_progress;

/* Enables progress on f (NULL disables) from clock time now. */
void mf_progress_init(mf_progress *p, FILE *f, double now);
/* Prints a line at most 4 times a second: done numbers, fraction of the input read (< 0 unknown). */
void mf_progress_update(mf_progress *p, double now, uint64_t done, double fraction);
/* Prints the final line and a newline. */
void mf_progress_finish(mf_progress *p, double now, uint64_t done);

#endif
