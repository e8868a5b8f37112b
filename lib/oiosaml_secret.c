
/*
 * Secrets from files (the cookie secret): is this one plausibly random?
 *
 * No test can prove entropy; this one catches the obvious mistakes: few
 * distinct bytes ("aaaa..."), a short pattern repeated ("passwordpass
 * word..."), or an estimate of the entropy clearly below the 128 bits
 * that the keys derived from it should have.  The estimate is the
 * Shannon entropy of the byte counts times the length (over one period
 * when the secret repeats).  It undercounts short random strings, as n
 * bytes can show at most log2(n) bits a byte: 32 random bytes estimate
 * about 150 bits (at worst about 140), `openssl rand -hex 32` about 240,
 * `openssl rand -base64 32` about 200, and even 32 random hex digits
 * (128 bits) about 115 (at worst about 90).  Hence the bar at 80 bits.
 */


#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "oiosaml_internal.h"


#define OIOSAML_SECRET_MIN_DISTINCT     8
#define OIOSAML_SECRET_MIN_PERIOD       OIOSAML_MIN_SECRET
#define OIOSAML_SECRET_MIN_BITS         80

/* fraction bits of oiosaml_log2()'s fixed-point result */
#define OIOSAML_LOG2_FRAC               16


static size_t oiosaml_secret_period(const unsigned char *s, size_t len);
static uint64_t oiosaml_secret_bits(const unsigned char *s, size_t len);
static uint64_t oiosaml_log2(uint64_t x);


int
oiosaml_secret_weak(const unsigned char *s, size_t len, char *why,
    size_t size)
{
    size_t         i, distinct, period, n;
    uint64_t       bits;
    unsigned char  seen[256];

    memset(seen, 0, sizeof(seen));
    distinct = 0;

    for (i = 0; i < len; i++) {
        if (!seen[s[i]]) {
            seen[s[i]] = 1;
            distinct++;
        }
    }

    OPENSSL_cleanse(seen, sizeof(seen));

    if (distinct < OIOSAML_SECRET_MIN_DISTINCT) {
        snprintf(why, size, "it holds only %zu distinct byte value%s (at "
                 "least %d are needed)", distinct, distinct == 1 ? "" : "s",
                 OIOSAML_SECRET_MIN_DISTINCT);
        return 1;
    }

    period = oiosaml_secret_period(s, len);

    if (period <= len / 2 && period < OIOSAML_SECRET_MIN_PERIOD) {
        snprintf(why, size, "it repeats a pattern of %zu bytes", period);
        return 1;
    }

    n = (period <= len / 2) ? period : len;
    bits = oiosaml_secret_bits(s, n);

    if (bits < OIOSAML_SECRET_MIN_BITS) {
        snprintf(why, size, "its bytes carry an estimated %llu bits of "
                 "entropy%s, far below the 128 it should have (at least "
                 "%d are needed)", (unsigned long long) bits,
                 n < len ? " (it repeats)" : "", OIOSAML_SECRET_MIN_BITS);
        return 1;
    }

    return 0;
}


int
oiosaml_secret_text(const unsigned char *s, size_t len)
{
    size_t  i;

    for (i = 0; i < len; i++) {
        if ((s[i] < 0x20 || s[i] > 0x7e)
            && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
        {
            return 0;
        }
    }

    return 1;
}


/*
 * The smallest p with s[i] == s[i - p] for every i >= p (len when none
 * is smaller), from the prefix function.
 */
static size_t
oiosaml_secret_period(const unsigned char *s, size_t len)
{
    size_t    i, k, period;
    uint16_t  pi[OIOSAML_MAX_SECRET_FILE];

    if (len == 0 || len > OIOSAML_MAX_SECRET_FILE) {
        return len;
    }

    pi[0] = 0;
    k = 0;

    for (i = 1; i < len; i++) {
        while (k > 0 && s[i] != s[k]) {
            k = pi[k - 1];
        }

        if (s[i] == s[k]) {
            k++;
        }

        pi[i] = (uint16_t) k;
    }

    period = len - pi[len - 1];
    OPENSSL_cleanse(pi, len * sizeof(pi[0]));

    return period;
}


/* len times the Shannon entropy of the byte counts, in whole bits */
static uint64_t
oiosaml_secret_bits(const unsigned char *s, size_t len)
{
    size_t    i, count[256];
    uint64_t  all, parts;

    memset(count, 0, sizeof(count));

    for (i = 0; i < len; i++) {
        count[s[i]]++;
    }

    /* n log2 n - sum c log2 c */
    all = (uint64_t) len * oiosaml_log2(len);
    parts = 0;

    for (i = 0; i < 256; i++) {
        if (count[i] > 0) {
            parts += (uint64_t) count[i] * oiosaml_log2(count[i]);
        }
    }

    OPENSSL_cleanse(count, sizeof(count));

    if (all < parts) {
        return 0;
    }

    return (all - parts) >> OIOSAML_LOG2_FRAC;
}


/* log2(x) in fixed point (OIOSAML_LOG2_FRAC bits), rounded down; x >= 1 */
static uint64_t
oiosaml_log2(uint64_t x)
{
    int       i;
    uint64_t  ip, m, r;

    if (x == 0) {
        return 0;
    }

    for (ip = 0; (x >> (ip + 1)) != 0; ip++) {
        /* void */
    }

    /* the mantissa x / 2^ip, in [1, 2), with 30 fraction bits */
    m = (ip <= 30) ? x << (30 - ip) : x >> (ip - 30);
    r = ip << OIOSAML_LOG2_FRAC;

    for (i = OIOSAML_LOG2_FRAC - 1; i >= 0; i--) {
        m = (m * m) >> 30;

        if (m >= ((uint64_t) 2 << 30)) {
            m >>= 1;
            r |= (uint64_t) 1 << i;
        }
    }

    return r;
}
