/* mf_split: ranges scanned by a slow reference and reported in random order merge to mf_factor's answer. */
#include <check.h>
#include <gmp.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "mf_factor.h"
#include "mf_split.h"
#include "mf_verify.h"
#include "test_util.h"

/* ck_assert writes to Check's pipe on every call, success or not: too slow for per-range checks. */
#define REQUIRE(cond)                                                                                     \
    do {                                                                                                  \
        if (!(cond))                                                                                      \
            ck_abort_msg("%s:%d: failed: %s", __FILE__, __LINE__, #cond);                                 \
    } while (0)

/* The order in which outstanding ranges report: any of them at random, oldest first, or newest first (a
   batch is issued, then reported from its end before the next batch: else the oldest never reports). */
enum order { ORDER_RANDOM, ORDER_ASCENDING, ORDER_DESCENDING };

/* How one split is driven, and what the drive saw. */
typedef struct drive {
    uint64_t width;
    size_t max_outstanding;
    enum order order;
    size_t issued;        /* ranges issued */
    size_t composites;    /* composite divisors reported */
    size_t at_lo, at_hi;  /* reported divisors equal to their range's lo / hi */
    size_t early;         /* the number completed while a range below the one just reported was still out */
    size_t stopped;       /* ranges reported after that, stopped part way (as a master's MF_TAG_DROP makes them) */
    uint64_t candidates;  /* candidates reported */
} drive;

typedef struct pending {
    uint64_t lo, hi;
} pending;

/* Slow reference scan of one range on its own copy of c: every odd d in [lo, hi], ascending, divided out
   as often as it divides, reported each time. Returns the divisors (malloc'ed) and their count in *n. */
static uint64_t *scan_range(mpz_srcptr c, uint64_t lo, uint64_t hi, size_t *n)
{
    mpz_t copy;
    mpz_init_set(copy, c);
    size_t cap = 8;
    uint64_t *out = malloc(cap * sizeof *out);
    REQUIRE(out != NULL);
    *n = 0;
    for (uint64_t d = lo;; d += 2) {
        while (mpz_divisible_ui_p(copy, (unsigned long)d)) {
            if (*n == cap) {
                cap *= 2;
                out = realloc(out, cap * sizeof *out);
                REQUIRE(out != NULL);
            }
            out[(*n)++] = d;
            mpz_divexact_ui(copy, copy, (unsigned long)d);
        }
        if (hi - d < 2)
            break;
    }
    mpz_clear(copy);
    return out;
}

/* True when d is not a (probable) prime. */
static bool is_composite(uint64_t d)
{
    mpz_t z;
    mpz_init_set_ui(z, (unsigned long)d);
    bool composite = mpz_probab_prime_p(z, 15) == 0;
    mpz_clear(z);
    return composite;
}

/* Checks what must hold between any two calls: the range list ascending, above the frontier, holding
   exactly the outstanding ranges plus reported ones still needed; counters consistent. */
static void check_invariants(const mf_split *s, size_t npending, uint64_t reported)
{
    size_t unreported = 0;
    for (size_t i = 0; i < s->nranges; i++) {
        const mf_split_range *r = &s->ranges[i];
        REQUIRE(r->lo >= s->frontier);
        REQUIRE(r->lo <= r->hi);
        if (i > 0)
            REQUIRE(s->ranges[i - 1].hi < r->lo);
        if (!r->reported)
            unreported++;
        else
            REQUIRE(!s->done && r->lo <= s->limit); /* useless reported ranges are dropped at once */
    }
    REQUIRE(unreported == npending);
    REQUIRE(mf_split_outstanding(s) == npending);
    REQUIRE(s->candidates == reported);
    REQUIRE(s->wasted <= s->candidates);
}

/* Starts s on partial from p and runs it to the end: issues ranges while allowed, reports one outstanding
   range at a time (chosen by dr->order) with the reference scan, checking every issued range and the
   invariants after each step. */
static void drive_split(mf_split *s, const mf_factored *partial, uint64_t p, uint64_t max_divisor, drive *dr)
{
    REQUIRE(mf_split_start(s, partial, p, max_divisor) == 0);
    REQUIRE(s->candidates == 0);
    REQUIRE(s->wasted == 0);
    mpz_t c;
    mpz_init(c);
    mf_value_get_mpz(c, &partial->cofactor);
    size_t npending = 0, cap = 16;
    pending *pend = malloc(cap * sizeof *pend);
    REQUIRE(pend != NULL);
    uint64_t next = p, reported = 0;
    dr->issued = dr->composites = dr->at_lo = dr->at_hi = dr->early = dr->stopped = 0;
    for (;;) {
        uint64_t lo, hi;
        bool may_issue = dr->order != ORDER_DESCENDING || npending == 0;
        while (may_issue && mf_split_next_range(s, dr->width, dr->max_outstanding, &lo, &hi)) {
            REQUIRE(lo == next);
            REQUIRE(hi >= lo && hi % 2 == 1);
            REQUIRE(hi <= s->limit && hi <= s->issue_cap);
            REQUIRE((hi - lo) / 2 + 1 <= dr->width);
            REQUIRE((hi - lo) / 2 + 1 == dr->width || hi == s->limit || hi == s->issue_cap);
            next = hi + 2;
            if (npending == cap) {
                cap *= 2;
                pend = realloc(pend, cap * sizeof *pend);
                REQUIRE(pend != NULL);
            }
            pend[npending++] = (pending){lo, hi};
            dr->issued++;
            REQUIRE(dr->max_outstanding == 0 || npending <= dr->max_outstanding);
        }
        check_invariants(s, npending, reported);
        if (npending == 0)
            break;
        size_t k = dr->order == ORDER_ASCENDING    ? 0
                   : dr->order == ORDER_DESCENDING ? npending - 1
                                                   : (size_t)mf_test_range(0, npending - 1);
        lo = pend[k].lo;
        hi = pend[k].hi;
        memmove(&pend[k], &pend[k + 1], (npending - k - 1) * sizeof *pend);
        npending--;
        size_t nd;
        uint64_t *dv = scan_range(c, lo, hi, &nd);
        for (size_t i = 0; i < nd; i++) {
            dr->composites += is_composite(dv[i]);
            dr->at_lo += dv[i] == lo;
            dr->at_hi += dv[i] == hi;
        }
        uint64_t candidates = (hi - lo) / 2 + 1;
        if (mf_split_done(s) && mf_test_range(0, 1)) { /* stopped part way: the divisors below some point */
            candidates = mf_test_range(0, candidates);
            while (nd > 0 && (dv[nd - 1] - lo) / 2 >= candidates)
                nd--;
            dr->stopped++;
        }
        bool was_done = mf_split_done(s);
        REQUIRE(mf_split_report(s, lo, hi, dv, nd, candidates) == 0);
        reported += candidates;
        if (!was_done && mf_split_done(s))
            for (size_t i = 0; i < npending; i++)
                dr->early += pend[i].lo < lo;
        /* the same report again: no longer outstanding, nothing changes */
        REQUIRE(mf_split_report(s, lo, hi, dv, nd, candidates) == -1);
        free(dv);
        check_invariants(s, npending, reported);
    }
    REQUIRE(mf_split_done(s));
    REQUIRE(s->nranges == 0);
    dr->candidates = reported;
    free(pend);
    mpz_clear(c);
}

/* The partial result escalation hands over: n's prime factors below p (2, then every odd d < p, by slow
   trial division) and the cofactor C. Returns false when C < 2 (nothing left to split). */
static bool make_partial(mf_factored *part, mpz_srcptr n, uint64_t p)
{
    mf_factored_reset(part);
    mf_value_set_mpz(&part->n, n);
    mpz_t c;
    mpz_init_set(c, n);
    while (mpz_sgn(c) > 0 && mpz_even_p(c)) {
        mf_factored_push_u64(part, 2);
        mpz_divexact_ui(c, c, 2);
    }
    for (uint64_t d = 3; d < p && mpz_cmp_ui(c, 1) > 0; d += 2)
        while (mpz_divisible_ui_p(c, (unsigned long)d)) {
            mf_factored_push_u64(part, d);
            mpz_divexact_ui(c, c, (unsigned long)d);
        }
    part->complete = false;
    mf_value_set_mpz(&part->cofactor, c);
    bool more = mpz_cmp_ui(c, 2) >= 0;
    mpz_clear(c);
    return more;
}

/* Compares two values of any size. */
static int value_cmp(const mf_value *a, const mf_value *b)
{
    mpz_t x, y;
    mpz_inits(x, y, NULL);
    mf_value_get_mpz(x, a);
    mf_value_get_mpz(y, b);
    int r = mpz_cmp(x, y);
    mpz_clears(x, y, NULL);
    return r;
}

/* Asserts that got is exactly want: same number, factors, completeness and cofactor; and that it verifies. */
static void assert_same(const mf_factored *got, const mf_factored *want)
{
    char text[128];
    mpz_t n;
    mpz_init(n);
    mf_value_get_mpz(n, &want->n);
    gmp_snprintf(text, sizeof text, "%Zd", n);
    mpz_clear(n);
    ck_assert_msg(value_cmp(&got->n, &want->n) == 0, "%s: wrong n", text);
    ck_assert_msg(got->nfactors == want->nfactors, "%s: %zu factors, want %zu", text, got->nfactors,
                  want->nfactors);
    for (size_t i = 0; i < want->nfactors; i++)
        ck_assert_msg(value_cmp(&got->factors[i], &want->factors[i]) == 0, "%s: factor %zu differs", text, i);
    ck_assert_msg(got->complete == want->complete, "%s: complete %d, want %d", text, got->complete,
                  want->complete);
    if (!want->complete)
        ck_assert_msg(value_cmp(&got->cofactor, &want->cofactor) == 0, "%s: cofactor differs", text);
    char err[256];
    ck_assert_msg(mf_verify(got, err, sizeof err) == 0, "%s", err);
}

/* Splits n from p (partial by slow trial division below p) with the given drive and checks the result
   against mf_factor(n, max_divisor). */
static void check_against_reference(mf_split *s, mpz_srcptr n, uint64_t p, uint64_t max_divisor, drive *dr)
{
    mf_factored part, ref;
    mf_factored_init(&part);
    mf_factored_init(&ref);
    if (!make_partial(&part, n, p)) {
        ck_assert_int_eq(mf_split_start(s, &part, p, max_divisor), -1);
    } else {
        drive_split(s, &part, p, max_divisor, dr);
        mf_value v;
        mf_value_init(&v);
        mf_value_set_mpz(&v, n);
        mf_factor(&ref, &v, max_divisor);
        mf_value_clear(&v);
        assert_same(&s->result, &ref);
    }
    mf_factored_clear(&part);
    mf_factored_clear(&ref);
}

/* A partial result with no factor found yet: n = C. */
static void partial_of(mf_factored *part, mpz_srcptr c)
{
    mf_factored_reset(part);
    mf_value_set_mpz(&part->n, c);
    part->complete = false;
    mf_value_set_mpz(&part->cofactor, c);
}

/* n = the product of primes[0..count) (ascending, with repetition); split from p, checked against the
   primes themselves (for numbers whose reference trial division from 3 would take too long). */
static void check_product(mf_split *s, mpz_t *primes, size_t count, uint64_t p, drive *dr)
{
    mpz_t n;
    mpz_init_set_ui(n, 1);
    for (size_t i = 0; i < count; i++)
        mpz_mul(n, n, primes[i]);
    mf_factored part;
    mf_factored_init(&part);
    partial_of(&part, n);
    drive_split(s, &part, p, 0, dr);
    ck_assert(s->result.complete);
    ck_assert_uint_eq(s->result.nfactors, count);
    for (size_t i = 0; i < count; i++) {
        mpz_t f;
        mpz_init(f);
        mf_value_get_mpz(f, &s->result.factors[i]);
        ck_assert_msg(mpz_cmp(f, primes[i]) == 0, "factor %zu differs", i);
        mpz_clear(f);
    }
    char err[256];
    ck_assert_msg(mf_verify(&s->result, err, sizeof err) == 0, "%s", err);
    mf_factored_clear(&part);
    mpz_clear(n);
}

/* A random drive: width and cap from small to large, mostly random report order. */
static drive random_drive(uint64_t root)
{
    drive dr = {0};
    uint64_t kind = mf_test_range(0, 3);
    dr.width = kind == 0 ? mf_test_range(1, 4) : kind == 3 ? mf_test_range(1, 4096) : mf_test_range(1, 64);
    dr.max_outstanding = (size_t)mf_test_range(0, 8);
    /* uncapped, everything up to the limit is issued at once: keep that testable */
    if (dr.max_outstanding == 0 && root / 256 > 4096)
        dr.max_outstanding = 8;
    else if (dr.max_outstanding == 0 && dr.width < root / 256 + 1)
        dr.width = root / 256 + 1;
    uint64_t o = mf_test_range(0, 5);
    dr.order = o == 4 ? ORDER_ASCENDING : o == 5 ? ORDER_DESCENDING : ORDER_RANDOM;
    return dr;
}

/* n *= the next prime at or above a random value in [lo, hi]. */
static void mul_random_prime(mpz_t n, uint64_t lo, uint64_t hi)
{
    mpz_t q;
    mpz_init_set_ui(q, (unsigned long)mf_test_range(lo, hi));
    mpz_nextprime(q, q);
    mpz_mul(n, n, q);
    mpz_clear(q);
}

/* A random number of one of several shapes: uniform, prime powers, semiprimes, products of small primes,
   products of medium primes (>= 2^64), primes. Sized so that no split needs more than ~2^13 candidates. */
static void random_number(mpz_t n, unsigned kind)
{
    mpz_set_ui(n, 1);
    switch (kind) {
    case 0:
        mpz_set_ui(n, (unsigned long)mf_test_range(2, UINT64_C(1) << 28));
        break;
    case 1:
        mpz_ui_pow_ui(n, (unsigned long)(mf_test_range(3, 300) | 1), (unsigned long)mf_test_range(2, 6));
        mpz_mul_ui(n, n, (unsigned long)mf_test_range(1, 4096));
        break;
    case 2:
        mul_random_prime(n, 64, 1 << 14);
        mul_random_prime(n, 64, 1 << 14);
        break;
    case 3:
        for (uint64_t i = mf_test_range(3, 6); i > 0; i--)
            mul_random_prime(n, 10, 3000);
        break;
    case 4:
        for (uint64_t i = mf_test_range(6, 8); i > 0; i--) /* >= 2^66 */
            mul_random_prime(n, 1 << 11, 1 << 13);
        break;
    default:
        mul_random_prime(n, 2, UINT64_C(1) << 26);
        break;
    }
}

/* Splits n with random parameters (start, bound, width, cap, order) and checks it against mf_factor. Returns
   the drive (what it saw). */
static drive check_random_split(mf_split *s, mpz_srcptr n, bool width_one)
{
    mpz_t r;
    mpz_init(r);
    mpz_sqrt(r, n);
    uint64_t root = mpz_cmp_ui(r, 1UL << 40) < 0 ? (uint64_t)mpz_get_ui(r) : UINT64_C(1) << 40;
    mpz_clear(r);
    uint64_t top = root + 4 < (1 << 15) ? root + 4 : (1 << 15);
    uint64_t p = mf_test_range(0, 1) ? 3 : 3 + 2 * mf_test_range(0, top / 2);
    uint64_t max_divisor = 0;
    if (mf_test_range(0, 3) == 0) {
        max_divisor = mf_test_range(2, root + 10);
        uint64_t bound = max_divisor % 2 ? max_divisor : max_divisor - 1;
        if (p > bound + 2)
            p = bound + 2; /* the partial stops where the bound stops mf_factor */
    }
    drive dr = random_drive(root);
    if (width_one) {
        dr.width = 1;
        dr.max_outstanding = (size_t)mf_test_range(1, 8);
    }
    check_against_reference(s, n, p, max_divisor, &dr);
    return dr;
}

START_TEST(random_numbers_against_reference)
{
    mf_split s;
    mf_split_init(&s);
    mpz_t n;
    mpz_init(n);
    size_t early = 0, stopped = 0;
    for (int i = 0; i < 300; i++) {
        random_number(n, (unsigned)mf_test_range(0, 5));
        drive dr = check_random_split(&s, n, false);
        early += dr.early;
        stopped += dr.stopped;
    }
    /* the paths under test were taken: numbers complete before ranges below their factors report, and ranges
       stopped part way report after that */
    ck_assert_uint_ge(early, 10);
    ck_assert_uint_ge(stopped, 10);
    mpz_clear(n);
    mf_split_free(&s);
}
END_TEST

START_TEST(width_one)
{
    mf_split s;
    mf_split_init(&s);
    mpz_t n;
    mpz_init(n);
    for (int i = 0; i < 40; i++) {
        random_number(n, (unsigned)mf_test_range(0, 3));
        check_random_split(&s, n, true);
    }
    mpz_clear(n);
    mf_split_free(&s);
}
END_TEST

/* q^k: the ranges holding q^2, q^3, ... report those composite powers, which then divide nothing. */
START_TEST(repeated_factors_across_ranges)
{
    mf_split s;
    mf_split_init(&s);
    mpz_t n;
    mpz_init(n);
    for (int i = 0; i < 20; i++) {
        /* 2^2 * 3 * 7 * 11^3 * 10007 * 10009 from p = 11: 11, 121 and 1331 in different ranges */
        mpz_set_ui(n, UINT64_C(4) * 3 * 7 * 1331);
        mpz_mul_ui(n, n, UINT64_C(10007) * 10009);
        drive dr = {.width = mf_test_range(1, 40), .max_outstanding = (size_t)mf_test_range(1, 6)};
        check_against_reference(&s, n, 11, 0, &dr);
        ck_assert_uint_ge(dr.composites, 2);
        ck_assert_uint_eq(s.result.nfactors, 9);
        /* 3^13 * 1000003 from p = 3: the powers 9 .. 729 lie below the final limit 999; a range holding
           a smaller power too has divided its copy by that one first */
        mpz_ui_pow_ui(n, 3, 13);
        mpz_mul_ui(n, n, 1000003);
        dr = (drive){.width = mf_test_range(1, 30), .max_outstanding = (size_t)mf_test_range(1, 6)};
        check_against_reference(&s, n, 3, 0, &dr);
        ck_assert_uint_ge(dr.composites, 1);
        ck_assert_uint_eq(s.result.nfactors, 14);
        dr = (drive){.width = 1, .max_outstanding = (size_t)mf_test_range(1, 6)};
        check_against_reference(&s, n, 3, 0, &dr);
        ck_assert_uint_ge(dr.composites, 5);
    }
    mpz_clear(n);
    mf_split_free(&s);
}
END_TEST

START_TEST(prime_cofactors)
{
    mf_split s;
    mf_split_init(&s);
    mpz_t n;
    mpz_init(n);
    for (int i = 0; i < 10; i++) {
        drive dr = {.width = mf_test_range(1, 200), .max_outstanding = (size_t)mf_test_range(1, 8)};
        mpz_set_ui(n, UINT64_C(10007) * 1000003); /* 1000003 is what is left past the limit */
        check_against_reference(&s, n, 3, 0, &dr);
        ck_assert_uint_eq(s.result.nfactors, 2);
        mpz_set_ui(n, 1000003); /* prime itself */
        check_against_reference(&s, n, 3, 0, &dr);
        ck_assert_uint_eq(s.result.nfactors, 1);
        mpz_set_ui(n, 1);
        mul_random_prime(n, UINT64_C(1) << 29, UINT64_C(1) << 30); /* a 30-bit prime, times a small one */
        mpz_mul_ui(n, n, 1009);
        check_against_reference(&s, n, 3 + 2 * mf_test_range(0, 503), 0, &dr);
        ck_assert_uint_eq(s.result.nfactors, 2);
    }
    /* a prime cofactor >= 2^64, pushed as a big value: q just above 2^32, P just above 2^64 (isqrt 2^32) */
    mpz_t primes[2];
    mpz_init_set_ui(primes[0], 1);
    mpz_mul_2exp(primes[0], primes[0], 32);
    mpz_nextprime(primes[0], primes[0]);
    mpz_init_set_ui(primes[1], 1);
    mpz_mul_2exp(primes[1], primes[1], 64);
    mpz_nextprime(primes[1], primes[1]);
    drive dr = {.width = 7, .max_outstanding = 3};
    check_product(&s, primes, 2, (uint64_t)mpz_get_ui(primes[0]) - 200, &dr);
    ck_assert(s.result.factors[1].is_big);
    mpz_clears(primes[0], primes[1], n, NULL);
    mf_split_free(&s);
}
END_TEST

/* A range of C = 11 * 13 * 1009 * 1013 above 13 reports 143 = 11 * 13 (its copy still holds both); merged
   after 11 and 13 are out, it divides nothing. */
START_TEST(composite_candidates)
{
    mf_split s;
    mf_split_init(&s);
    mpz_t n;
    mpz_init_set_ui(n, UINT64_C(11) * 13 * 1009 * 1013);
    for (int i = 0; i < 20; i++) {
        /* width <= 60: the first range ends before 143 */
        drive dr = {.width = mf_test_range(1, 60), .max_outstanding = (size_t)mf_test_range(1, 8)};
        dr.order = i % 3 == 0 ? ORDER_DESCENDING : ORDER_RANDOM;
        check_against_reference(&s, n, 11, 0, &dr);
        ck_assert_uint_ge(dr.composites, 1);
        ck_assert_uint_eq(s.result.nfactors, 4);
    }
    /* 143 at the lo border of the third range [143, 207], reported after everything else in flight */
    drive dr = {.width = 33, .max_outstanding = 4, .order = ORDER_DESCENDING};
    check_against_reference(&s, n, 11, 0, &dr);
    ck_assert_uint_ge(dr.composites, 1);
    ck_assert_uint_ge(dr.at_lo, 2); /* 11 and 143 */
    mpz_clear(n);
    mf_split_free(&s);
}
END_TEST

/* Prime factors placed exactly on range borders (lo and hi), some repeated. */
START_TEST(factors_on_borders)
{
    mf_split s;
    mf_split_init(&s);
    mpz_t n, q;
    mpz_inits(n, q, NULL);
    for (int i = 0; i < 40; i++) {
        uint64_t width = mf_test_range(2, 30), p = 3 + 2 * mf_test_range(0, 50);
        size_t on_lo = 0, on_hi = 0;
        mpz_set_ui(n, 1);
        /* the borders of the first ranges: lo_k = p + 2 width k, hi_k = lo_k + 2 (width - 1) */
        for (uint64_t k = 0; k < 40 && on_lo + on_hi < 6; k++) {
            uint64_t lo = p + 2 * width * k, hi = lo + 2 * (width - 1);
            mpz_set_ui(q, (unsigned long)lo);
            if (mpz_probab_prime_p(q, 30) && on_lo < 3) {
                mpz_mul_ui(n, n, (unsigned long)lo);
                on_lo++;
            }
            mpz_set_ui(q, (unsigned long)hi);
            if (mpz_probab_prime_p(q, 30) && on_hi < 3) {
                mpz_mul_ui(n, n, (unsigned long)hi);
                mpz_mul_ui(n, n, (unsigned long)hi);
                on_hi++;
            }
        }
        mul_random_prime(n, 5000, 6000); /* keeps the limit above the borders until they are merged */
        mul_random_prime(n, 5000, 6000);
        drive dr = {.width = width, .max_outstanding = (size_t)mf_test_range(1, 8)};
        check_against_reference(&s, n, p, 0, &dr);
        ck_assert_uint_ge(dr.at_lo, on_lo);
        ck_assert_uint_ge(dr.at_hi, 2 * on_hi);
    }
    mpz_clears(n, q, NULL);
    mf_split_free(&s);
}
END_TEST

/* The cofactor drops so far that ranges in flight become useless: reported ones are dropped at once,
   outstanding ones when their report arrives (also after the number is done); all count as wasted. */
/* A factor reported while a range below it is still out stops the issue at once: 1009 * 1013 from p = 3 in
   ranges of 10 candidates, [983, 1001] and [1003, 1021] out, the second reports 1009 first; the number ends
   by isqrt(1013) = 31, so nothing more goes out, and the result is complete once [983, 1001] reports. */
START_TEST(reported_factor_stops_the_issue)
{
    mf_split s;
    mf_split_init(&s);
    mf_factored part;
    mf_factored_init(&part);
    mpz_t n;
    mpz_init_set_ui(n, UINT64_C(1009) * 1013); /* isqrt 1010: limit 1009 */
    partial_of(&part, n);
    ck_assert_int_eq(mf_split_start(&s, &part, 983, 0), 0);
    uint64_t lo[2], hi[2], l, h;
    for (int i = 0; i < 2; i++)
        ck_assert(mf_split_next_range(&s, 10, 0, &lo[i], &hi[i]));
    ck_assert_uint_eq(hi[0], 1001);
    ck_assert_uint_eq(hi[1], 1009); /* the limit */
    mf_split_free(&s);
    mf_split_init(&s);
    mpz_set_ui(n, UINT64_C(1009) * 1000003); /* isqrt 31764: ranges go on past 1009 */
    partial_of(&part, n);
    ck_assert_int_eq(mf_split_start(&s, &part, 983, 0), 0);
    for (int i = 0; i < 2; i++)
        ck_assert(mf_split_next_range(&s, 10, 0, &lo[i], &hi[i]));
    ck_assert_uint_eq(lo[1], 1003);
    const uint64_t d[] = {1009};
    ck_assert_int_eq(mf_split_report(&s, lo[1], hi[1], d, 1, 10), 0);
    ck_assert_uint_eq(s.issue_cap, 999); /* odd root of 1000003 */
    ck_assert_uint_eq(mf_split_left(&s), 0);
    ck_assert(!mf_split_next_range(&s, 10, 0, &l, &h));
    ck_assert(!mf_split_done(&s));
    ck_assert_int_eq(mf_split_report(&s, lo[0], hi[0], NULL, 0, 10), 0);
    ck_assert(mf_split_done(&s));
    ck_assert(s.result.complete);
    ck_assert_uint_eq(s.result.nfactors, 2);
    ck_assert_uint_eq(s.result.factors[0].u, 1009);
    ck_assert_uint_eq(s.result.factors[1].u, 1000003);
    ck_assert_uint_eq(s.wasted, 0);
    /* a divisor that no longer divides C' (composite, its primes out already) bounds nothing: 253 = 11 * 23 in
       the third range of 11 * 23 * 1009 * 1013, reported after the first (11 and 23) and before the second */
    mpz_set_ui(n, UINT64_C(11) * 23 * 1009 * 1013);
    partial_of(&part, n);
    ck_assert_int_eq(mf_split_start(&s, &part, 11, 0), 0);
    uint64_t lo3[3], hi3[3];
    for (int i = 0; i < 3; i++)
        ck_assert(mf_split_next_range(&s, 60, 0, &lo3[i], &hi3[i]));
    ck_assert_uint_eq(lo3[2], 251);
    const uint64_t d11[] = {11, 23};
    ck_assert_int_eq(mf_split_report(&s, lo3[0], hi3[0], d11, 2, 60), 0); /* C' = 1009 * 1013 */
    const uint64_t d253[] = {253};
    ck_assert_int_eq(mf_split_report(&s, lo3[2], hi3[2], d253, 1, 60), 0);
    ck_assert(mf_split_next_range(&s, 60, 0, &l, &h)); /* the issue goes on to 1009 */
    ck_assert_uint_eq(l, 371);
    mpz_clear(n);
    mf_factored_clear(&part);
    mf_split_free(&s);
}
END_TEST

/* A number ends when its factors are reported, before the ranges below them: C' has no prime factor below the
   frontier F, so a reported divisor below F^2 is prime, and so is what is left when below F^2. */
START_TEST(complete_before_the_frontier)
{
    mf_split s;
    mf_split_init(&s);
    mf_factored part;
    mf_factored_init(&part);
    mpz_t n;
    /* 1009 * 960017 from 983 in ranges of 10: [1003, 1021] reports 1009 while [983, 1001] is out, after
       [1023, 1041] reported nothing; 960017 < 983^2 is prime: done at once. One rank would have stopped after
       1009: [1023, 1041] was tested in vain, [983, 1001] was not. */
    mpz_init_set_ui(n, UINT64_C(1009) * 960017);
    partial_of(&part, n);
    ck_assert_int_eq(mf_split_start(&s, &part, 983, 0), 0);
    uint64_t lo[3], hi[3], l, h;
    for (int i = 0; i < 3; i++)
        ck_assert(mf_split_next_range(&s, 10, 0, &lo[i], &hi[i]));
    ck_assert_int_eq(mf_split_report(&s, lo[2], hi[2], NULL, 0, 10), 0);
    const uint64_t d[] = {1009};
    ck_assert_int_eq(mf_split_report(&s, lo[1], hi[1], d, 1, 10), 0);
    ck_assert(mf_split_done(&s));
    ck_assert(s.result.complete);
    ck_assert_uint_eq(s.result.nfactors, 2);
    ck_assert_uint_eq(s.result.factors[0].u, 1009);
    ck_assert_uint_eq(s.result.factors[1].u, 960017);
    ck_assert_uint_eq(s.wasted, 10);
    ck_assert(!mf_split_next_range(&s, 10, 0, &l, &h));
    ck_assert_uint_eq(mf_split_outstanding(&s), 1);
    ck_assert_int_eq(mf_split_report(&s, lo[0], hi[0], NULL, 0, 4), 0); /* stopped part way */
    ck_assert_uint_eq(s.wasted, 10);
    ck_assert_uint_eq(s.candidates, 24);
    ck_assert_uint_eq(s.nranges, 0);
    /* what is left may lie below the divisors: 991 * 1009 * 1013 from 983, [1003, 1021] reports 1009 and 1013
       while [983, 1001], which holds 991, is out */
    mpz_set_ui(n, UINT64_C(991) * 1009 * 1013);
    partial_of(&part, n);
    ck_assert_int_eq(mf_split_start(&s, &part, 983, 0), 0);
    for (int i = 0; i < 2; i++)
        ck_assert(mf_split_next_range(&s, 10, 0, &lo[i], &hi[i]));
    const uint64_t d2[] = {1009, 1013};
    ck_assert_int_eq(mf_split_report(&s, lo[1], hi[1], d2, 2, 10), 0);
    ck_assert(mf_split_done(&s));
    ck_assert_uint_eq(s.result.nfactors, 3);
    ck_assert_uint_eq(s.result.factors[0].u, 991);
    ck_assert_uint_eq(s.result.factors[1].u, 1009);
    ck_assert_uint_eq(s.result.factors[2].u, 1013);
    ck_assert_int_eq(mf_split_report(&s, lo[0], hi[0], NULL, 0, 1), 0);
    ck_assert_uint_eq(s.wasted, 0);
    mpz_clear(n);
    mf_factored_clear(&part);
    mf_split_free(&s);
}
END_TEST

START_TEST(useless_ranges_dropped)
{
    mf_split s;
    mf_split_init(&s);
    mf_factored part;
    mf_factored_init(&part);
    mpz_t n;
    mpz_init_set_ui(n, 3 * 5 * 101); /* isqrt 38: limit 37 */
    partial_of(&part, n);
    ck_assert_int_eq(mf_split_start(&s, &part, 3, 0), 0);
    ck_assert_uint_eq(s.limit, 37);
    uint64_t lo[8], hi[8];
    for (int i = 0; i < 8; i++) {
        ck_assert(mf_split_next_range(&s, 2, 8, &lo[i], &hi[i]));
        ck_assert_uint_eq(lo[i], 3 + 4 * (uint64_t)i);
        ck_assert_uint_eq(hi[i], lo[i] + 2);
    }
    uint64_t l, h;
    ck_assert(!mf_split_next_range(&s, 2, 8, &l, &h)); /* capped at 8 outstanding */
    ck_assert_int_eq(mf_split_report(&s, lo[2], hi[2], NULL, 0, 2), 0); /* [11, 13] waits for [3, 5] */
    ck_assert_uint_eq(s.nranges, 8);
    ck_assert_uint_eq(mf_split_outstanding(&s), 7);
    const uint64_t d35[] = {3, 5};
    ck_assert_int_eq(mf_split_report(&s, lo[0], hi[0], d35, 2, 2), 0); /* C' = 101: limit 9 */
    ck_assert_uint_eq(s.limit, 9);
    ck_assert_uint_eq(s.frontier, 7);
    ck_assert(!mf_split_done(&s));
    ck_assert_uint_eq(s.wasted, 2); /* [11, 13] dropped at once */
    ck_assert_uint_eq(s.nranges, 6);
    ck_assert(!mf_split_next_range(&s, 2, 0, &l, &h)); /* nothing left below the limit */
    ck_assert_int_eq(mf_split_report(&s, lo[7], hi[7], NULL, 0, 2), 0); /* beyond the limit */
    ck_assert_uint_eq(s.wasted, 4);
    ck_assert_int_eq(mf_split_report(&s, lo[1], hi[1], NULL, 0, 2), 0); /* [7, 9]: frontier 11 > 9 */
    ck_assert(mf_split_done(&s));
    ck_assert(s.result.complete);
    ck_assert_uint_eq(s.result.nfactors, 3);
    ck_assert_uint_eq(s.result.factors[2].u, 101);
    ck_assert_uint_eq(mf_split_outstanding(&s), 4);
    for (int i = 3; i < 7; i++) /* reports after done */
        ck_assert_int_eq(mf_split_report(&s, lo[i], hi[i], NULL, 0, 2), 0);
    ck_assert_uint_eq(s.wasted, 12);
    ck_assert_uint_eq(s.candidates, 16);
    ck_assert_uint_eq(s.nranges, 0);
    ck_assert_int_eq(mf_split_report(&s, lo[3], hi[3], NULL, 0, 2), -1);
    ck_assert_uint_eq(s.candidates, 16);
    ck_assert(!mf_split_next_range(&s, 2, 0, &l, &h));
    mpz_clear(n);
    mf_factored_clear(&part);
    mf_split_free(&s);
}
END_TEST

START_TEST(unknown_ranges)
{
    mf_split s;
    mf_split_init(&s);
    uint64_t l, h;
    ck_assert(!mf_split_next_range(&s, 10, 0, &l, &h)); /* no number yet */
    ck_assert_int_eq(mf_split_report(&s, 3, 21, NULL, 0, 10), -1);
    mf_factored part;
    mf_factored_init(&part);
    mpz_t n;
    mpz_init_set_ui(n, UINT64_C(1009) * 1013);
    partial_of(&part, n);
    ck_assert_int_eq(mf_split_start(&s, &part, 3, 0), 0);
    ck_assert(mf_split_next_range(&s, 10, 2, &l, &h));
    ck_assert(l == 3 && h == 21);
    ck_assert(mf_split_next_range(&s, 10, 2, &l, &h));
    ck_assert(l == 23 && h == 41);
    ck_assert_int_eq(mf_split_report(&s, 5, 21, NULL, 0, 9), -1);  /* not a range's start */
    ck_assert_int_eq(mf_split_report(&s, 3, 19, NULL, 0, 9), -1);  /* not as issued */
    ck_assert_int_eq(mf_split_report(&s, 43, 61, NULL, 0, 10), -1); /* not issued */
    const uint64_t outside[] = {23}, descending[] = {9, 7};
    ck_assert_int_eq(mf_split_report(&s, 3, 21, outside, 1, 10), -1);
    ck_assert_int_eq(mf_split_report(&s, 3, 21, descending, 2, 10), -1);
    ck_assert_uint_eq(s.candidates, 0);
    ck_assert_uint_eq(mf_split_outstanding(&s), 2);
    ck_assert_int_eq(mf_split_report(&s, 3, 21, NULL, 0, 10), 0);
    ck_assert_int_eq(mf_split_report(&s, 3, 21, NULL, 0, 10), -1);
    ck_assert_uint_eq(s.candidates, 10);
    ck_assert_uint_eq(s.frontier, 23);
    /* starting again drops the ranges in flight and resets the counters */
    ck_assert_int_eq(mf_split_start(&s, &part, 3, 0), 0);
    ck_assert_uint_eq(mf_split_outstanding(&s), 0);
    ck_assert_uint_eq(s.candidates, 0);
    ck_assert_int_eq(mf_split_report(&s, 23, 41, NULL, 0, 10), -1);
    mpz_clear(n);
    mf_factored_clear(&part);
    mf_split_free(&s);
}
END_TEST

START_TEST(start_rejects_inconsistent_arguments)
{
    mf_split s;
    mf_split_init(&s);
    mf_factored part;
    mf_factored_init(&part);
    mpz_t n;
    mpz_init_set_ui(n, 1009);
    partial_of(&part, n);
    ck_assert_int_eq(mf_split_start(&s, &part, 4, 0), -1);
    ck_assert_int_eq(mf_split_start(&s, &part, 1, 0), -1);
    ck_assert_int_eq(mf_split_start(&s, &part, 0, 0), -1);
    mpz_set_ui(n, 1);
    partial_of(&part, n);
    ck_assert_int_eq(mf_split_start(&s, &part, 3, 0), -1);
    mpz_set_ui(n, 0);
    partial_of(&part, n);
    ck_assert_int_eq(mf_split_start(&s, &part, 3, 0), -1);
    mpz_clear(n);
    mf_factored_clear(&part);
    mf_split_free(&s);
}
END_TEST

START_TEST(max_divisor)
{
    mf_split s;
    mf_split_init(&s);
    mpz_t n;
    mpz_init(n);
    const struct {
        uint64_t n, max_divisor;
        bool complete;
    } cases[] = {
        {UINT64_C(1009) * 1013 * 1019, 1000, false}, /* nothing found below the bound */
        {UINT64_C(101) * 1009 * 1013, 500, false},   /* 101, then the bound */
        {UINT64_C(101) * 1009, 200, true},           /* the bound is above the new root */
        {UINT64_C(1009) * 1013, 1009, true},         /* the bound itself is tested */
        {UINT64_C(1009) * 1013, 1010, true},         /* even bound: bound - 1 */
        {UINT64_C(1009) * 1013, 1008, false},
        {UINT64_C(1009) * 1013, 2, false},           /* nothing to test at all */
        {UINT64_C(1019) * 1021, 1017, false},        /* the frontier stops at isqrt(C) = 1019, untested */
        {UINT64_C(1019) * 1021, 1018, false},
        {UINT64_C(1019) * 1021, 1019, true},
    };
    for (int round = 0; round < 5; round++)
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
            mpz_set_ui(n, (unsigned long)cases[i].n);
            drive dr = {.width = mf_test_range(1, 100), .max_outstanding = (size_t)mf_test_range(0, 6)};
            check_against_reference(&s, n, 3, cases[i].max_divisor, &dr);
            ck_assert_msg(s.result.complete == cases[i].complete, "case %zu", i);
        }
    /* 2^128 + 1 = 59649589127497217 * 5704689200685129054721 bounded at 10^5: a big cofactor */
    mpz_ui_pow_ui(n, 2, 128);
    mpz_add_ui(n, n, 1);
    drive dr = {.width = 1000, .max_outstanding = 4};
    check_against_reference(&s, n, 3, 100000, &dr);
    ck_assert(!s.result.complete && s.result.cofactor.is_big);
    ck_assert_uint_eq(s.result.nfactors, 0);
    mpz_clear(n);
    mf_split_free(&s);
}
END_TEST

