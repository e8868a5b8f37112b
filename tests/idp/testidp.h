
/*
 * The test IdP: an OIOSAML 2/3 identity provider for the integration tests
 * and the demo.  Nothing here includes or links the SP library in lib/:
 * the IdP is an independent implementation built on libxml2, xmlsec,
 * OpenSSL and zlib only, so that both sides do not share a bug.
 *
 * Nothing in the testidp_*.c files knows about nginx; the nginx glue is
 * ngx_http_oiosaml_testidp_module.c.  All strings are NUL-terminated and
 * malloc()ed unless said otherwise; functions that can fail return 0 on
 * success and -1 with a one-line reason in a testidp_err_t.
 */


#ifndef TESTIDP_H_INCLUDED
#define TESTIDP_H_INCLUDED


#include <stddef.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <libxml/tree.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/keys.h>


#define TESTIDP_ERR_LEN         256

/* the largest inflated SAML message accepted */
#define TESTIDP_INFLATE_MAX     (256 * 1024)

#define TESTIDP_NS_SAMLP        "urn:oasis:names:tc:SAML:2.0:protocol"
#define TESTIDP_NS_SAML         "urn:oasis:names:tc:SAML:2.0:assertion"
#define TESTIDP_NS_MD           "urn:oasis:names:tc:SAML:2.0:metadata"
#define TESTIDP_NS_DS           "http://www.w3.org/2000/09/xmldsig#"
#define TESTIDP_NS_XENC         "http://www.w3.org/2001/04/xmlenc#"
#define TESTIDP_NS_XENC11       "http://www.w3.org/2009/xmlenc11#"

#define TESTIDP_STATUS_PREFIX   "urn:oasis:names:tc:SAML:2.0:status:"
#define TESTIDP_STATUS_SUCCESS  TESTIDP_STATUS_PREFIX "Success"
#define TESTIDP_BINDING_REDIRECT                                              \
    "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
#define TESTIDP_SIGALG_RSA_SHA256                                             \
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
#define TESTIDP_SIGALG_RSA_SHA1 "http://www.w3.org/2000/09/xmldsig#rsa-sha1"
#define TESTIDP_CLASSREF_PPT                                                  \
    "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"
#define TESTIDP_ATTR_NSIS_LOA   "https://data.gov.dk/concept/core/nsis/loa"
#define TESTIDP_ATTR_NIST_LOA   "dk:gov:saml:attribute:AssuranceLevel"

/* levels on one scale, as the NIST numbers: NSIS Low is 2 */
#define TESTIDP_LEVEL_LOW           2
#define TESTIDP_LEVEL_SUBSTANTIAL   3
#define TESTIDP_LEVEL_HIGH          4


typedef struct {
    char  msg[TESTIDP_ERR_LEN];
} testidp_err_t;


/* ---- small helpers (testidp_util.c) ---------------------------------- */

/* formats err and returns -1; err may be NULL */
int testidp_err(testidp_err_t *err, const char *fmt, ...)
#ifdef __GNUC__
    __attribute__ ((format (printf, 2, 3)))
#endif
    ;

char *testidp_strndup(const char *s, size_t len);
char *testidp_strdup(const char *s);

/* a growable string; after a failed append "failed" is set and stays */
typedef struct {
    char    *data;
    size_t   len;
    size_t   cap;
    int      failed;
} testidp_str_t;

void testidp_str_add(testidp_str_t *s, const char *p, size_t len);
void testidp_str_cat(testidp_str_t *s, const char *p);
void testidp_str_printf(testidp_str_t *s, const char *fmt, ...)
#ifdef __GNUC__
    __attribute__ ((format (printf, 2, 3)))
#endif
    ;
/* appends text with & < > " ' escaped */
void testidp_str_html(testidp_str_t *s, const char *text);
/* returns the string (caller frees) or NULL after any failure */
char *testidp_str_done(testidp_str_t *s, size_t *len);

/* "_" + 40 hex digits from RAND_bytes into id[42] */
int testidp_random_id(char *id, testidp_err_t *err);
/* xs:dateTime in UTC, "YYYY-MM-DDTHH:MM:SSZ" (ms: "...:SS.000Z") */
int testidp_time_format(time_t t, int ms, char *buf, size_t size);

