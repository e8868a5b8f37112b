
/*
 * Internal declarations shared by the library's source files.
 * Not installed, not part of the API.
 */


#ifndef _OIOSAML_INTERNAL_H_INCLUDED_
#define _OIOSAML_INTERNAL_H_INCLUDED_


#include <oiosaml.h>

#include <libxml/tree.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/keys.h>


typedef struct oiosaml_template_s  oiosaml_template_t;


/* XML namespaces */
#define OIOSAML_NS_SAMLP    "urn:oasis:names:tc:SAML:2.0:protocol"
#define OIOSAML_NS_SAML     "urn:oasis:names:tc:SAML:2.0:assertion"
#define OIOSAML_NS_MD       "urn:oasis:names:tc:SAML:2.0:metadata"
#define OIOSAML_NS_DS       "http://www.w3.org/2000/09/xmldsig#"
#define OIOSAML_NS_XENC     "http://www.w3.org/2001/04/xmlenc#"
#define OIOSAML_NS_XENC11   "http://www.w3.org/2009/xmlenc11#"

#define OIOSAML_BINDING_REDIRECT \
    "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
#define OIOSAML_BINDING_POST \
    "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
#define OIOSAML_STATUS_SUCCESS \
    "urn:oasis:names:tc:SAML:2.0:status:Success"
#define OIOSAML_CM_BEARER   "urn:oasis:names:tc:SAML:2.0:cm:bearer"
#define OIOSAML_NAMEID_ENTITY \
    "urn:oasis:names:tc:SAML:2.0:nameid-format:entity"


/* limits */
#define OIOSAML_MAX_RESPONSE        (512 * 1024)   /* base64 SAMLResponse */
#define OIOSAML_MAX_METADATA        OIOSAML_METADATA_MAX
#define OIOSAML_MAX_ENTITY_ID       1024
#define OIOSAML_MAX_SECRET_FILE     4096
#define OIOSAML_MIN_SECRET          32
#define OIOSAML_MAX_IDP_CERTS       8
#define OIOSAML_MAX_SP_KEYS         4
#define OIOSAML_MAX_INFLATED        (256 * 1024)
#define OIOSAML_MAX_ATTR_VALUE      (64 * 1024)
#define OIOSAML_MAX_ATTRIBUTES      256

#define OIOSAML_DEFAULT_SKEW        180
#define OIOSAML_DEFAULT_REQUEST_LIFETIME  600


/* one trusted certificate (IdP signing, or our own) */
typedef struct {
    X509           *x509;
    EVP_PKEY       *pkey;           /* public key of x509 */
    xmlSecKeyPtr    key;            /* the same, for xmlsec */
    time_t          not_before;
    time_t          not_after;
    unsigned char   sha256[32];
    char           *der_b64;        /* for metadata */
} oiosaml_cert_t;


/* a client address range (ip= on an IdP) */
typedef struct {
    int             family;             /* AF_INET, AF_INET6 */
    unsigned char   addr[16];
    unsigned        bits;
} oiosaml_range_t;


struct oiosaml_idp_s {
    char               *id;
    char               *label;
    char               *metadata_file;
    char               *entity;         /* entity=: picked from an aggregate */
    char               *entity_id;
    char               *sso_url;
    char               *slo_url;
    char               *slo_response_url;
    time_t              valid_until;
    oiosaml_profile_t   profile;
    oiosaml_signed_t    signed_part;
    oiosaml_loa_t       max_loa;
    int                 high_nist;
    unsigned            allow_sha1:1;
    unsigned            require_encryption:1;
    unsigned            hidden:1;
    unsigned            down:1;
    oiosaml_cert_t      next;           /* next_cert, if has_next */
    time_t              next_from;
    time_t              cert_grace;
    oiosaml_cert_t      signer;         /* metadata_signer, if has_signer */
    unsigned            has_next:1;
    unsigned            has_signer:1;
    char               *backup;
    char              **replaces;       /* NULL-terminated */
    size_t              nranges;
    oiosaml_range_t    *ranges;
    size_t              ncerts;
    oiosaml_cert_t      certs[OIOSAML_MAX_IDP_CERTS];
};


typedef struct {
    EVP_PKEY       *pkey;           /* private key */
    oiosaml_cert_t  cert;
    time_t          from;
    void           *lasso_key;      /* LassoKey*, signs redirect queries */
} oiosaml_sp_key_t;


/* what our metadata says beyond keys and endpoints (oiosaml_spmeta.c) */
#define OIOSAML_MAX_SPMETA_ITEMS    32

typedef struct {
    char               *name;
    int                 required;
} oiosaml_spmeta_attr_t;

typedef struct {
    char               *lang;
    char               *name;
    char               *display_name;
    char               *url;
} oiosaml_spmeta_org_t;