START_TEST(big_cofactors)
{
    mf_split s;
    mf_split_init(&s);
    mpz_t n;
    mpz_init(n);
    for (int i = 0; i < 2; i++) {
        /* >= 2^64 and >= 2^128: products of 4 and 8 primes in [2^16, 2^17], against mf_factor */
        for (int count = 4; count <= 8; count += 4) {
            mpz_set_ui(n, 1);
            for (int k = 0; k < count; k++)
                mul_random_prime(n, 1 << 16, 1 << 17);
            ck_assert_uint_gt(mpz_sizeinbase(n, 2), count == 4 ? 64 : 128);
            drive dr = {.width = mf_test_range(100, 3000), .max_outstanding = (size_t)mf_test_range(1, 8)};
            check_against_reference(&s, n, 3 + 2 * mf_test_range(0, 2000), 0, &dr);
            ck_assert_uint_eq(s.result.nfactors, (size_t)count);
        }
    }
    /* about 2^208: powers of consecutive primes above 2^26, split from 2^26 + 1 */
    mpz_t primes[8];
    const int power[5] = {2, 1, 3, 1, 1};
    size_t count = 0;
    mpz_t q;
    mpz_init_set_ui(q, UINT64_C(1) << 26);
    for (int k = 0; k < 5; k++) {
        mpz_nextprime(q, q);
        for (int j = 0; j < power[k]; j++)
            mpz_init_set(primes[count++], q);
    }
    for (int round = 0; round < 5; round++) {
        drive dr = {.width = mf_test_range(1, 50), .max_outstanding = (size_t)mf_test_range(1, 8)};
        check_product(&s, primes, count, (UINT64_C(1) << 26) + 1, &dr);
        ck_assert(s.result.n.is_big && mpz_sizeinbase(s.result.n.z, 2) > 200);
    }
    for (size_t k = 0; k < count; k++)
        mpz_clear(primes[k]);
    mpz_clears(q, n, NULL);
    mf_split_free(&s);
}
END_TEST