char *testidp_b64_encode(const unsigned char *data, size_t len);
unsigned char *testidp_b64_decode(const char *text, size_t len,
    size_t *out_len);

/* %XX and '+' decoding; the result is NUL-terminated */
char *testidp_url_decode(const char *s, size_t len, size_t *out_len);
/* percent-encodes everything but ALPHA / DIGIT / "-" / "." / "_" / "~" */
char *testidp_url_encode(const char *s, size_t len);


/* ---- libxml2 tree helpers (testidp_xml.c) ---------------------------- */

/* a new child element with optional text (escaped), or NULL */
xmlNodePtr testidp_xml_child(xmlNodePtr parent, xmlNsPtr ns,
    const char *name, const char *text);
/* sets an attribute without namespace; -1 on failure */
int testidp_xml_prop(xmlNodePtr node, const char *name, const char *value);
/* sets the attribute "ID" and registers it as an XML ID */
int testidp_xml_id(xmlNodePtr node, const char *id);
/* the first element child of node with this local name, or NULL */
xmlNodePtr testidp_xml_find(xmlNodePtr node, const char *name);
/* serializes a document as UTF-8 with an XML declaration */
int testidp_xml_dump(xmlDocPtr doc, char **xml, size_t *len,
    testidp_err_t *err);


/* ---- process-wide initialisation (testidp_keys.c) -------------------- */

/*
 * Initialises libxml2 and xmlsec with its OpenSSL backend once per
 * process, through lasso_init() (as the SP module does), unless xmlsec's
 * crypto is already there.
 */
int testidp_global_init(testidp_err_t *err);


/* ---- keys (testidp_keys.c) ------------------------------------------- */

/* a private key and its certificate */
typedef struct {
    EVP_PKEY      *pkey;
    X509          *cert;
    xmlSecKeyPtr   xkey;        /* key + certificate, for xmlsec */
    char          *cert_b64;    /* DER, base64, one line */
} testidp_signer_t;

int testidp_signer_load(const char *key_file, const char *cert_file,
    testidp_signer_t **signer, testidp_err_t *err);
void testidp_signer_free(testidp_signer_t *signer);

/* a certificate only: a peer's public key */
typedef struct {
    EVP_PKEY      *pkey;
    X509          *cert;
    xmlSecKeyPtr   xkey;        /* public key, for xmlsec encryption */
} testidp_peer_t;

int testidp_peer_load(const char *cert_file, testidp_peer_t **peer,
    testidp_err_t *err);
void testidp_peer_free(testidp_peer_t *peer);


/* ---- users (testidp_users.c) ----------------------------------------- */

typedef struct {
    char     *name;
    char    **values;
    size_t    nvalues;
} testidp_attr_t;

typedef struct {
    char            *id;            /* the [section] name */
    char            *description;
    char            *nameid;
    char            *nameid_format;
    testidp_attr_t  *attrs;
    size_t           nattrs;

    /* "group" and "constraint" lines: an OIOBPP list, built at load */
    char            *bpp;           /* the PrivilegeGroup elements */
    int              bpp_open;      /* a group is open */
    char            *bpp_ns;        /* "1.1" or "1.2" (the default) */
    char            *bpp_attr;      /* the attribute that carries it */

    /* what a persona renders in its own attribute names */
    char            *uuid;
    char            *cvr;
    char            *name;
    char            *email;
    char            *org;
    char            *rid;
    char            *authority;     /* AuthenticatingAuthority */
    int              nameid_explicit;
    unsigned         levels;        /* bit n: level n (Low = 2 ...) */
} testidp_user_t;

typedef struct {
    testidp_user_t  *users;
    size_t           nusers;
} testidp_users_t;

int testidp_users_load(const char *path, testidp_users_t **users,
    testidp_err_t *err);
int testidp_users_parse(const char *text, size_t len, const char *name,
    testidp_users_t **users, testidp_err_t *err);
void testidp_users_free(testidp_users_t *users);
const testidp_user_t *testidp_users_find(const testidp_users_t *users,
    const char *id);
