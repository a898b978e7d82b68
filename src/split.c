/* One hard number split into ranges of odd candidate divisors, and the in-order merge of the ranges' reports. */
#include "mf_split.h"

#include <stdlib.h>
#include <string.h>

/* The last odd candidate ever issued, so that hi + 2 never wraps. The only odd candidate above it,
   2^64 - 1 = 3 * 5 * 17 * 257 * 641 * 65537 * 6700417, is never the smallest prime factor of a cofactor. */
#define MF_SPLIT_LAST (UINT64_MAX - 2)

/* Frees the divisors a range owns. */
static void range_release(mf_split_range *r)
{
    free(r->divisors);
    r->divisors = NULL;
    r->ndivisors = 0;
}

/* Drops every range, outstanding or not (no counting). */
static void drop_all(mf_split *s)
{
    for (size_t i = 0; i < s->nranges; i++)
        range_release(&s->ranges[i]);
    s->nranges = 0;
}

/* Removes the range at index i, keeping the others in order. */
static void remove_at(mf_split *s, size_t i)
{
    range_release(&s->ranges[i]);
    memmove(&s->ranges[i], &s->ranges[i + 1], (s->nranges - i - 1) * sizeof s->ranges[0]);
    s->nranges--;
}

/* Whether the candidates of a range from lo on, dropped unmerged, were tested in vain: beyond the limit, or once
   the number is done, beyond the last candidate one rank would have tested. */
static bool in_vain(const mf_split *s, uint64_t lo)
{
    return lo > (s->done ? s->needed_until : s->limit);
}

/* Drops the reported ranges that can no longer matter (all of them once done, else those beyond the limit),
   counting the candidates of those tested in vain as wasted. Outstanding ranges stay until their report arrives. */
static void drop_useless(mf_split *s)
{
    size_t kept = 0;
    for (size_t i = 0; i < s->nranges; i++) {
        mf_split_range *r = &s->ranges[i];
        if (r->reported && (s->done || r->lo > s->limit)) {
            if (in_vain(s, r->lo))
                s->wasted += r->candidates;
            range_release(r);
        } else {
            s->ranges[kept++] = *r;
        }
    }
    s->nranges = kept;
}

/* The last odd candidate not above isqrt(c), capped at MF_SPLIT_LAST. */
static uint64_t odd_root(mpz_srcptr c)
{
    mpz_t root;
    mpz_init(root);
    mpz_sqrt(root, c);
    uint64_t limit = MF_SPLIT_LAST;
    if (mpz_cmp_ui(root, (unsigned long)MF_SPLIT_LAST) < 0) {
        /* unsigned long is 64 bits on the LP64 targets we build for */
        limit = (uint64_t)mpz_get_ui(root);
        if (limit > 0 && limit % 2 == 0)
            limit--;
    }
    mpz_clear(root);
    return limit;
}

/* Sets s->limit to the last odd candidate that still matters: min(isqrt(C'), max_divisor), odd. */
static void update_limit(mf_split *s)
{
    uint64_t limit = odd_root(s->cofactor);
    if (s->max_divisor) {
        uint64_t bound = s->max_divisor % 2 ? s->max_divisor : s->max_divisor - 1;
        if (bound < limit)
            limit = bound;
    }
    s->limit = limit;
}

/* Ends the number once the frontier has passed the limit: C' is 1 or a prime when the frontier is past
   isqrt(C') (pushed last), else the bound stopped it and C' is the unfactored cofactor. */
static void finish(mf_split *s)
{
    mpz_t root;
    mpz_init(root);
    mpz_sqrt(root, s->cofactor);
    if (mpz_cmp_ui(root, (unsigned long)s->frontier) < 0) {
        if (mpz_cmp_ui(s->cofactor, 1) > 0)
            mf_value_set_mpz(mf_factored_push(&s->result), s->cofactor);
        s->result.complete = true;
        mf_value_set_u64(&s->result.cofactor, 1);
    } else {
        s->result.complete = false;
        mf_value_set_mpz(&s->result.cofactor, s->cofactor);
    }
    mpz_clear(root);
    s->needed_until = s->limit; /* every range still held lies beyond the frontier, so beyond it */
    s->done = true;
}

/* Merges the reported range r, which starts at the frontier: divides its divisors out of C' in ascending
   order (each as often as it divides; composite ones divide nothing by then), shrinking the limit. */