typedef struct {
    char               *type;
    char               *email;
    char               *company;
    char               *given_name;
    char               *phone;
} oiosaml_spmeta_contact_t;

typedef struct {
    oiosaml_spmeta_attr_t     attrs[OIOSAML_MAX_SPMETA_ITEMS];
    size_t                    nattrs;
    oiosaml_spmeta_org_t      names[OIOSAML_MAX_SPMETA_ITEMS];  /* lang, name */
    size_t                    nnames;
    oiosaml_spmeta_org_t      orgs[OIOSAML_MAX_SPMETA_ITEMS];
    size_t                    norgs;
    oiosaml_spmeta_contact_t  contacts[OIOSAML_MAX_SPMETA_ITEMS];
    size_t                    ncontacts;
    time_t                    built;        /* when metadata[] was made */
} oiosaml_spmeta_t;


struct oiosaml_sp_s {
    char               *entity_id;
    char               *base_url;
    char               *prefix;
    char               *acs_url;
    char               *sls_url;
    size_t              nkeys;
    oiosaml_sp_key_t    keys[OIOSAML_MAX_SP_KEYS];
    size_t              nidps;
    size_t              idps_cap;
    oiosaml_idp_t     **idps;
    unsigned char       secret[32];     /* PRK from the cookie secret */
    unsigned char       pack_key[32];   /* for sessions in a store, once
                                         * finished (oiosaml_pack.c) */
    unsigned            has_secret:1;
    unsigned            has_pack_key:1;
    unsigned            finished:1;
    unsigned            allow_unsolicited:1;
    time_t              skew;
    time_t              request_lifetime;
    char               *metadata[OIOSAML_MAX_SP_KEYS];  /* per signing key */
    size_t              metadata_len[OIOSAML_MAX_SP_KEYS];
    oiosaml_spmeta_t    md;
    oiosaml_template_t *choice_template;
    oiosaml_idp_t     **sorted;         /* by label, Danish order */
};


struct oiosaml_identity_s {
    const oiosaml_idp_t  *idp;
    oiosaml_loa_t         loa;
    /* what the assertion says about the level, before the profile rules */
    oiosaml_loa_t         nsis;         /* nsis/loa attribute */
    oiosaml_loa_t         nist;         /* AssuranceLevel attribute */
    unsigned              mfa:1;        /* ADFS multipleauthn seen */
    /* a level attribute is present, whether its value reads or not */
    unsigned              level_stated:1;
    unsigned              expired_cert:1;   /* trusted by cert_grace */
    time_t                not_on_or_after;
    char                 *assertion_id;
    time_t                replay_until;     /* expiry plus the skew */
    char                 *fields[OIOSAML_F_MAX];
    size_t                lens[OIOSAML_F_MAX];
};


/* errors (oiosaml_status.c) */
/* as oiosaml_err_set, and appends the OpenSSL error queue (and clears it) */
oiosaml_status_t oiosaml_err_openssl(oiosaml_err_t *err,
    oiosaml_status_t status, const char *what);
/* as oiosaml_err_set, and appends the last libxml2/xmlsec error */
oiosaml_status_t oiosaml_err_xml(oiosaml_err_t *err, oiosaml_status_t status,
    const char *what);
void oiosaml_lib_error_clear(void);
const char *oiosaml_lib_error(void);
void oiosaml_lib_error_set(const char *fmt, ...);


/* a growing buffer (oiosaml_util.c); failures are sticky in "failed" */
typedef struct {
    char       *data;
    size_t      len;
    size_t      cap;
    unsigned    failed:1;
} oiosaml_buf_t;

void oiosaml_buf_add(oiosaml_buf_t *b, const char *s, size_t len);
void oiosaml_buf_str(oiosaml_buf_t *b, const char *s);
/* HTML-escaped: & < > " ' */
void oiosaml_buf_html(oiosaml_buf_t *b, const char *s, size_t len);
/* percent-encoded for a URL query component */
void oiosaml_buf_url(oiosaml_buf_t *b, const char *s, size_t len);


/* templates (oiosaml_template.c) */

/* a view: variables, lists of sub-views, and the view around it */
typedef struct oiosaml_tview_s  oiosaml_tview_t;

typedef struct {
    const char             *name;
    const oiosaml_tview_t  *items;
    size_t                  nitems;
} oiosaml_tlist_t;

struct oiosaml_tview_s {
    const char *const      *names;
    const char *const      *values;     /* NULL or "": false in sections */
    size_t                  nvars;
    const oiosaml_tlist_t  *lists;
    size_t                  nlists;
    const oiosaml_tview_t  *parent;
};

oiosaml_status_t oiosaml_template_new(const char *text, size_t len,
    oiosaml_template_t **t, oiosaml_err_t *err);
