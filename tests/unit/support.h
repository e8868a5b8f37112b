
/*
 * Shared helpers for the unit tests: paths to the test keys, a fixed
 * clock, and an SP configured like the integration tests' one.
 */


#ifndef _SUPPORT_H_INCLUDED_
#define _SUPPORT_H_INCLUDED_


#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <oiosaml.h>

#include <libxml/tree.h>

#include "testidp.h"


/* 2026-11-22T10:00:00Z: the tests' "now" */
#define T_NOW           ((time_t) 1795341600)
#define T_SP            "https://sp.test/"
#define T_BASE          "https://sp.test/saml/"
#define T_ACS           "https://sp.test/saml/acs"
#define T_IDP           "https://idp.test/"


/* the path of a test key or certificate (build/test-certs) */
const char *t_cert(const char *name);

/* a scratch file in build/tmp with this content; the path is static */
const char *t_file(const char *name, const char *content);

/*
 * writes IdP metadata for the given certificates (NULL-terminated): names
 * in the test certificate directory, or paths (with a '/')
 */
const char *t_idp_metadata(const char *name, const char *entity_id,
    const char *cert, ...);

/* an SP with sp.key, one IdP "test" (idp.crt) and the cookie secret */
oiosaml_sp_t *t_sp(const oiosaml_idp_conf_t *idp_conf);

/* an SP with IdPs "test" (T_IDP) and "other" (https://other.test/) */
oiosaml_sp_t *t_sp_two_idps(void);

void t_init(void);


/*
 * A fixed clock at which every test certificate is valid: one hour after
 * the latest notBefore of the test certificates (T_NOW may precede them,
 * as certs/make-certs.sh makes them valid from the moment it runs).
 */
time_t t_now(void);

/* the AuthnRequest ID of the tests' pending login */
#define T_REQ_ID        "_00112233445566778899aabbccddeeff00112233"

/* a pending login (T_REQ_ID at IdP "test", created at t_now()) */
void t_pending(oiosaml_pending_t *pending);

/*
 * The test IdP of tests/idp with entityID T_IDP, signing with "key"
 * (NULL: idp; "idp-next", "idp-wrong", ...) and key=wrong signing with
 * idp-wrong, encrypting to sp.crt (encrypt_to=wrong: idp-wrong.crt), SLO
 * to T_BASE "sls".  users: users file text, NULL for t_users().
 */
testidp_t *t_testidp(const char *key, const char *users);

/* the default users: "alice" (OIOSAML 3 names), "bob" (OIOSAML 2) */
const char *t_users(void);

/* testidp_knobs_init() with encryption off (the tests ask for it) */
void t_knobs(testidp_knobs_t *knobs);

/* the Response for "user" answering T_REQ_ID, built at "now" */
char *t_response_xml(const testidp_t *idp, const char *user,
    const testidp_knobs_t *knobs, time_t now, size_t *len);
/* the same, base64 as in the POST form */
char *t_response(const testidp_t *idp, const char *user,
    const testidp_knobs_t *knobs, time_t now);
/* the same, parsed, to change it with libxml2 */
xmlDocPtr t_response_doc(const testidp_t *idp, const char *user,
    const testidp_knobs_t *knobs, time_t now);

char *t_b64(const void *data, size_t len);
xmlDocPtr t_parse(const char *xml, size_t len);
/* serializes doc and encodes it in base64 */
char *t_doc_b64(xmlDocPtr doc);

/* signs node (which has an ID) with the test IdP's key, after Issuer */
void t_sign(const testidp_t *idp, xmlNodePtr node, int sha1);

/* the first element (depth first, node itself included) with this name */
xmlNodePtr t_find(xmlNodePtr node, const char *ns, const char *name);

/* the replay store of the tests: an in-memory set */
#define T_REPLAY_MAX    32

typedef struct {
    char     *keys[T_REPLAY_MAX];
    time_t    expires[T_REPLAY_MAX];
    size_t    n;
    int       broken;       /* answer -1: cannot record */
} t_replay_t;

int t_replay(void *data, const unsigned char *id, size_t len,
    time_t expires);
void t_replay_clear(t_replay_t *replay);

/* oiosaml_response_verify() of a base64 response */
oiosaml_status_t t_verify(const oiosaml_sp_t *sp, const char *b64,
    const oiosaml_pending_t *pending, time_t now, t_replay_t *replay,
    oiosaml_identity_t **identity, oiosaml_err_t *err);

/* the identity of a verified login of "user" of t_users() at sp */
oiosaml_identity_t *t_login(const oiosaml_sp_t *sp, const char *user);