static void merge_range(mf_split *s, const mf_split_range *r)
{
    uint64_t previous = 0;
    for (size_t i = 0; i < r->ndivisors; i++) {
        uint64_t d = r->divisors[i];
        if (d == previous)
            continue;
        previous = d;
        /* past the limit C' is 1 or a prime (a d past isqrt(C') that divides it is C' itself): finish() ends it */
        if (d > s->limit)
            break;
        if (!mpz_divisible_ui_p(s->cofactor, (unsigned long)d))
            continue;
        do {
            mpz_divexact_ui(s->cofactor, s->cofactor, (unsigned long)d);
            mf_factored_push_u64(&s->result, d);
        } while (mpz_divisible_ui_p(s->cofactor, (unsigned long)d));
        update_limit(s);
    }
    s->frontier = r->hi + 2;
    if (s->frontier > s->limit)
        finish(s);
}

/* Merges every reported range contiguous with the frontier, then drops what no longer matters. */
static void merge_ready(mf_split *s)
{
    size_t merged = 0;
    while (merged < s->nranges && !s->done && s->ranges[merged].reported &&
           s->ranges[merged].lo == s->frontier) {
        merge_range(s, &s->ranges[merged]);
        range_release(&s->ranges[merged]);
        merged++;
    }
    if (merged) {
        memmove(s->ranges, s->ranges + merged, (s->nranges - merged) * sizeof s->ranges[0]);
        s->nranges -= merged;
    }
    drop_useless(s);
}

void mf_split_init(mf_split *s)
{
    mf_factored_init(&s->result);
    mpz_init(s->cofactor);
    s->max_divisor = 0;
    s->frontier = s->limit = s->next_lo = 0;
    s->issue_cap = MF_SPLIT_LAST;
    s->needed_until = 0;
    s->ranges = NULL;
    s->nranges = s->cap = 0;
    s->done = true;
    s->candidates = s->wasted = 0;
}

void mf_split_free(mf_split *s)
{
    drop_all(s);
    free(s->ranges);
    s->ranges = NULL;
    s->cap = 0;
    mf_factored_clear(&s->result);
    mpz_clear(s->cofactor);
}

int mf_split_start(mf_split *s, const mf_factored *partial, uint64_t p, uint64_t max_divisor)
{
    if (p < 3 || p % 2 == 0)
        return -1;
    if (!partial->cofactor.is_big && partial->cofactor.u < 2)
        return -1;
    drop_all(s);
    mf_factored_reset(&s->result);
    mf_value_copy(&s->result.n, &partial->n);
    for (size_t i = 0; i < partial->nfactors; i++)
        mf_value_copy(mf_factored_push(&s->result), &partial->factors[i]);
    mf_value_get_mpz(s->cofactor, &partial->cofactor);
    s->max_divisor = max_divisor;
    s->frontier = s->next_lo = p;
    s->issue_cap = MF_SPLIT_LAST;
    s->needed_until = 0;
    s->done = false;
    s->candidates = s->wasted = 0;
    update_limit(s);
    if (s->frontier > s->limit)
        finish(s);
    return 0;
}

size_t mf_split_outstanding(const mf_split *s)
{
    size_t n = 0;
    for (size_t i = 0; i < s->nranges; i++)
        n += !s->ranges[i].reported;
    return n;
}

/* The last candidate a range may go out to: the limit, or the bound unmerged reports set below it. */
static uint64_t issue_limit(const mf_split *s)
{
    return s->issue_cap < s->limit ? s->issue_cap : s->limit;
}

uint64_t mf_split_left(const mf_split *s)
{
    uint64_t last = issue_limit(s);
    if (s->done || s->next_lo > last)
        return 0;
    return (last - s->next_lo) / 2 + 1;
}

bool mf_split_next_range(mf_split *s, uint64_t width, size_t max_outstanding, uint64_t *lo, uint64_t *hi)
{
    uint64_t limit = issue_limit(s);
    if (s->done || s->next_lo > limit)
        return false;
    if (max_outstanding && mf_split_outstanding(s) >= max_outstanding)
        return false;
    if (width == 0)
        width = 1;
    uint64_t more = (limit - s->next_lo) / 2; /* candidates left after next_lo */
    uint64_t last = width - 1 >= more ? limit : s->next_lo + 2 * (width - 1);
    s->ranges = mf_array_grow(s->ranges, &s->cap, s->nranges, sizeof *s->ranges, 16);
    s->ranges[s->nranges++] = (mf_split_range){.lo = s->next_lo, .hi = last};
    *lo = s->next_lo;
    *hi = last;
    s->next_lo = last + 2;
    return true;
}

/* Ends the number before the frontier reaches its reported ranges, with what their divisors prove: C' has no
   prime factor below the frontier F, so each divisor d < F^2 that divides C' is prime, and what is left of C'
   once they are out, when below F^2, is 1 or a prime. primes[0..n) ascending, each as often as it divides. */