const testidp_user_t *testidp_users_find_nameid(
    const testidp_users_t *users, const char *nameid);
/* the first value of an attribute, or NULL */
const char *testidp_user_attr(const testidp_user_t *user, const char *name);
/* adds a value to an attribute of the user (new or existing); -1: memory */
int testidp_user_attr_add(testidp_user_t *user, const char *name,
    const char *value);
/* the user's groups as a base64 PrivilegeList (BPP 1.1 or 1.2 namespace),
 * or NULL without groups or memory */
char *testidp_user_privileges(const testidp_user_t *user, int bpp11);
/* frees what a user holds, not the user itself */
void testidp_user_clear(testidp_user_t *user);
/* the user's highest level, and whether the user can log in at one */
int testidp_user_max_level(const testidp_user_t *user);
int testidp_user_has_level(const testidp_user_t *user, int level);
/* "Low", "Substantial", "High" for 1..4; NULL for others */
const char *testidp_level_nsis(int level);
/* "Low"/"Substantial"/"High", "nist1".."nist4" or "1".."4": 1..4, or 0 */
int testidp_level_parse(const char *s);


/* ---- the IdP (testidp_idp.c) ----------------------------------------- */

typedef enum {
    TESTIDP_PROFILE_OIOSAML3 = 0,
    TESTIDP_PROFILE_OIOSAML2,
    TESTIDP_PROFILE_ADFS
} testidp_profile_t;

int testidp_profile_parse(const char *s, testidp_profile_t *profile);
const char *testidp_profile_name(testidp_profile_t profile);


/* file names are used as given (the caller makes them absolute) */
typedef struct {
    const char         *entity_id;      /* required */
    const char         *key_file;       /* required */
    const char         *cert_file;      /* required */
    const char         *users_file;     /* required */
    const char         *sp_cert_file;   /* required */
    const char         *wrong_key_file;
    const char         *wrong_cert_file;
    const char         *encrypt_cert_file;
    const char         *sp_sls;
    const char         *base_url;       /* enables the metadata */
    const char         *next_key_file;  /* the key of a rotation */
    const char         *next_cert_file;
    testidp_profile_t   profile;
    const struct testidp_persona_s  *persona;  /* or NULL */
} testidp_conf_t;

typedef struct {
    char               *entity_id;
    char               *sp_sls;         /* or NULL */
    char               *base_url;       /* or NULL */
    testidp_profile_t   profile;
    testidp_users_t    *users;
    testidp_signer_t   *signer;
    testidp_signer_t   *wrong;          /* or NULL */
    testidp_peer_t     *sp;
    testidp_peer_t     *encrypt;        /* or NULL */
    testidp_peer_t     *encrypt_wrong;  /* wrong_cert as a peer, or NULL */
    testidp_signer_t   *next;           /* next_key=, or NULL */
    const struct testidp_persona_s  *persona;  /* or NULL */
    char               *metadata;       /* or NULL without base_url */
    size_t              metadata_len;
} testidp_t;

int testidp_new(const testidp_conf_t *conf, testidp_t **idp,
    testidp_err_t *err);
void testidp_free(testidp_t *idp);

/* ---- incoming requests (testidp_request.c, testidp_redirect.c) ------- */

typedef struct {
    char     *id;
    char     *issuer;
    char     *acs_url;          /* AuthnRequest */
    char     *destination;
    char     *comparison;       /* RequestedAuthnContext, or NULL */
    char    **classrefs;
    size_t    nclassrefs;
    char     *nameid;           /* LogoutRequest */
    char     *session_index;    /* LogoutRequest, or NULL */
    char     *saml_request;     /* the base64 value as received */
    char     *relay_state;      /* decoded, or NULL */
} testidp_request_t;

#define TESTIDP_AUTHN_REQUEST   "AuthnRequest"
#define TESTIDP_LOGOUT_REQUEST  "LogoutRequest"

/*
 * The raw (still URL-encoded) value of a query parameter, or NULL.
 */
const char *testidp_query_param(const char *query, size_t len,
    const char *name, size_t *value_len);
/* the same, URL-decoded and malloc()ed */
char *testidp_query_get(const char *query, size_t len, const char *name);

