
/*
 * Shared set-up of the fuzz targets and of the corpus generator: the test
 * keys (build/test-certs, or $OIOSAML_TEST_CERTS), a fixed clock, an SP
 * configured like the unit tests' one, and a bounded replay store.
 * Nothing here needs cmocka: failures of the set-up abort().
 */


#ifndef _FUZZ_SUPPORT_H_INCLUDED_
#define _FUZZ_SUPPORT_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <oiosaml.h>


#define FZ_SP           "https://sp.test/"
#define FZ_BASE         "https://sp.test/saml/"
#define FZ_ACS          FZ_BASE "acs"
#define FZ_SLS          FZ_BASE "sls"
#define FZ_IDP          "https://idp.test/"

/* the pending login's AuthnRequest ID, RelayState handle and nonce */
#define FZ_REQ_ID       "_00112233445566778899aabbccddeeff00112233"
#define FZ_RELAY        "RelayRelayRelayRelay01"
#define FZ_NONCE        "fuzz-nonce-0123456789"

/* the sealing purposes of lib/oiosaml_seal.c and lib/oiosaml_choice.c */
#define FZ_PURPOSE_PENDING  "pending " FZ_RELAY
#define FZ_PURPOSE_CHOICE   "choice"
#define FZ_PURPOSE_CSRF     "csrf"

/* lifetime of the remember-my-choice cookie in the fuzz targets */
#define FZ_CHOICE_LIFETIME  (400 * 86400)


/* prints the message and aborts: a set-up failure or a broken invariant */
void fz_die(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2), noreturn))
#endif
    ;

#define fz_assert(e)                                                         \
    do {                                                                     \
        if (!(e)) {                                                          \
            fz_die("%s:%d: invariant broken: %s", __FILE__, __LINE__, #e);   \
        }                                                                    \
    } while (0)


/* the path of a test key or certificate; four rotating static buffers */
const char *fz_cert(const char *name);

/*
 * The fixed "now" of every target: one hour after the latest notBefore of
 * the test certificates, so that they are all valid (the same rule as the
 * unit tests' t_now()).  Computed once.
 */
time_t fz_now(void);

/* oiosaml_global_init(), or abort */
void fz_init(void);

/* IdP metadata for entity_id and one certificate file; malloc'd */
char *fz_idp_metadata(const char *entity_id, const char *cert_file,
    size_t *len);

/*
 * An SP (FZ_SP, FZ_BASE) with sp.key, cookie.key and one IdP "test"
 * (FZ_IDP, idp.crt); conf may set the IdP's options (its id and metadata
 * are ours), unsolicited turns on IdP-initiated login.
 */
oiosaml_sp_t *fz_sp(const oiosaml_idp_conf_t *conf, int unsolicited);

/* the pending login: FZ_REQ_ID at IdP "test", created at fz_now() */
void fz_pending(oiosaml_pending_t *pending);


/* the replay store: a fixed table, emptied before each input */
#define FZ_REPLAY_MAX   8

typedef struct {
    char    *keys[FZ_REPLAY_MAX];
    size_t   n;
} fz_replay_t;

int fz_replay(void *data, const unsigned char *id, size_t len,
    time_t expires);
void fz_replay_reset(fz_replay_t *replay);


/*
 * With FUZZ_VERBOSE=1 in the environment, prints what a call answered
 * (to check what the seeds reach); silent otherwise.
 */
void fz_report(const char *what, oiosaml_status_t rc,
    const oiosaml_err_t *err);


/* reads a whole file; malloc'd, NUL-terminated; NULL on failure */
unsigned char *fz_read_file(const char *path, size_t *len);


#endif /* _FUZZ_SUPPORT_H_INCLUDED_ */