static void finish_early(mf_split *s, const uint64_t *primes, size_t n, mpz_srcptr rest)
{
    bool rest_pushed = mpz_cmp_ui(rest, 1) == 0;
    for (size_t k = 0; k < n; k++) {
        if (!rest_pushed && mpz_cmp_ui(rest, (unsigned long)primes[k]) < 0) {
            mf_value_set_mpz(mf_factored_push(&s->result), rest);
            rest_pushed = true;
        }
        mf_factored_push_u64(&s->result, primes[k]);
    }
    if (!rest_pushed)
        mf_value_set_mpz(mf_factored_push(&s->result), rest);
    s->result.complete = true;
    mf_value_set_u64(&s->result.cofactor, 1);
    mpz_set_ui(s->cofactor, 1);
    s->needed_until = primes[n - 1];
    s->done = true;
    drop_useless(s); /* every reported range: merged or not, it no longer matters */
}

/* What the divisors of reported ranges still waiting for the frontier already say. Divided out of a copy of C'
   (each as often as it divides; one that no longer divides is a composite whose primes are out already), they
   bound every limit to come by the copy's odd root: no range goes out past it (the frontier reaches them only
   after every prime factor below them is out of C', and theirs divide out then). When that root is below the
   frontier and every divisor used is below its square (so prime), the number is complete now (finish_early):
   one rank would have stopped at the largest of them. Not with a max_divisor: the bound decides there. */
static void settle_reported(mf_split *s)
{
    size_t total = 0;
    for (size_t i = 0; i < s->nranges; i++)
        if (s->ranges[i].reported)
            total += s->ranges[i].ndivisors;
    if (total == 0)
        return;
    uint64_t *primes = malloc(total * sizeof *primes);
    if (!primes)
        abort();
    mpz_t rest;
    mpz_init_set(rest, s->cofactor);
    size_t n = 0;
    bool proven = s->max_divisor == 0;
    for (size_t i = 0; i < s->nranges; i++) {
        const mf_split_range *r = &s->ranges[i];
        for (size_t k = 0; r->reported && k < r->ndivisors; k++) {
            uint64_t d = r->divisors[k];
            if (!mpz_divisible_ui_p(rest, (unsigned long)d))
                continue;
            if (d / s->frontier >= s->frontier)
                proven = false; /* d >= F^2 may be a product of primes above F */
            while (mpz_divisible_ui_p(rest, (unsigned long)d)) {
                if (n == total) { /* more often than reported: cannot happen, as C' divides every range's copy */
                    proven = false;
                    break;
                }
                mpz_divexact_ui(rest, rest, (unsigned long)d);
                primes[n++] = d;
            }
        }
    }
    uint64_t cap = odd_root(rest);
    if (cap < s->issue_cap)
        s->issue_cap = cap;
    if (n > 0 && proven && cap < s->frontier)
        finish_early(s, primes, n, rest);
    mpz_clear(rest);
    free(primes);
}

/* Index of the range starting at lo, or s->nranges when there is none. */
static size_t find_range(const mf_split *s, uint64_t lo)
{
    size_t a = 0, b = s->nranges;
    while (a < b) {
        size_t m = a + (b - a) / 2;
        if (s->ranges[m].lo < lo)
            a = m + 1;
        else
            b = m;
    }
    return a < s->nranges && s->ranges[a].lo == lo ? a : s->nranges;
}

int mf_split_report(mf_split *s, uint64_t lo, uint64_t hi, const uint64_t *divisors, size_t ndivisors,
                    uint64_t candidates)
{
    size_t i = find_range(s, lo);
    if (i == s->nranges || s->ranges[i].hi != hi || s->ranges[i].reported)
        return -1;
    for (size_t k = 0; k < ndivisors; k++)
        if (divisors[k] < lo || divisors[k] > hi || (k > 0 && divisors[k] < divisors[k - 1]))
            return -1;
    s->candidates += candidates;
    if (s->done || lo > s->limit) {
        if (in_vain(s, lo))
            s->wasted += candidates;
        remove_at(s, i);
        return 0;
    }
    mf_split_range *r = &s->ranges[i];
    if (ndivisors) {
        r->divisors = malloc(ndivisors * sizeof *r->divisors);
        if (!r->divisors)
            abort();
        memcpy(r->divisors, divisors, ndivisors * sizeof *r->divisors);
    }
    r->ndivisors = ndivisors;
    r->candidates = candidates;
    r->reported = true;
    merge_ready(s);
    if (!s->done)
        settle_reported(s);
    return 0;
}
