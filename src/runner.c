/* Slice-by-slice factorization of a work unit into an encoded result. */
#include "mf_runner.h"

#include "mf_stats.h"

void mf_runner_init(mf_runner *r, uint64_t max_divisor)
{
    mf_buf_init(&r->unit);
    mf_buf_init(&r->result);
    mf_job_init(&r->job);
    mf_factored_init(&r->fac);
    mf_value_init(&r->n);
    r->active = false;
    r->in_number = false;
    r->max_divisor = max_divisor;
}

void mf_runner_free(mf_runner *r)
{
    mf_buf_free(&r->unit);
    mf_buf_free(&r->result);
    mf_job_clear(&r->job);
    mf_factored_clear(&r->fac);
    mf_value_clear(&r->n);
}

int mf_runner_load(mf_runner *r, mf_buf *unit)
{
    mf_buf tmp = r->unit;
    r->unit = *unit;
    *unit = tmp;
    mf_buf_reset(unit);
    if (mf_unit_read_header(&r->unit, &r->hdr) != 0)
        return -1;
    r->index = 0;
    r->in_number = false;
    r->active = true;
    r->candidates = 0;
    r->busy_s = 0;
    mf_result_begin(&r->result, r->hdr.id);
    return 0;
}

bool mf_runner_step(mf_runner *r, uint64_t budget, bool *bad)
{
    if (!r->active)
        return false;
    double t0 = mf_now();
    int64_t left = (int64_t)budget;
    while (left > 0 && r->index < r->hdr.count) {
        if (!r->in_number) {
            if (mf_codec_get_value(&r->unit, &r->n) != 0) {
                if (bad)
                    *bad = true;
                r->hdr.count = r->index;
                break;
            }
            mf_job_start(&r->job, &r->fac, &r->n, r->max_divisor);
            r->in_number = true;
        }
        uint64_t before = r->job.candidates;
        bool done = mf_job_run(&r->job, (uint64_t)left);
        left -= (int64_t)(r->job.candidates - before) + 16;
        if (done) {
            r->candidates += r->job.candidates;
            mf_result_add(&r->result, &r->fac);
            r->in_number = false;
            r->index++;
        }
    }
    r->busy_s += mf_now() - t0;
    if (r->index < r->hdr.count)
        return false;
    mf_result_finish(&r->result, r->candidates, r->busy_s);
    r->active = false;
    return true;
}