/*
 * HTTP-Redirect binding: checks the rsa-sha256 query signature with the
 * SP's certificate, inflates and parses the message, whose root element
 * must be "root" (TESTIDP_AUTHN_REQUEST or TESTIDP_LOGOUT_REQUEST).
 */
int testidp_redirect_receive(const testidp_t *idp, const char *query,
    size_t len, const char *root, testidp_request_t **req,
    testidp_err_t *err);

/*
 * Builds dest?param=...&RelayState=...&SigAlg=...&Signature=... with the
 * deflated message and an rsa-sha256 signature by the IdP key.
 */
int testidp_redirect_url(const testidp_t *idp, const char *dest,
    const char *param, const char *xml, size_t xml_len, const char *relay,
    char **url, testidp_err_t *err);

/* raw DEFLATE with a cap on the output */
int testidp_inflate(const unsigned char *in, size_t len, size_t max,
    unsigned char **out, size_t *out_len, testidp_err_t *err);
int testidp_deflate(const unsigned char *in, size_t len,
    unsigned char **out, size_t *out_len, testidp_err_t *err);

/* base64 of deflated XML (as in the login form) -> request, unverified */
int testidp_request_decode(const char *b64, size_t len, const char *root,
    testidp_request_t **req, testidp_err_t *err);
/* parses the XML of a request */
int testidp_request_parse(const char *xml, size_t len, const char *root,
    testidp_request_t **req, testidp_err_t *err);
void testidp_request_free(testidp_request_t *req);


/* ---- form fields and test knobs (testidp_form.c) --------------------- */

typedef struct {
    char  *name;
    char  *value;
} testidp_pair_t;

typedef struct {
    testidp_pair_t  *pairs;
    size_t           npairs;
} testidp_form_t;

/* application/x-www-form-urlencoded (or a query string) */
int testidp_form_parse(const char *body, size_t len, testidp_form_t **form,
    testidp_err_t *err);
/* the first value of a field, or NULL */
const char *testidp_form_get(const testidp_form_t *form, const char *name);
void testidp_form_free(testidp_form_t *form);

typedef enum {
    TESTIDP_SIGN_ASSERTION = 0,
    TESTIDP_SIGN_RESPONSE,
    TESTIDP_SIGN_BOTH,
    TESTIDP_SIGN_NONE
} testidp_sign_t;

typedef enum {
    TESTIDP_ENC_DEFAULT = 0,    /* aes256-gcm with encrypt_cert, or none */
    TESTIDP_ENC_NONE,
    TESTIDP_ENC_AES128_GCM,
    TESTIDP_ENC_AES256_GCM,
    TESTIDP_ENC_AES128_CBC,
    TESTIDP_ENC_AES256_CBC
} testidp_enc_t;

typedef enum {
    TESTIDP_KT_OAEP = 0,        /* xmlenc#rsa-oaep-mgf1p, SHA-1 */
    TESTIDP_KT_OAEP11,          /* xmlenc11#rsa-oaep, SHA-256, MGF1-SHA256 */
    TESTIDP_KT_RSA15            /* xmlenc#rsa-1_5 */
} testidp_kt_t;

/*
 * Knobs for misbehaving, all optional; a field that is absent or empty
 * keeps the default.  Strings point into the form they were parsed from.
 *
 *   sign=assertion|response|both|none   alg=sha256|sha1   key=good|wrong
 *   encrypt=none|aes128-gcm|aes256-gcm|aes128-cbc|aes256-cbc
 *   transport=oaep|oaep11|rsa15   encrypt_to=good|wrong
 *   status=URN ("TOP SECOND" for two levels; a non-top-level code alone
 *     is nested in Responder)   issuer=   audience=|omit
 *   destination=|omit   recipient=   in_response_to=|omit
 *   not_before=-30 not_on_or_after=300 scd_not_on_or_after=300
 *   issue_instant=0 (seconds from now)   assertions=1|2
 *   authn_statements=0|1|2   loa=|omit   nist=|omit (omit: the user's
 *     level attribute left out)   nameid=   classref=   acs=
 *   tamper=1 (NameID text -> "mallory" after signing; not with encryption)
 */