void oiosaml_template_free(oiosaml_template_t *t);
void oiosaml_template_render(const oiosaml_template_t *t,
    const oiosaml_tview_t *view, oiosaml_buf_t *out);


/* memory and strings (oiosaml_util.c) */
char *oiosaml_strndup(const char *s, size_t len);
char *oiosaml_strdup(const char *s);
void oiosaml_wipe_free(void *p, size_t len);
oiosaml_status_t oiosaml_read_file(const char *file, size_t max,
    unsigned char **data, size_t *len, oiosaml_err_t *err);


/* secrets (oiosaml_secret.c) */
/*
 * Is a secret obviously weak (few distinct bytes, a short pattern
 * repeated, a low entropy estimate)?  1, and why ("it ...") in why.
 */
int oiosaml_secret_weak(const unsigned char *s, size_t len, char *why,
    size_t size);
/* 1 when every byte is printable ASCII, space, tab, CR or LF */
int oiosaml_secret_text(const unsigned char *s, size_t len);


/* base64 (oiosaml_b64.c) */
oiosaml_status_t oiosaml_b64_decode(const char *in, size_t len,
    unsigned char **out, size_t *out_len);
char *oiosaml_b64_encode(const unsigned char *in, size_t len, size_t *olen);
void oiosaml_hex(char *dst, const unsigned char *src, size_t len);


/* time (oiosaml_time.c) */
oiosaml_status_t oiosaml_time_parse(const char *s, size_t len, time_t *t);
/* writes "YYYY-MM-DDTHH:MM:SSZ" and a NUL; buf holds 21 bytes */
void oiosaml_time_format(time_t t, char *buf);
time_t oiosaml_timegm(int year, int mon, int mday, int hour, int min,
    int sec);


/* XML (oiosaml_xml.c) */
oiosaml_status_t oiosaml_xml_parse(const char *buf, size_t len,
    xmlDocPtr *doc, oiosaml_err_t *err);
int oiosaml_xml_is(const xmlNode *node, const char *ns, const char *name);
xmlNodePtr oiosaml_xml_first(const xmlNode *parent);
xmlNodePtr oiosaml_xml_next(const xmlNode *node);
xmlNodePtr oiosaml_xml_child(const xmlNode *parent, const char *ns,
    const char *name);
size_t oiosaml_xml_count(const xmlNode *parent, const char *ns,
    const char *name);
/* attribute value without a copy, NULL when absent or not plain text */
const char *oiosaml_xml_attr(const xmlNode *node, const char *name);
/* the whole text content (all text children), malloc'd */
char *oiosaml_xml_text(const xmlNode *node);
/* serializes a document, malloc'd */
char *oiosaml_xml_dump(xmlDocPtr doc, size_t *len);


/* keys and certificates (oiosaml_key.c) */
oiosaml_status_t oiosaml_cert_from_der(const unsigned char *der, size_t len,
    oiosaml_cert_t *cert, oiosaml_err_t *err);
oiosaml_status_t oiosaml_cert_from_b64(const char *b64, size_t len,
    oiosaml_cert_t *cert, oiosaml_err_t *err);
oiosaml_status_t oiosaml_cert_load(const char *file, oiosaml_cert_t *cert,
    oiosaml_err_t *err);
void oiosaml_cert_clear(oiosaml_cert_t *cert);
void oiosaml_cert_info(const oiosaml_cert_t *cert, const char *use,
    time_t from, oiosaml_cert_info_t *info);
oiosaml_status_t oiosaml_pkey_load(const char *file, EVP_PKEY **pkey,
    oiosaml_err_t *err);
xmlSecKeyPtr oiosaml_xmlsec_key(EVP_PKEY *pkey);


/* address ranges (oiosaml_ip.c) */
oiosaml_status_t oiosaml_ranges_parse(const char *list, oiosaml_range_t **r,
    size_t *n, oiosaml_err_t *err);
int oiosaml_range_match(const oiosaml_range_t *r, int family,
    const unsigned char *addr);


/* metadata (oiosaml_metadata.c) */
oiosaml_status_t oiosaml_metadata_load(oiosaml_idp_t *idp, const char *buf,
    size_t len, time_t now, oiosaml_err_t *err);
/* frees what oiosaml_metadata_load() set */
void oiosaml_metadata_clear(oiosaml_idp_t *idp);

/* the IdP's trust set at time t: certificates within validity (with the
 * grace) and the next certificate once active; returns how many */
size_t oiosaml_idp_trust_set(const oiosaml_idp_t *idp, time_t t,
    time_t skew, oiosaml_cert_t *set);