/*
 * Verifies with a fresh replay store and checks the status (and that
 * err.text holds "text").  An acceptance records one ID and returns an
 * identity; a refusal records nothing and returns none.
 */
void t_expect(const oiosaml_sp_t *sp, const char *b64,
    const oiosaml_pending_t *pending, time_t at, oiosaml_status_t want,
    const char *text);

/*
 * Checks the HTTP-Redirect signature of one of our URLs with OpenSSL:
 * SigAlg is rsa-sha256 and Signature verifies over the query up to it
 * with the certificate.  1: verifies, 0: does not.
 */
int t_url_verifies(const char *url, const char *cert);

/*
 * Writes a new key and a self-signed certificate (valid for a year from
 * t_now() - 1 day) to build/tmp/NAME.key and NAME.crt.  type: "rsa1024",
 * "rsa2048", "ec" (P-256), "ec-CURVE" (an OpenSSL curve name, e.g.
 * "ec-secp112r1") or "ed25519"; pass: encrypts the key (AES-256).
 * Returns the key path; the certificate path is the same with ".crt".
 */
const char *t_genkey(const char *name, const char *type, const char *pass);


/* ---- for the attack tests (test_oiosaml_attacks*.c) ------------------ */

/* an SP like t_sp(NULL) whose IdP's signed= policy is "where" */
oiosaml_sp_t *t_sp_signed(oiosaml_signed_t where);

/*
 * IdPs "test" (T_IDP, idp.crt) and "other" (T_OTHER, idp-wrong.crt), each
 * with its own key; IdP-initiated login allowed, so that without a
 * pending login the Issuer names the IdP.
 */
#define T_OTHER         "https://other.test/"

oiosaml_sp_t *t_sp_two_keys(void);

/*
 * An SP like t_sp(NULL) with two keys, as during a rollover: sp.key
 * (active) and sp-next.key (signing from t_now() + 1 day); both decrypt.
 */
oiosaml_sp_t *t_sp_rollover(void);

/*
 * A ds:KeyInfo (with its namespace) that names the certificate in the
 * PEM file cert, as an EncryptedKey carries it: form "cert" (an
 * X509Certificate), "issuer-serial" (X509IssuerSerial, the issuer as
 * RFC 2253) or "ski" (X509SKI).  The caller frees it.
 */
char *t_key_info(const char *cert, const char *form);

/* t_find() that must find */
xmlNodePtr t_need(xmlNodePtr from, const char *ns, const char *name);

/* unlinks and frees a node */
void t_drop(xmlNodePtr node);

/*
 * For the attack tests: a response of the test IdP at t_now() signed as
 * sign; its Assertion; a node's ds:Signature child; that signature
 * removed; the NameID changed to T_EVIL; a new samlp:Extensions after
 * the Issuer and a new samlp:StatusDetail in the Status.
 */
#define T_EVIL          "admin"

xmlDocPtr t_signed_doc(const testidp_t *idp, testidp_sign_t sign);
xmlNodePtr t_assertion_of(xmlDocPtr doc);
xmlNodePtr t_signature_of(xmlNodePtr node);
void t_unsign(xmlNodePtr node);
void t_evil_edit(xmlNodePtr assertion);
xmlNodePtr t_extensions(xmlDocPtr doc);
xmlNodePtr t_status_detail(xmlDocPtr doc);

/* t_expect() and t_expect_user() at t_now() on a document; free it */
void t_refused_doc(const oiosaml_sp_t *sp, xmlDocPtr doc,
    const oiosaml_pending_t *pending, oiosaml_status_t want,
    const char *text);
void t_expect_user_doc(const oiosaml_sp_t *sp, xmlDocPtr doc,
    const oiosaml_pending_t *pending, const char *user);

/* parses a fragment in the context of parent and appends it */
xmlNodePtr t_add_xml(xmlNodePtr parent, const char *fmt, ...)
#ifdef __GNUC__
    __attribute__ ((format (printf, 2, 3)))
#endif
    ;

/*
 * NO-FETCH: a listening socket on 127.0.0.1 (its port in *port) that
 * nothing may connect to; t_canary_silent() fails the test if anything
 * did, and closes it.  The library works synchronously, so an attempt
 * waits in the backlog until it is looked at.
 */
int t_canary_open(int *port);
void t_canary_silent(int fd);

/* verifies; fails unless accepted with exactly this user (NameID) */
void t_expect_user(const oiosaml_sp_t *sp, const char *b64,
    const oiosaml_pending_t *pending, time_t at, const char *user);


#endif /* _SUPPORT_H_INCLUDED_ */