START_TEST(start_past_the_limit)
{
    mf_split s;
    mf_split_init(&s);
    mf_factored part;
    mf_factored_init(&part);
    mpz_t n;
    mpz_init_set_ui(n, UINT64_C(2) * 3 * 1000003);
    ck_assert(make_partial(&part, n, 1001));
    ck_assert_int_eq(mf_split_start(&s, &part, 1001, 0), 0); /* isqrt(1000003) = 1000 */
    ck_assert(mf_split_done(&s));
    uint64_t l, h;
    ck_assert(!mf_split_next_range(&s, 10, 0, &l, &h));
    ck_assert_uint_eq(mf_split_outstanding(&s), 0);
    drive dr = {.width = 10};
    check_against_reference(&s, n, 1001, 0, &dr); /* 2 3 1000003 */
    ck_assert_uint_eq(dr.issued, 0);
    ck_assert_uint_eq(s.result.nfactors, 3);
    mpz_set_ui(n, UINT64_C(1009) * 1013); /* the bound stops it before anything is issued */
    check_against_reference(&s, n, 1001, 999, &dr);
    ck_assert_uint_eq(dr.issued, 0);
    ck_assert(!s.result.complete);
    mpz_clear(n);
    mf_factored_clear(&part);
    mf_split_free(&s);
}
END_TEST