/* signatures (oiosaml_dsig.c) */
typedef struct {
    const oiosaml_cert_t   *certs;
    size_t                  ncerts;
    size_t                 *matched;    /* if set: the certificate used */
    unsigned                allow_sha1:1;
} oiosaml_trust_t;

/*
 * Verifies the ds:Signature that is a direct child of node and whose one
 * Reference points at node's ID.  Returns OIOSAML_DENY_UNSIGNED when node
 * carries no signature.
 */
oiosaml_status_t oiosaml_dsig_verify(xmlNodePtr node,
    const oiosaml_trust_t *trust, oiosaml_err_t *err);
oiosaml_status_t oiosaml_dsig_sign(xmlNodePtr node, xmlNodePtr after,
    const oiosaml_sp_key_t *key, oiosaml_err_t *err);
/* one element in the document carries this ID value, and it is node */
oiosaml_status_t oiosaml_dsig_register_id(xmlNodePtr node, const char *id,
    oiosaml_err_t *err);


/* decryption (oiosaml_decrypt.c) */
/*
 * RSA private-key operations made to unwrap EncryptedKeys, before any
 * signature is known good: counted for the tests, which bound them.
 */
extern unsigned long  oiosaml_pkey_ops;

oiosaml_status_t oiosaml_decrypt_assertion(const oiosaml_sp_t *sp,
    xmlNodePtr encrypted_assertion, xmlNodePtr *assertion,
    oiosaml_err_t *err);


/* identity (oiosaml_identity.c) */
oiosaml_status_t oiosaml_identity_from_assertion(const oiosaml_idp_t *idp,
    xmlNodePtr assertion, oiosaml_loa_t requested,
    oiosaml_identity_t **identity, oiosaml_err_t *err);


/* the choice page (oiosaml_choice.c) */
oiosaml_status_t oiosaml_choice_finish(oiosaml_sp_t *sp, oiosaml_err_t *err);


/* sealing (oiosaml_seal.c): the key for a purpose */
#define OIOSAML_PACK_PURPOSE  "session"     /* its HKDF info (pack.c) */

oiosaml_status_t oiosaml_seal_key(const oiosaml_sp_t *sp,
    const char *purpose, unsigned char *key, oiosaml_err_t *err);

/* SP metadata (oiosaml_spmeta.c): signed with keys[key] */
void oiosaml_spmeta_free(oiosaml_spmeta_t *md);
oiosaml_status_t oiosaml_spmeta_build(const oiosaml_sp_t *sp, time_t now,
    size_t key, char **xml, size_t *len, oiosaml_err_t *err);


/* redirect binding (oiosaml_redirect.c) */
const oiosaml_sp_key_t *oiosaml_sp_signing_key(const oiosaml_sp_t *sp,
    time_t now);
oiosaml_status_t oiosaml_redirect_url(const oiosaml_sp_t *sp,
    void *lasso_node, const char *param, const char *url, const char *relay,
    time_t now, char **out, oiosaml_err_t *err);
oiosaml_status_t oiosaml_redirect_inflate(const char *b64, size_t len,
    unsigned char **xml, size_t *xml_len, oiosaml_err_t *err);
void oiosaml_new_id(char *id);


/* query strings (oiosaml_url.c) */
/* finds name in a raw query; value still percent-encoded */
int oiosaml_query_get(const char *query, size_t len, const char *name,
    const char **value, size_t *vlen);
/* percent-decodes in place (also '+' to space); returns the new length */
size_t oiosaml_url_decode(char *s, size_t len);


/* levels (oiosaml_loa.c) */
#define OIOSAML_NSIS_LOA_PREFIX  "https://data.gov.dk/concept/core/nsis/loa/"
#define OIOSAML_NIST_LOA_PREFIX  "urn:dk:gov:saml:attribute:AssuranceLevel:"
#define OIOSAML_MULTIPLEAUTHN \
    "http://schemas.microsoft.com/claims/multipleauthn"

/* what an oiosaml2-no-loa IdP delivers when max_loa is not set */
#define OIOSAML_LOA_NO_LOA_DEFAULT  OIOSAML_LOA_NIST2

/* the NIST number (1-4) of a level, 0 for none */
int oiosaml_loa_nist(oiosaml_loa_t loa);
/* the NIST number to request from this IdP (its High mapping applied) */
int oiosaml_loa_request_nist(const oiosaml_idp_t *idp, oiosaml_loa_t loa);
/* the level reached, by the IdP's profile; sets identity->loa */
oiosaml_status_t oiosaml_loa_achieved(oiosaml_identity_t *identity,
    oiosaml_loa_t requested, oiosaml_err_t *err);
/* the NSIS word ("Low", ...) of a level, NULL for none */
const char *oiosaml_loa_nsis(oiosaml_loa_t loa);


#endif /* _OIOSAML_INTERNAL_H_INCLUDED_ */
