
/*
 * liboiosaml: the OIOSAML service provider library behind
 * ngx_http_oiosaml_module.
 *
 * The library never includes an nginx header.  Inputs are (pointer,
 * length) pairs, time is always passed in by the caller ("now"), every
 * call that decides trust returns an oiosaml_status_t and is marked
 * warn_unused_result, and errors are written into a caller-owned
 * oiosaml_err_t where the first failure wins.
 *
 * Ownership is written next to each function.  Every _free() accepts NULL.
 */


#ifndef _OIOSAML_H_INCLUDED_
#define _OIOSAML_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>
#include <time.h>


#ifdef __cplusplus
extern "C" {
#endif


#if defined(__GNUC__)
#define OIOSAML_MUST_CHECK  __attribute__((warn_unused_result))
#else
#define OIOSAML_MUST_CHECK
#endif


/*
 * One status enum for the whole library.  Values are part of the ABI and
 * of the logs: never renumber, only append.
 */
typedef enum {
    OIOSAML_OK                      = 0,

    /* errors: something is broken, not somebody's fault */
    OIOSAML_ERR_NOMEM               = 1,
    OIOSAML_ERR_ARG                 = 2,
    OIOSAML_ERR_INTERNAL            = 3,
    OIOSAML_ERR_CONFIG              = 4,
    OIOSAML_ERR_IO                  = 5,
    OIOSAML_ERR_UNSAFE_ENV          = 6,
    OIOSAML_ERR_STORE               = 7,

    /* bad input: not well formed */
    OIOSAML_BAD_ENCODING            = 50,
    OIOSAML_BAD_XML                 = 51,
    OIOSAML_BAD_MESSAGE             = 52,
    OIOSAML_BAD_TOO_LARGE           = 53,
    OIOSAML_BAD_COOKIE              = 54,

    /* named denials: well formed, but not acceptable */
    OIOSAML_DENY_UNKNOWN_IDP        = 100,
    OIOSAML_DENY_UNSIGNED           = 101,
    OIOSAML_DENY_SIGNATURE          = 102,
    OIOSAML_DENY_SIG_ALGORITHM      = 103,
    OIOSAML_DENY_SIG_REFERENCE      = 104,
    OIOSAML_DENY_DUPLICATE_ID       = 105,
    OIOSAML_DENY_ENCRYPTION_REQUIRED = 106,
    OIOSAML_DENY_ENC_ALGORITHM      = 107,
    OIOSAML_DENY_DECRYPT            = 108,
    OIOSAML_DENY_ASSERTION_COUNT    = 109,
    OIOSAML_DENY_ISSUER             = 110,
    OIOSAML_DENY_STATUS             = 111,
    OIOSAML_DENY_DESTINATION        = 112,
    OIOSAML_DENY_RECIPIENT          = 113,
    OIOSAML_DENY_AUDIENCE           = 114,
    OIOSAML_DENY_NOT_YET_VALID      = 115,
    OIOSAML_DENY_EXPIRED            = 116,
    OIOSAML_DENY_SUBJECT            = 117,
    OIOSAML_DENY_AUTHN_STATEMENT    = 118,
    OIOSAML_DENY_IN_RESPONSE_TO     = 119,
    OIOSAML_DENY_UNSOLICITED        = 120,
    OIOSAML_DENY_REPLAY             = 121,
    OIOSAML_DENY_RETURN_URL         = 122,
    OIOSAML_DENY_COOKIE_EXPIRED     = 123,
    OIOSAML_DENY_LOA                = 124,
    OIOSAML_DENY_ROLE               = 125,
    OIOSAML_DENY_PRIVILEGES         = 126,
    OIOSAML_DENY_TOO_MANY_LOGINS    = 127,
    OIOSAML_DENY_IDP_UNAVAILABLE    = 128,
    OIOSAML_DENY_CSRF               = 129,
    OIOSAML_DENY_CONDITION          = 130
} oiosaml_status_t;


/* is the status a named denial (as opposed to an error or bad input)? */
#define oiosaml_is_denial(s)       ((s) >= 100)
#define oiosaml_is_bad_input(s)    ((s) >= 50 && (s) < 100)


/* short stable name ("deny_audience"), and a human sentence */
const char *oiosaml_status_name(oiosaml_status_t status);
const char *oiosaml_strerror(oiosaml_status_t status);


/* the error sink: caller-owned, first failure wins */
#define OIOSAML_ERR_LEN  512

typedef struct {
    oiosaml_status_t  status;
    char              text[OIOSAML_ERR_LEN];
    /* set with OIOSAML_DENY_LOA: what was asked for, what came back */
    int               loa_required;         /* oiosaml_loa_t */
    int               loa_achieved;         /* oiosaml_loa_t */
} oiosaml_err_t;

void oiosaml_err_clear(oiosaml_err_t *err);

/* records status and a message unless a failure is recorded already */
oiosaml_status_t oiosaml_err_set(oiosaml_err_t *err, oiosaml_status_t status,
    const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;


/*
 * Process-wide set-up: libxml2, xmlsec (OpenSSL), lasso and the error
 * hooks.  Idempotent.  Refuses (OIOSAML_ERR_UNSAFE_ENV) when LASSO_FLAG is
 * set in the environment, because lasso then disables signature checks.
 */
OIOSAML_MUST_CHECK oiosaml_status_t oiosaml_global_init(oiosaml_err_t *err);


/* ---- assurance levels ------------------------------------------------ */

/*
 * Levels on one scale so that NIST and NSIS levels compare:
 * NIST 1 < NIST 2 = Low < NIST 3 = Substantial < NIST 4 = High.
 */
typedef enum {
    OIOSAML_LOA_NONE = 0,
    OIOSAML_LOA_NIST1,
    OIOSAML_LOA_NIST2,
    OIOSAML_LOA_LOW,
    OIOSAML_LOA_NIST3,
    OIOSAML_LOA_SUBSTANTIAL,
    OIOSAML_LOA_NIST4,
    OIOSAML_LOA_HIGH
} oiosaml_loa_t;

OIOSAML_MUST_CHECK oiosaml_status_t oiosaml_loa_parse(const char *s,
    size_t len, oiosaml_loa_t *loa);
const char *oiosaml_loa_name(oiosaml_loa_t loa);

/* compare on the common scale: <0, 0, >0 */
int oiosaml_loa_cmp(oiosaml_loa_t a, oiosaml_loa_t b);

/* "Substantial (NIST 3)"-style text for pages, in English or Danish */
const char *oiosaml_loa_text(oiosaml_loa_t loa, int danish);


/* ---- IdP profiles (KOMBIT's six) ------------------------------------- */

typedef enum {
    OIOSAML_PROFILE_OIOSAML2 = 0,
    OIOSAML_PROFILE_OIOSAML2_ADFS_MULTIPLEAUTHN,
    OIOSAML_PROFILE_OIOSAML2_NO_LOA,
    OIOSAML_PROFILE_OIOSAML3,
    OIOSAML_PROFILE_OIOSAML3_ADFS_MULTIPLEAUTHN,
    OIOSAML_PROFILE_OIOSAML3_ADFS_RELAYSTATE
} oiosaml_profile_t;

OIOSAML_MUST_CHECK oiosaml_status_t oiosaml_profile_parse(const char *s,
    size_t len, oiosaml_profile_t *profile);
const char *oiosaml_profile_name(oiosaml_profile_t profile);


/* ---- IdPs ------------------------------------------------------------- */

typedef struct oiosaml_sp_s  oiosaml_sp_t;

/* where the IdP's signature must be */
typedef enum {
    OIOSAML_SIGNED_ASSERTION = 0,   /* the Assertion is signed (default) */
    OIOSAML_SIGNED_RESPONSE,        /* the Response is signed */
    OIOSAML_SIGNED_EITHER,          /* at least one of them */
    OIOSAML_SIGNED_BOTH             /* both */
} oiosaml_signed_t;

OIOSAML_MUST_CHECK oiosaml_status_t oiosaml_signed_parse(const char *s,
    size_t len, oiosaml_signed_t *where);
const char *oiosaml_signed_name(oiosaml_signed_t where);


/*
 * IdP configuration.  Zero-initialise, set what you need; strings are
 * copied by oiosaml_idp_new().
 */
typedef struct {
    const char         *id;             /* short operator name, required */
    const char         *label;          /* shown to users; default id */
    const char         *metadata_file;  /* required */
    oiosaml_profile_t   profile;
    oiosaml_signed_t    signed_part;
    /*
     * The most this IdP is trusted to deliver, OIOSAML_LOA_NONE for no
     * limit: a login there never reaches a higher level, whatever the
     * assertion says, and oiosaml_idp_can_reach() refuses higher
     * requirements.  oiosaml2-no-loa: also the level the IdP is taken to
     * deliver, as the operator asserts it (default nist2).
     */
    oiosaml_loa_t       max_loa;
    /* the NIST number NSIS High maps to for this IdP: 4 (default) or 3 */
    int                 high_nist;
    /* a certificate the IdP will sign with, trusted from next_from on */
    const char         *next_cert;
    time_t              next_from;      /* 0: trusted at once */
    /* how long an expired IdP certificate is still trusted (default 0) */
    time_t              cert_grace;
    /* the metadata must be signed by this certificate */
    const char         *metadata_signer;
    const char         *backup;         /* id of the IdP to offer instead */
    const char         *replaces;       /* old ids, comma-separated */
    const char         *ip;             /* client ranges, "10.0.0.0/8,..." */
    unsigned            allow_sha1:1;
    unsigned            require_encryption:1;
    unsigned            hidden:1;       /* not listed on the choice page */
    unsigned            down:1;         /* marked down by the operator */
    /*
     * The IdP's entityID, to pick it from an aggregate (EntitiesDescriptor,
     * as federations and ADFS farms publish); NULL: the metadata's only
     * IdP.  With metadata_signer the aggregate's signature (on its root)
     * is checked before the entity is picked.  Also required to match
     * when the metadata is one EntityDescriptor.
     */
    const char         *entity;
} oiosaml_idp_conf_t;

/* the largest metadata document the library reads */
#define OIOSAML_METADATA_MAX  (4 * 1024 * 1024)

typedef struct oiosaml_idp_s  oiosaml_idp_t;

/*
 * Loads and checks the IdP's metadata (well formed, signed by
 * metadata_signer if set, the entity= IdP or the only IdP, a Redirect
 * SingleSignOnService, at least one signing certificate, not past
 * validUntil at "now").  Any fault of the metadata is OIOSAML_ERR_CONFIG,
 * an unreadable file OIOSAML_ERR_IO.  The caller owns the result.
 */
OIOSAML_MUST_CHECK oiosaml_status_t oiosaml_idp_new(
    const oiosaml_idp_conf_t *conf, time_t now, oiosaml_idp_t **idp,
    oiosaml_err_t *err);

/*
 * The same, by the same code, with the metadata from memory (a download
 * that is not yet written: oiosamlctl metadata fetch); conf->metadata_file
 * is only recorded and may be NULL.  A fault of the metadata is named by
 * its class:
 *   OIOSAML_BAD_TOO_LARGE       larger than OIOSAML_METADATA_MAX
 *   OIOSAML_BAD_XML             not well-formed XML (or with a DOCTYPE)
 *   OIOSAML_BAD_MESSAGE         not usable IdP metadata: the root, no
 *                               IDPSSODescriptor, no Redirect SSO, no
 *                               signing certificate, a bad validUntil
 *   OIOSAML_DENY_UNSIGNED, OIOSAML_DENY_SIGNATURE, OIOSAML_DENY_SIG_*
 *                               not signed by metadata_signer
 *   OIOSAML_DENY_EXPIRED        past validUntil at "now"
 *   OIOSAML_DENY_UNKNOWN_IDP    entity= is not the metadata's IdP (or not
 *                               in the aggregate), or several IdPs and no
 *                               entity=
 * and the configuration's own faults as oiosaml_idp_new() names them
 * (OIOSAML_ERR_CONFIG, OIOSAML_ERR_IO for metadata_signer, ...).
 */
OIOSAML_MUST_CHECK oiosaml_status_t oiosaml_idp_from_metadata(
    const oiosaml_idp_conf_t *conf, const char *xml, size_t len, time_t now,
    oiosaml_idp_t **idp, oiosaml_err_t *err);
void oiosaml_idp_free(oiosaml_idp_t *idp);

const char *oiosaml_idp_id(const oiosaml_idp_t *idp);
const char *oiosaml_idp_label(const oiosaml_idp_t *idp);
const char *oiosaml_idp_entity_id(const oiosaml_idp_t *idp);
oiosaml_profile_t oiosaml_idp_profile(const oiosaml_idp_t *idp);
const char *oiosaml_idp_sso_url(const oiosaml_idp_t *idp);

/*
 * Does a level reached at this IdP meet a requirement?  Applies the IdP's
 * high_nist mapping (NIST 3 counts as High where High maps to NIST 3).
 */
int oiosaml_loa_satisfies(const oiosaml_idp_t *idp, oiosaml_loa_t achieved,
    oiosaml_loa_t required);

/*
 * Can a login at this IdP reach the level at all?  OIOSAML_DENY_LOA when
 * the level is above the IdP's max_loa (for oiosaml2-no-loa: its asserted
 * level, nist2 by default): asking it again cannot help.
 */
OIOSAML_MUST_CHECK oiosaml_status_t oiosaml_idp_can_reach(
    const oiosaml_idp_t *idp, oiosaml_loa_t required);
/* NULL when the IdP publishes no Redirect SingleLogoutService */
const char *oiosaml_idp_slo_url(const oiosaml_idp_t *idp);
int oiosaml_idp_hidden(const oiosaml_idp_t *idp);

/*
 * Can users log in there now?  Not when the operator marked it down, its
 * metadata is past validUntil, or none of its signing certificates is
 * within its validity period (its trust is broken).
 */
int oiosaml_idp_available(const oiosaml_idp_t *idp, time_t now);

/* where the metadata came from, as configured */
const char *oiosaml_idp_metadata_file(const oiosaml_idp_t *idp);
/* the metadata's validUntil, 0 when none */
time_t oiosaml_idp_valid_until(const oiosaml_idp_t *idp);

/*
 * Replaces the IdP's metadata (endpoints and signing certificates) with
 * newer metadata, checked as at load time (well formed, the same
 * entityID, picked by entity= from an aggregate if set, signed by
 * metadata_signer if set, not past validUntil).  On any failure
 * (OIOSAML_ERR_CONFIG) the IdP keeps what it had.  Not thread-safe.
 */
OIOSAML_MUST_CHECK oiosaml_status_t oiosaml_idp_update(oiosaml_idp_t *idp,
    const char *xml, size_t len, time_t now, oiosaml_err_t *err);

/* oiosaml_idp_update() on the SP's IdP with this id */
OIOSAML_MUST_CHECK oiosaml_status_t oiosaml_sp_idp_update(oiosaml_sp_t *sp,
    const char *id, size_t id_len, const char *xml, size_t len, time_t now,
    oiosaml_err_t *err);

/* the same checks, without changing the IdP */
OIOSAML_MUST_CHECK oiosaml_status_t oiosaml_idp_check_metadata(
    const oiosaml_idp_t *idp, const char *xml, size_t len, time_t now,
    oiosaml_err_t *err);


/* ---- certificates, for reports ------------------------------------------ */

typedef struct {
    const char     *use;            /* "signing", "next", "sp" */
    char            subject[256];
    char            sha256[65];     /* hex */
    time_t          not_before;
    time_t          not_after;
    time_t          from;           /* activation time, 0 for none */
} oiosaml_cert_info_t;

/* the IdP's signing certificates: the metadata's, then next_cert */
size_t oiosaml_idp_cert_count(const oiosaml_idp_t *idp);
void oiosaml_idp_cert_info(const oiosaml_idp_t *idp, size_t i,
    oiosaml_cert_info_t *info);

/* how many of the IdP's certificates are trusted at time t */
size_t oiosaml_idp_trusted_at(const oiosaml_idp_t *idp, time_t t);

/*
 * Would a signature made with the key of this certificate (PEM file) be
 * accepted at time t?  OIOSAML_OK, or OIOSAML_DENY_SIGNATURE with why.
 */
OIOSAML_MUST_CHECK oiosaml_status_t oiosaml_idp_trusts(
    const oiosaml_idp_t *idp, const char *cert_file, time_t t,
    oiosaml_err_t *err);

/* our keys, in configuration order */
size_t oiosaml_sp_key_count(const oiosaml_sp_t *sp);
void oiosaml_sp_key_info(const oiosaml_sp_t *sp, size_t i,
    oiosaml_cert_info_t *info);
/* the index of the key that signs at time t */
size_t oiosaml_sp_signing_key_at(const oiosaml_sp_t *sp, time_t t);

/*
 * Our metadata as published at time t: every key's certificate, signed
 * with the key active at t.  The caller owns *xml.
 */
OIOSAML_MUST_CHECK oiosaml_status_t oiosaml_sp_metadata_at(
    const oiosaml_sp_t *sp, time_t t, char **xml, size_t *len,
    oiosaml_err_t *err);


/* the IdP named by backup=, or NULL */
const oiosaml_idp_t *oiosaml_idp_backup(const oiosaml_sp_t *sp,
    const oiosaml_idp_t *idp);


/* ---- the service provider -------------------------------------------- */

/*
 * entity_id: our entityID.  base_url: the absolute URL under which the
 * endpoints live, ending in '/', e.g. "https://app.example.dk/saml/".
 */
OIOSAML_MUST_CHECK oiosaml_status_t oiosaml_sp_new(const char *entity_id,
    const char *base_url, oiosaml_sp_t **sp, oiosaml_err_t *err);
void oiosaml_sp_free(oiosaml_sp_t *sp);

/*
 * Adds a key pair (PEM files).  The key and certificate must match.
 * "from" is the activation time (0: active now); the certificate is
 * published in metadata before that.  Keys decrypt at all times.
 */
OIOSAML_MUST_CHECK oiosaml_status_t oiosaml_sp_add_key(oiosaml_sp_t *sp,
    const char *key_file, const char *cert_file, time_t from,
    oiosaml_err_t *err);

/* adds an IdP; the SP takes ownership of idp, also on failure */
OIOSAML_MUST_CHECK oiosaml_status_t oiosaml_sp_add_idp(oiosaml_sp_t *sp,
    oiosaml_idp_t *idp, oiosaml_err_t *err);

/*
 * The rules between IdPs, for one of them once all are added: backup=
 * names another configured IdP, replaces= names none that is still
 * configured.  oiosaml_sp_finish() checks them all; this names the IdP
 * whose line is wrong.
 */
OIOSAML_MUST_CHECK oiosaml_status_t oiosaml_sp_check_idp(
    const oiosaml_sp_t *sp, const oiosaml_idp_t *idp, oiosaml_err_t *err);

/*
 * Loads the cookie sealing secret (at least 32 bytes, any format; a
 * trailing newline is not counted).  OIOSAML_ERR_CONFIG for a secret that
 * is obviously easy to guess: fewer than 8 distinct bytes, a pattern of
 * fewer than 32 bytes repeated, or an entropy estimate below 80 bits.
 */
OIOSAML_MUST_CHECK oiosaml_status_t oiosaml_sp_set_cookie_secret(
    oiosaml_sp_t *sp, const char *file, oiosaml_err_t *err);

/* uses a random cookie secret (sealed cookies die with this SP object) */
OIOSAML_MUST_CHECK oiosaml_status_t oiosaml_sp_random_cookie_secret(
    oiosaml_sp_t *sp, oiosaml_err_t *err);

/* clock skew allowed on every time check, default 180 seconds */
void oiosaml_sp_set_skew(oiosaml_sp_t *sp, time_t skew);

/* lifetime of a pending login (the AuthnRequest state), default 600 s */
void oiosaml_sp_set_request_lifetime(oiosaml_sp_t *sp, time_t lifetime);

/* accept IdP-initiated (unsolicited) responses, default off */
void oiosaml_sp_set_allow_unsolicited(oiosaml_sp_t *sp, int on);

/*
 * Checks the whole configuration and builds what requests need (signed
 * metadata, signing keys).  Call once after the adds; the SP is read-only
 * afterwards and safe to share between processes after fork().
 */
OIOSAML_MUST_CHECK oiosaml_status_t oiosaml_sp_finish(oiosaml_sp_t *sp,
    time_t now, oiosaml_err_t *err);

const char *oiosaml_sp_entity_id(const oiosaml_sp_t *sp);
const char *oiosaml_sp_acs_url(const oiosaml_sp_t *sp);
/* the path part of base_url, e.g. "/saml/" */
const char *oiosaml_sp_prefix(const oiosaml_sp_t *sp);

size_t oiosaml_sp_idp_count(const oiosaml_sp_t *sp);
const oiosaml_idp_t *oiosaml_sp_idp_at(const oiosaml_sp_t *sp, size_t i);
const oiosaml_idp_t *oiosaml_sp_idp_by_id(const oiosaml_sp_t *sp,
    const char *id, size_t len);
const oiosaml_idp_t *oiosaml_sp_idp_by_entity_id(const oiosaml_sp_t *sp,
    const char *entity_id, size_t len);

/*
 * An IdP by id, following replaces=: an id that is gone but named in
 * another IdP's replaces= gives that IdP, and *replaced is set.
 */
const oiosaml_idp_t *oiosaml_sp_idp_resolve(const oiosaml_sp_t *sp,
    const char *id, size_t len, int *replaced);

/*
 * The one IdP whose ip= ranges hold this client address (family AF_INET
 * with 4 bytes, or AF_INET6 with 16); NULL when none or several do.
 */
const oiosaml_idp_t *oiosaml_sp_idp_by_address(const oiosaml_sp_t *sp,
    int family, const unsigned char *addr);

/*
 * Our signed metadata as published now: built by oiosaml_sp_finish() for
 * every signing key, so that it switches with the key; owned by the SP.
 */
const char *oiosaml_sp_metadata(const oiosaml_sp_t *sp, time_t now,
    size_t *len);


/* ---- our metadata: what a federation registration asks for ----------- */

/*
 * The attributes we ask for, in the AttributeConsumingService (NameFormat
 * uri).  Without any: the OIOSAML 3 attributes the identity headers use
 * (specVersion, nsis/loa, professional/cvr and orgName required; email,
 * fullName, professional/uuid/persistent, rid, privilegesIntermediate).
 * Call before oiosaml_sp_finish(); strings are copied.
 */
OIOSAML_MUST_CHECK oiosaml_status_t oiosaml_sp_add_attribute(
    oiosaml_sp_t *sp, const char *name, int required, oiosaml_err_t *err);

/* the service's name in a language ("da", "en"), for ServiceName */
OIOSAML_MUST_CHECK oiosaml_status_t oiosaml_sp_add_service_name(
    oiosaml_sp_t *sp, const char *lang, const char *name,
    oiosaml_err_t *err);

/* the Organization, one call per language */
OIOSAML_MUST_CHECK oiosaml_status_t oiosaml_sp_add_organization(
    oiosaml_sp_t *sp, const char *lang, const char *name,
    const char *display_name, const char *url, oiosaml_err_t *err);

/*
 * A ContactPerson: type is technical, support, administrative, billing or
 * other; email is required, the rest may be NULL.
 */
OIOSAML_MUST_CHECK oiosaml_status_t oiosaml_sp_add_contact(oiosaml_sp_t *sp,
    const char *type, const char *email, const char *company,
    const char *given_name, const char *phone, oiosaml_err_t *err);

/*
 * The words of one of the module's directives oiosaml_sp_attribute,
 * oiosaml_sp_service_name, oiosaml_sp_organization and oiosaml_sp_contact
 * (docs/directives.md), the directive's name first in "directive": the
 * calls above, as nginx and oiosamlctl read the configuration alike.
 */
OIOSAML_MUST_CHECK oiosaml_status_t oiosaml_sp_metadata_option(
    oiosaml_sp_t *sp, const char *directive, const char *const *args,
    size_t n, oiosaml_err_t *err);

/* has a contact of this type (NULL: of any type) been added? */
int oiosaml_sp_has_contact(const oiosaml_sp_t *sp, const char *type);

/*
 * Builds our metadata again when it is a day old: its validUntil (the
 * first expiry of the certificates it lists) moves on, and a certificate
 * that has expired leaves it.  On failure the SP keeps what it had.
 * Changes the SP: not thread-safe (each nginx worker has its own copy).
 */
OIOSAML_MUST_CHECK oiosaml_status_t oiosaml_sp_metadata_refresh(
    oiosaml_sp_t *sp, time_t now, oiosaml_err_t *err);


/* ---- login: AuthnRequest over HTTP-Redirect ---------------------------- */

#define OIOSAML_ID_LEN          41      /* "_" + 40 hex, without NUL */
#define OIOSAML_RELAY_LEN       22      /* RelayState handle, base64url */
#define OIOSAML_RELAY_MAX       80      /* the SAML binding's limit */

typedef struct {
    oiosaml_loa_t   loa;            /* required level, NONE: no request */
    unsigned        force_authn:1;
    unsigned        is_passive:1;
} oiosaml_login_params_t;

/*
 * The RelayState is the random handle that names the pending-login
 * cookie; for oiosaml3-adfs-relaystate it is "<handle>.<NSIS level>", e.g.
 * "Vq3k...Zw.Substantial" (at most 34 bytes).  It never carries the
 * return address and is never trusted for anything but finding the cookie.
 */
typedef struct {
    char            id[OIOSAML_ID_LEN + 1];         /* AuthnRequest ID */
    char            relay[OIOSAML_RELAY_LEN + 1];   /* RelayState handle */
    char            relay_state[OIOSAML_RELAY_MAX + 1];  /* as sent */
    char           *url;        /* malloc'd; free with oiosaml_free() */
} oiosaml_login_t;

/* the handle at the start of a RelayState; 0 when there is none */
size_t oiosaml_relay_handle(const char *relay_state, size_t len);

/*
 * Builds a signed (RSA-SHA256) AuthnRequest for idp and the redirect URL
 * that carries it.  The caller owns login->url.
 */
OIOSAML_MUST_CHECK oiosaml_status_t oiosaml_login_build(
    const oiosaml_sp_t *sp, const oiosaml_idp_t *idp,
    const oiosaml_login_params_t *params, time_t now, oiosaml_login_t *login,
    oiosaml_err_t *err);

void oiosaml_free(void *p);


/* ---- pending request state (sealed cookie) ---------------------------- */

#define OIOSAML_RETURN_MAX      2048

typedef struct {
    char            request_id[OIOSAML_ID_LEN + 1];
    char            idp_id[64];
    char            return_url[OIOSAML_RETURN_MAX + 1];
    oiosaml_loa_t   loa;
    time_t          created;
} oiosaml_pending_t;

/* seals pending into a cookie value; the caller owns *value */
OIOSAML_MUST_CHECK oiosaml_status_t oiosaml_pending_seal(
    const oiosaml_sp_t *sp, const oiosaml_pending_t *pending,
    const char *relay, char **value, size_t *len, oiosaml_err_t *err);

/* opens a cookie value sealed for this relay handle; checks its age */
OIOSAML_MUST_CHECK oiosaml_status_t oiosaml_pending_open(
    const oiosaml_sp_t *sp, const char *value, size_t len,
    const char *relay, size_t relay_len, time_t now,
    oiosaml_pending_t *pending, oiosaml_err_t *err);


/* ---- generic sealing (AES-256-GCM, keys derived from the secret) ------ */

OIOSAML_MUST_CHECK oiosaml_status_t oiosaml_seal(const oiosaml_sp_t *sp,
    const char *purpose, const unsigned char *plain, size_t len,
    char **value, size_t *value_len, oiosaml_err_t *err);

/* *plain is malloc'd and owned by the caller */
OIOSAML_MUST_CHECK oiosaml_status_t oiosaml_unseal(const oiosaml_sp_t *sp,
    const char *purpose, const char *value, size_t len,
    unsigned char **plain, size_t *plain_len, oiosaml_err_t *err);


/* ---- the IdP choice page ------------------------------------------------ */

/* replaces the built-in page template; see docs/choice-page.md */
OIOSAML_MUST_CHECK oiosaml_status_t oiosaml_sp_set_choice_template(
    oiosaml_sp_t *sp, const char *file, oiosaml_err_t *err);

typedef struct {
    int                     english;        /* 0: Danish (the default) */
    const char             *return_url;     /* a checked local path */
    const char             *loa;            /* level name, or NULL */
    const char             *csrf;           /* the form's token */
    const char             *query;          /* filter text, or NULL */
    /* the remembered IdP that cannot be used now, or NULL */
    const oiosaml_idp_t    *unavailable;
    /* the remembered IdP is no longer configured */
    int                     gone;
    time_t                  now;
} oiosaml_choice_t;

/* renders the page; the caller owns *html (oiosaml_free) */
OIOSAML_MUST_CHECK oiosaml_status_t oiosaml_choice_render(
    const oiosaml_sp_t *sp, const oiosaml_choice_t *choice, char **html,
    size_t *len, oiosaml_err_t *err);

/* the remember-my-choice cookie: an IdP id and the time it was chosen */
OIOSAML_MUST_CHECK oiosaml_status_t oiosaml_choice_seal(
    const oiosaml_sp_t *sp, const char *idp_id, time_t now, char **value,
    size_t *len, oiosaml_err_t *err);

/*
 * Opens it: OIOSAML_BAD_COOKIE when tampered with or sealed with another
 * secret, OIOSAML_DENY_COOKIE_EXPIRED when older than lifetime.  idp_id
 * holds at least 64 bytes.
 */
OIOSAML_MUST_CHECK oiosaml_status_t oiosaml_choice_open(
    const oiosaml_sp_t *sp, const char *value, size_t len, time_t now,
    time_t lifetime, char *idp_id, oiosaml_err_t *err);

/* a form token bound to a browser nonce (the nonce lives in a cookie) */
OIOSAML_MUST_CHECK oiosaml_status_t oiosaml_csrf_token(
    const oiosaml_sp_t *sp, const char *nonce, size_t nonce_len, time_t now,
    char **token, size_t *len, oiosaml_err_t *err);

/* OIOSAML_DENY_CSRF unless the token is ours, this nonce's, and fresh */
OIOSAML_MUST_CHECK oiosaml_status_t oiosaml_csrf_check(
    const oiosaml_sp_t *sp, const char *token, size_t len,
    const char *nonce, size_t nonce_len, time_t now, oiosaml_err_t *err);


/* ---- return URL -------------------------------------------------------- */

/*
 * Accepts only a local absolute path ("/x?y"): no scheme, no authority,
 * no "//", no "/\", no control characters, also after percent-decoding.
 */
OIOSAML_MUST_CHECK oiosaml_status_t oiosaml_return_url_check(const char *url,
    size_t len);


/* ---- response verification -------------------------------------------- */

/*
 * Replay store, provided by the caller (the nginx module keeps it in
 * shared memory).  Records id until "expires"; returns 0 when the id was
 * new, 1 when it was already recorded, -1 when it cannot record.
 */
typedef int (*oiosaml_replay_pt)(void *data, const unsigned char *id,
    size_t len, time_t expires);

typedef struct {
    const char         *response;       /* SAMLResponse, base64 */
    size_t              response_len;
    const oiosaml_pending_t *pending;   /* NULL: no pending request */
    time_t              now;
    oiosaml_replay_pt   replay;
    void               *replay_data;
} oiosaml_verify_params_t;


/* the fields of a verified identity, also the session's header fields */
typedef enum {
    OIOSAML_F_USER = 0,     /* NameID */
    OIOSAML_F_NAMEID_FORMAT,
    OIOSAML_F_IDP,          /* IdP id (ours) */
    OIOSAML_F_LOA,          /* level name */
    OIOSAML_F_CVR,
    OIOSAML_F_NAME,
    OIOSAML_F_EMAIL,
    OIOSAML_F_ORG,
    OIOSAML_F_UUID,
    OIOSAML_F_RID,
    OIOSAML_F_SPEC,         /* OIO-SAML-3.0, DK-SAML-2.0 */
    OIOSAML_F_SESSION_INDEX,
    OIOSAML_F_PRIVILEGES,   /* the compact form (oiosaml_privileges_compile) */
    OIOSAML_F_ATTRIBUTES,   /* every attribute, form-encoded */
    OIOSAML_F_ROLES,        /* JSON, see oiosaml_privileges_json() */
    OIOSAML_F_CONSTRAINTS,  /* JSON, the privilege groups */
    OIOSAML_F_BOOTSTRAP,    /* the bootstrap token (base64), never a header */
    OIOSAML_F_MAX
} oiosaml_field_t;

const char *oiosaml_field_name(oiosaml_field_t field);

typedef struct oiosaml_identity_s  oiosaml_identity_t;

/*
 * Verifies a SAMLResponse received at our ACS.  One call, one answer:
 * OIOSAML_OK and *identity (owned by the caller), or a named denial and
 * the reason in err.  See docs/verification.md for the rules.
 */
OIOSAML_MUST_CHECK oiosaml_status_t oiosaml_response_verify(
    const oiosaml_sp_t *sp, const oiosaml_verify_params_t *params,
    oiosaml_identity_t **identity, oiosaml_err_t *err);

void oiosaml_identity_free(oiosaml_identity_t *identity);

/* a field's value ("" when absent), never NULL */
const char *oiosaml_identity_get(const oiosaml_identity_t *identity,
    oiosaml_field_t field, size_t *len);
oiosaml_loa_t oiosaml_identity_loa(const oiosaml_identity_t *identity);
const oiosaml_idp_t *oiosaml_identity_idp(
    const oiosaml_identity_t *identity);
/* the end of the IdP session (SessionNotOnOrAfter), 0 when none */
time_t oiosaml_identity_not_on_or_after(const oiosaml_identity_t *identity);
/* the signature was made with an expired certificate, trusted only by
 * the IdP's cert_grace: log it loudly */
int oiosaml_identity_expired_cert(const oiosaml_identity_t *identity);
/* the assertion ID, as recorded in the replay store */
const char *oiosaml_identity_assertion_id(const oiosaml_identity_t *ident);

/*
 * How long the assertion ID must be remembered: the assertion's last
 * moment of validity plus the clock skew.  With no replay callback in
 * oiosaml_verify_params_t, the caller records the ID (the issuer's
 * entityID, "\n", the ID) itself, after verification.
 */
time_t oiosaml_identity_replay_until(const oiosaml_identity_t *ident);


/* ---- response check: the ACS's verdict, rule by rule (oiosamlctl) ------ */

/*
 * The rules of oiosaml_response_verify() in groups, in the order the ACS
 * first applies them (docs/verification.md); one report line each.
 * Values are part of the ABI: append, never renumber.
 */
typedef enum {
    OIOSAML_RULE_INPUT = 0,         /* size, base64, XML, a samlp:Response */
    OIOSAML_RULE_IDP,               /* a configured IdP, available */
    OIOSAML_RULE_ISSUER,            /* Response and Assertion Issuer */
    OIOSAML_RULE_DESTINATION,
    OIOSAML_RULE_IN_RESPONSE_TO,    /* Response and SubjectConfirmationData */
    OIOSAML_RULE_STATUS,
    OIOSAML_RULE_ASSERTION_COUNT,
    OIOSAML_RULE_SIGNATURE,         /* signatures, references, signed= */
    OIOSAML_RULE_ALGORITHMS,        /* signature and encryption algorithms */
    OIOSAML_RULE_DECRYPTION,        /* with our keys; require_encryption */
    OIOSAML_RULE_SUBJECT,           /* a NameID, a bearer confirmation */
    OIOSAML_RULE_RECIPIENT,
    OIOSAML_RULE_TIMES,             /* IssueInstant, NotBefore, NotOnOrAfter */
    OIOSAML_RULE_AUDIENCE,          /* AudienceRestriction, conditions */
    OIOSAML_RULE_UNSOLICITED,
    OIOSAML_RULE_AUTHN_STATEMENT,
    OIOSAML_RULE_LOA,               /* the level, by the IdP's profile */
    OIOSAML_RULE_PRIVILEGES,        /* OIOBPP privileges read */
    OIOSAML_RULE_REPLAY,            /* never checked here */
    OIOSAML_RULE_MAX
} oiosaml_rule_t;

typedef enum {
    OIOSAML_VERDICT_NOT_CHECKED = 0,    /* the ACS stopped before it */
    OIOSAML_VERDICT_OK,
    OIOSAML_VERDICT_FAIL,               /* the ACS's first failure */
    OIOSAML_VERDICT_SKIPPED,            /* OIOSAML_CHECK_IGNORE_* */
    OIOSAML_VERDICT_NOTE                /* passed, with something to know */
} oiosaml_verdict_t;

/* judge the times at the assertion's IssueInstant (as when it was new) */
#define OIOSAML_CHECK_IGNORE_TIME            0x01
/* accept any InResponseTo, and none (IdP-initiated) */
#define OIOSAML_CHECK_IGNORE_IN_RESPONSE_TO  0x02

typedef struct {
    /* a SAMLResponse as captured: base64, the XML itself, or a form body
     * ("SAMLResponse=...&RelayState=...", percent-encoded) */
    const char         *input;
    size_t              input_len;
    /* the id of the IdP the login went to; NULL: the one the Issuer names */
    const char         *idp;
    /* the AuthnRequest ID the answer must carry; NULL: not enforced, the
     * response's own InResponseTo stands in for the pending login */
    const char         *request_id;
    oiosaml_loa_t       loa;            /* the level the login asked for */
    time_t              now;
    unsigned            flags;          /* OIOSAML_CHECK_* */
} oiosaml_check_params_t;

typedef struct oiosaml_check_s  oiosaml_check_t;

/*
 * Runs oiosaml_response_verify() itself, unchanged, on a captured
 * response (without a replay store: replay is never checked) and reports
 * per rule group what it decided: the groups the ACS passed before its
 * first failure "ok", the failing one "fail" with the reason, the rest
 * "not checked" (the ACS stops there too), each with the values the
 * message holds for it.  Where a status can arise at more than one place
 * (an Issuer, a time), only groups checked before its first possible
 * place count as passed.  The pending login is made from the parameters:
 * the IdP (or the Issuer's), request_id (or the response's InResponseTo,
 * reported as not enforced) and loa.
 *
 * Returns what the ACS would: OIOSAML_OK and *identity (the caller owns
 * it), a named denial, or bad input; or an OIOSAML_ERR_* when the check
 * itself failed.  *report is set (the caller owns it) unless an
 * OIOSAML_ERR_* is returned.
 */
OIOSAML_MUST_CHECK oiosaml_status_t oiosaml_response_check(
    const oiosaml_sp_t *sp, const oiosaml_check_params_t *params,
    oiosaml_check_t **report, oiosaml_identity_t **identity,
    oiosaml_err_t *err);
void oiosaml_check_free(oiosaml_check_t *report);

/* a rule group's verdict and the values behind it (never NULL) */
oiosaml_verdict_t oiosaml_check_verdict(const oiosaml_check_t *report,
    oiosaml_rule_t rule, const char **detail);
/* the clock the check used (the IssueInstant with IGNORE_TIME) */
time_t oiosaml_check_time(const oiosaml_check_t *report);
/* "signature", "in_response_to", ...; "ok", "fail", "not checked", ... */
const char *oiosaml_rule_name(oiosaml_rule_t rule);
const char *oiosaml_verdict_name(oiosaml_verdict_t verdict);


/* ---- privileges (OIO Basic Privilege Profile) and role policy ---------- */

/*
 * Parses the privileges attribute (base64 bpp:PrivilegeList, BPP 1.0 to
 * 1.2) into the compact form that oiosaml_policy_check() reads; done once
 * at login.  OIOSAML_DENY_PRIVILEGES when malformed or too large.  The
 * caller owns *compiled (oiosaml_free).
 */
OIOSAML_MUST_CHECK oiosaml_status_t oiosaml_privileges_compile(
    const char *b64, size_t len, char **compiled, size_t *clen,
    oiosaml_err_t *err);

/*
 * The compact form as JSON for the upstream: roles
 * {"<scope>":["<privilege>",...]} and groups [{"scope":"...",
 * "privileges":[...],"constraints":[["<name>","<value>"],...]}], ASCII
 * only.  The caller owns both strings.
 */
OIOSAML_MUST_CHECK oiosaml_status_t oiosaml_privileges_json(
    const char *compiled, size_t len, char **roles, char **groups,
    oiosaml_err_t *err);

typedef enum {
    OIOSAML_SCOPE_USER_CVR = 0,     /* the user's own CVR (the default) */
    OIOSAML_SCOPE_ANY,
    OIOSAML_SCOPE_FIXED             /* scope_value */
} oiosaml_scope_t;

typedef struct {
    const char     *name;           /* .../constraints/KLE/1 */
    const char     *value;          /* 32.30: covered by 32.30.* or 32.* */
} oiosaml_constraint_t;

typedef struct {
    const char     *role;
    oiosaml_loa_t   loa;
} oiosaml_role_loa_t;

typedef struct {
    const char *const          *roles;
    size_t                      nroles;
    unsigned                    all:1;      /* every role, not any */
    oiosaml_scope_t             scope;
    const char                 *scope_value;
    const oiosaml_constraint_t *constraints;
    size_t                      nconstraints;
    const oiosaml_role_loa_t   *role_loas;
    size_t                      nrole_loas;
} oiosaml_policy_t;

typedef enum {
    OIOSAML_ACCESS_ALLOW = 0,
    OIOSAML_ACCESS_DENY,            /* "missing" names a role */
    OIOSAML_ACCESS_STEP_UP,         /* held, at too low a level: step_up */
    OIOSAML_ACCESS_MALFORMED        /* the privileges could not be read */
} oiosaml_decision_t;

typedef struct {
    oiosaml_decision_t   decision;
    const char          *role;      /* the role that allowed, or needs more */
    const char          *missing;   /* the (first) role that is missing */
    oiosaml_loa_t        step_up;   /* the level to ask for */
} oiosaml_access_t;

/*
 * Checks a policy against a session's compact privileges, the user's CVR
 * (for the default scope rule), its IdP and level.  No allocation, no
 * XML.  A compact form that starts with '!' marks privileges that were
 * malformed at login.
 */
oiosaml_decision_t oiosaml_policy_check(const oiosaml_policy_t *policy,
    const char *compiled, size_t len, const char *cvr, size_t cvr_len,
    const oiosaml_idp_t *idp, oiosaml_loa_t loa, oiosaml_access_t *result);


/* ---- logout -------------------------------------------------------------- */

/* builds a signed LogoutRequest redirect; the caller owns login->url */
OIOSAML_MUST_CHECK oiosaml_status_t oiosaml_logout_build(
    const oiosaml_sp_t *sp, const oiosaml_idp_t *idp, const char *name_id,
    const char *name_id_format, const char *session_index, time_t now,
    oiosaml_login_t *out, oiosaml_err_t *err);

typedef enum {
    OIOSAML_SLO_REQUEST = 1,        /* the IdP asks us to log a user out */
    OIOSAML_SLO_RESPONSE            /* the IdP answers our request */
} oiosaml_slo_kind_t;

typedef struct {
    oiosaml_slo_kind_t      kind;
    const oiosaml_idp_t    *idp;
    char                    id[128];            /* message ID */
    char                    in_response_to[128];
    char                    name_id[512];
    char                    session_index[256];
    char                    relay[96];
    time_t                  expires;            /* remember the ID until */
    unsigned                success:1;
} oiosaml_slo_t;

/*
 * Verifies an HTTP-Redirect SLO message.  query is the raw query string
 * (still percent-encoded), as the signature covers it.
 */
OIOSAML_MUST_CHECK oiosaml_status_t oiosaml_slo_parse_redirect(
    const oiosaml_sp_t *sp, const char *query, size_t len, time_t now,
    oiosaml_slo_t *slo, oiosaml_err_t *err);

/* builds our signed LogoutResponse redirect to the IdP */
OIOSAML_MUST_CHECK oiosaml_status_t oiosaml_slo_response_build(
    const oiosaml_sp_t *sp, const oiosaml_slo_t *request, time_t now,
    oiosaml_login_t *out, oiosaml_err_t *err);


/* ---- sessions in a store that other hosts read (Redis) ------------------ */

/* a session's fields, as the store keeps them */
typedef struct {
    time_t          created;
    time_t          expires;
    int             loa;                        /* oiosaml_loa_t */
    const char     *fields[OIOSAML_F_MAX];
    size_t          lens[OIOSAML_F_MAX];
} oiosaml_session_rec_t;

/*
 * The Attributes field in a compact form, for a node's shared memory: the
 * catalogue's attribute names as one byte each (lib/oiosaml_compact.c).
 * compact writes at most len bytes to dst and returns how many, or
 * (size_t) -1 for a field that is not ASCII (not form-encoded);
 * expanded is the length expand writes, or (size_t) -1 for a code that is
 * not in the table or not where a name stands (expand must not be called
 * then); expand returns the end of what it wrote.
 */
size_t oiosaml_attributes_compact(unsigned char *dst,
    const unsigned char *form, size_t len);
size_t oiosaml_attributes_expanded(const unsigned char *src, size_t len);
unsigned char *oiosaml_attributes_expand(unsigned char *dst,
    const unsigned char *src, size_t len);
const char *oiosaml_attributes_code_name(size_t i);

/*
 * Packs a session: its fields (roles and constraints left out: they are
 * derived), deflated, sealed with AES-256-GCM under a key derived from the
 * cookie secret, with "bind" (the store's key for it) as associated data,
 * so that the value is of no use under another key.  *out is binary; the
 * caller frees it with oiosaml_free().
 */
OIOSAML_MUST_CHECK oiosaml_status_t oiosaml_session_pack(
    const oiosaml_sp_t *sp, const unsigned char *bind, size_t bind_len,
    const oiosaml_session_rec_t *rec, unsigned char **out, size_t *out_len,
    oiosaml_err_t *err);

/*
 * The reverse, roles and constraints built again from the privileges.
 * The strings of *rec live in *mem, which the caller frees with
 * oiosaml_free().  OIOSAML_BAD_COOKIE for anything that does not verify
 * or parse.
 */
OIOSAML_MUST_CHECK oiosaml_status_t oiosaml_session_unpack(
    const oiosaml_sp_t *sp, const unsigned char *bind, size_t bind_len,
    const unsigned char *in, size_t len, oiosaml_session_rec_t *rec,
    void **mem, oiosaml_err_t *err);


/* ---- small helpers shared with the module ------------------------------- */

/* writes "YYYY-MM-DDTHH:MM:SSZ" and a NUL into buf (21 bytes) */
void oiosaml_format_time(time_t t, char *buf);

/* parses an xs:dateTime such as "2026-12-01T06:00:00Z" */
OIOSAML_MUST_CHECK oiosaml_status_t oiosaml_parse_time(const char *s,
    size_t len, time_t *t);

/* fills buf with len random bytes from OpenSSL */
OIOSAML_MUST_CHECK oiosaml_status_t oiosaml_random(unsigned char *buf,
    size_t len);

/* base64url without padding; results are malloc'd, free with oiosaml_free */
char *oiosaml_b64url_encode(const unsigned char *in, size_t len,
    size_t *olen);
OIOSAML_MUST_CHECK oiosaml_status_t oiosaml_b64url_decode(const char *in,
    size_t len, unsigned char **out, size_t *out_len);

/* constant-time comparison of secrets; 1 when equal */
int oiosaml_memeq(const void *a, const void *b, size_t len);

/*
 * Percent-encodes every byte outside printable ASCII and '%', so that a
 * value is safe in an HTTP header.  Returns the length written (dst must
 * hold it: at most 3 * len bytes), or with dst NULL the length needed.
 */
size_t oiosaml_header_escape(char *dst, const char *src, size_t len);


#ifdef __cplusplus
}
#endif

#endif /* _OIOSAML_H_INCLUDED_ */