typedef struct {
    testidp_sign_t   sign;
    int              sha1;
    int              wrong_key;
    testidp_enc_t    encrypt;
    testidp_kt_t     transport;
    int              encrypt_to_wrong;
    const char      *status;
    const char      *issuer;
    const char      *audience;          /* "omit": no AudienceRestriction */
    const char      *destination;       /* "omit": no Destination */
    const char      *recipient;
    const char      *in_response_to;    /* "omit": none at all */
    long             not_before;
    long             not_on_or_after;
    long             scd_not_on_or_after;
    long             issue_instant;
    int              assertions;
    int              authn_statements;
    const char      *loa;
    const char      *nist;
    const char      *nameid;
    const char      *classref;
    const char      *acs;
    int              tamper;

    /* set by personas and switches, not by the form */
    const char              *authority;     /* AuthenticatingAuthority */
    const char              *assertion_id;  /* instead of a random one */
    char                    *assertion_id_out;  /* TESTIDP_ID_LEN bytes */
    const testidp_signer_t  *signer;        /* instead of idp->signer */
} testidp_knobs_t;

void testidp_knobs_init(testidp_knobs_t *knobs);
int testidp_knobs_parse(const testidp_form_t *form, testidp_knobs_t *knobs,
    testidp_err_t *err);


/* ---- personas: the shapes of real IdPs (testidp_persona.c) ----------- */

typedef enum {
    TESTIDP_STATE_NSIS = 0,     /* the nsis/loa attribute, bare word */
    TESTIDP_STATE_NIST,         /* the AssuranceLevel attribute, 1..4 */
    TESTIDP_STATE_ADFS,         /* only the class: multipleauthn or not */
    TESTIDP_STATE_NONE          /* no level at all */
} testidp_state_level_t;

typedef struct testidp_persona_s {
    const char             *name;
    const char             *title;
    testidp_profile_t       shape;      /* ADFS: default namespace, ... */
    int                     oiosaml2;   /* OIOSAML 2 attribute names */
    testidp_state_level_t   level;
    int                     nameid_uuid;    /* persistent .../uuid/UUID */
    int                     kombit;     /* KombitSpecVer 2.0, authority */
    int                     nemlogin;   /* ial, aal, bootstrap token */
    int                     relay_level;    /* level from the RelayState */
    int                     bpp11;      /* BPP 1.1 namespace by default */
    testidp_enc_t           encrypt;    /* when encrypt_cert= is set */
    testidp_kt_t            transport;
    const char             *nameid_formats;    /* in the metadata */
} testidp_persona_t;

/* NULL when there is no such persona */
const testidp_persona_t *testidp_persona_find(const char *name);
/* the names, for a message: "nemlogin3, context-handler2, ..." */
const char *testidp_persona_names(void);

/* ---- run-time switches (testidp_switch.c) ---------------------------- */

#define TESTIDP_ID_LEN          42
#define TESTIDP_STATUS_MAX      160

/*
 * The scenario switches an operator flips through the admin endpoint.
 * Plain data: the nginx glue keeps one copy in shared memory, so that
 * every worker answers the same way.
 */
typedef struct {
    time_t         rotate_at;       /* 0: none; else sign with next then */
    time_t         down_at;         /* 0: up; else down from then */
    unsigned       slow;            /* seconds before each answer */
    int            audience;        /* a wrong Audience */
    int            expired;         /* an assertion past its time */
    int            replay;          /* the previous assertion's ID again */
    char           error[TESTIDP_STATUS_MAX];  /* a status, or "" */
    char           last_id[TESTIDP_ID_LEN];    /* the previous assertion */
    unsigned long  changes;
} testidp_switches_t;

#define TESTIDP_WRONG_AUDIENCE  "https://wrong-audience.invalid/"
#define TESTIDP_ERROR_DEFAULT                                                 \
    TESTIDP_STATUS_PREFIX "Responder " TESTIDP_STATUS_PREFIX "AuthnFailed"

/*
 * Applies "switch=NAME [value=V]" from the admin form to sw at "now".
 * Names: rotate (value TIME, +SECONDS or off), down (TIME, +SECONDS, now
 * or off), slow (SECONDS, 0 = off), error (a status or off), audience,
 * expired, replay (on or off), reset.
 */