START_TEST(max_outstanding_respected)
{
    mf_split s;
    mf_split_init(&s);
    mf_factored part;
    mf_factored_init(&part);
    mpz_t n;
    mpz_init_set_ui(n, UINT64_C(1000003) * 1000033);
    partial_of(&part, n);
    ck_assert_int_eq(mf_split_start(&s, &part, 3, 0), 0);
    uint64_t lo[5], hi[5];
    for (int i = 0; i < 3; i++)
        ck_assert(mf_split_next_range(&s, 100, 3, &lo[i], &hi[i]));
    ck_assert(!mf_split_next_range(&s, 100, 3, &lo[3], &hi[3]));
    ck_assert(mf_split_next_range(&s, 100, 4, &lo[3], &hi[3])); /* a larger cap allows one more */
    ck_assert(!mf_split_next_range(&s, 100, 4, &lo[4], &hi[4]));
    ck_assert_int_eq(mf_split_report(&s, lo[1], hi[1], NULL, 0, 100), 0); /* reported, not merged */
    ck_assert_uint_eq(s.frontier, 3);
    ck_assert(mf_split_next_range(&s, 100, 4, &lo[4], &hi[4]));
    ck_assert(!mf_split_next_range(&s, 100, 4, &lo[4], &hi[4]));
    ck_assert_uint_eq(mf_split_outstanding(&s), 4);
    /* the whole run under caps 1 and 3 (the drive asserts the cap after every issue) */
    for (size_t cap = 1; cap <= 3; cap += 2) {
        drive dr = {.width = 5000, .max_outstanding = cap};
        check_against_reference(&s, n, 3, 0, &dr);
        ck_assert_uint_eq(s.result.nfactors, 2);
        if (cap == 1)
            ck_assert_uint_eq(s.wasted, 0); /* one at a time: nothing in flight past the end */
    }
    mpz_clear(n);
    mf_factored_clear(&part);
    mf_split_free(&s);
}
END_TEST

Suite *split_suite(void)
{
    Suite *s = suite_create("split");
    TCase *tc = tcase_create("split");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, random_numbers_against_reference);
    tcase_add_test(tc, width_one);
    tcase_add_test(tc, repeated_factors_across_ranges);
    tcase_add_test(tc, prime_cofactors);
    tcase_add_test(tc, composite_candidates);
    tcase_add_test(tc, factors_on_borders);
    tcase_add_test(tc, reported_factor_stops_the_issue);
    tcase_add_test(tc, complete_before_the_frontier);
    tcase_add_test(tc, useless_ranges_dropped);
    tcase_add_test(tc, unknown_ranges);
    tcase_add_test(tc, start_rejects_inconsistent_arguments);
    tcase_add_test(tc, max_divisor);
    tcase_add_test(tc, big_cofactors);
    tcase_add_test(tc, start_past_the_limit);
    tcase_add_test(tc, max_outstanding_respected);
    suite_add_tcase(s, tc);
    return s;
}
