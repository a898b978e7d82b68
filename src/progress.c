/* Rate-limited progress line with rate and ETA. */
#include "mf_progress.h"

void mf_progress_init(mf_progress *p, FILE *f, double now)
{
    p->f = f;
    p->start = now;
    p->last = now;
    p->shown = 0;
}

static void print_line(mf_progress *p, double now, uint64_t done, double fraction)
{
    double elapsed = now - p->start;
    double rate = elapsed > 0 ? (double)done / elapsed : 0;
    fprintf(p->f, "\rmpifactor: %llu numbers, %.0f/s", (unsigned long long)done, rate);
    if (fraction > 0 && fraction <= 1) {
        double eta = elapsed * (1 - fraction) / fraction;
        fprintf(p->f, ", %5.1f%% of input, ETA %02d:%02d:%02d", 100 * fraction, (int)(eta / 3600),
                (int)(eta / 60) % 60, (int)eta % 60);
    }
    fprintf(p->f, "   ");
    fflush(p->f);
    p->shown = 1;
}

void mf_progress_update(mf_progress *p, double now, uint64_t done, double fraction)
{
    if (!p->f || now - p->last < 0.25)
        return;
    p->last = now;
    print_line(p, now, done, fraction);
}

void mf_progress_finish(mf_progress *p, double now, uint64_t done)
{
    if (!p->f)
        return;
    print_line(p, now, done, -1);
    fputc('\n', p->f);
}