int testidp_switch_set(const testidp_t *idp, testidp_switches_t *sw,
    const testidp_form_t *form, time_t now, testidp_err_t *err);
/* the state as JSON (caller frees) */
char *testidp_switch_json(const testidp_t *idp, const testidp_switches_t *sw,
    time_t now, size_t *len);
/* the key that signs at "now": idp->next after a rotation */
const testidp_signer_t *testidp_switch_signer(const testidp_t *idp,
    const testidp_switches_t *sw, time_t now);
/* down at "now"? */
int testidp_switch_down(const testidp_switches_t *sw, time_t now);
/* one line naming the switches that are on, or "" (caller frees) */
char *testidp_switch_summary(const testidp_switches_t *sw, time_t now);

/*
 * IdP metadata XML for idp->base_url as it is published at "now": with
 * the next certificate before a rotation, only it after, validUntil when
 * down, and a comment naming the switches (sw may be NULL).
 */
int testidp_metadata_build(const testidp_t *idp,
    const testidp_switches_t *sw, time_t now, char **xml, size_t *len,
    testidp_err_t *err);


/* ---- the Response (testidp_response.c) ------------------------------- */

/*
 * The level a request asks for (1..4), or 0: an NSIS or NIST class, the
 * ADFS multipleauthn class (Substantial), or for a persona that reads it,
 * the level after the last "." of the RelayState.
 */
int testidp_request_level(const testidp_t *idp, const testidp_request_t *req);

/*
 * What a persona answers for "user" at "level" (0: the level asked for if
 * the user has it, else the user's highest): the user as the persona
 * renders it (attributes, NameID) into *out, which the caller clears with
 * testidp_user_clear(), and the knobs it sets (class, encryption).
 */
int testidp_persona_answer(const testidp_t *idp, const testidp_request_t *req,
    const testidp_user_t *user, int level, time_t now, testidp_knobs_t *knobs,
    testidp_user_t *out, testidp_err_t *err);

/*
 * The serialized samlp:Response for "user" answering "req" at "now",
 * changed as the knobs say.
 */
int testidp_response_build(const testidp_t *idp, const testidp_request_t *req,
    const testidp_user_t *user, const testidp_knobs_t *knobs, time_t now,
    char **xml, size_t *len, testidp_err_t *err);


/* ---- XML signature and encryption (testidp_sign.c, testidp_encrypt.c) */

/*
 * Signs "node" (which has the ID "id", registered with xmlAddID) with an
 * enveloped signature placed right after its saml:Issuer child (or first).
 */
int testidp_sign_node(xmlNodePtr node, const char *id,
    const testidp_signer_t *signer, int sha1, testidp_err_t *err);

/*
 * Replaces "node" by an xenc:EncryptedData for "to", with a random AES
 * session key of the given method, wrapped with the given key transport.
 */
int testidp_encrypt_node(xmlNodePtr node, const testidp_peer_t *to,
    testidp_enc_t method, testidp_kt_t transport, testidp_err_t *err);


/* ---- logout (testidp_logout.c) --------------------------------------- */

/* the redirect URL to sp_sls with a signed LogoutResponse */
int testidp_logout_response(const testidp_t *idp,
    const testidp_request_t *req, time_t now, char **url,
    testidp_err_t *err);
/* the redirect URL to sp_sls with a signed IdP-initiated LogoutRequest */
int testidp_logout_request(const testidp_t *idp, const char *nameid,
    const char *session_index, time_t now, char **url, testidp_err_t *err);


/* ---- HTML pages (testidp_page.c) ------------------------------------- */

int testidp_page_login(const testidp_t *idp, const testidp_request_t *req,
    char **html, size_t *len, testidp_err_t *err);
/* the page an IdP that is down shows */
int testidp_page_down(const testidp_t *idp, char **html, size_t *len,
    testidp_err_t *err);
int testidp_page_post(const char *action, const char *saml_response,
    const char *relay_state, char **html, size_t *len, testidp_err_t *err);


#endif /* TESTIDP_H_INCLUDED */
