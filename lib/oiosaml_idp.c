
/*
 * Identity providers: configuration plus what their metadata says.
 */


#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/x509.h>

#include "oiosaml_internal.h"


#define OIOSAML_MAX_IDP_ID  63


static oiosaml_status_t oiosaml_idp_build(const oiosaml_idp_conf_t *conf,
    const char *xml, size_t len, time_t now, oiosaml_idp_t **out,
    oiosaml_err_t *err);
static oiosaml_status_t oiosaml_idp_conf_check(
    const oiosaml_idp_conf_t *conf, oiosaml_err_t *err);
static oiosaml_status_t oiosaml_idp_options(oiosaml_idp_t *idp,
    const oiosaml_idp_conf_t *conf, oiosaml_err_t *err);
static oiosaml_status_t oiosaml_idp_config_error(oiosaml_status_t rc,
    oiosaml_status_t before, oiosaml_err_t *err);


static const char *const  oiosaml_signed_names[] = {
    "assertion", "response", "either", "both"
};


oiosaml_status_t
oiosaml_idp_new(const oiosaml_idp_conf_t *conf, time_t now,
    oiosaml_idp_t **out, oiosaml_err_t *err)
{
    size_t             len;
    unsigned char     *data;
    oiosaml_status_t   rc, before;

    *out = NULL;
    before = err->status;

    if (conf->id == NULL || conf->metadata_file == NULL) {
        return oiosaml_err_set(err, OIOSAML_ERR_ARG,
                               "an IdP needs an id and a metadata file");
    }

    rc = oiosaml_idp_conf_check(conf, err);
    if (rc != OIOSAML_OK) {
        return rc;
    }

    rc = oiosaml_read_file(conf->metadata_file, OIOSAML_MAX_METADATA, &data,
                           &len, err);
    if (rc != OIOSAML_OK) {
        return rc;
    }

    rc = oiosaml_idp_build(conf, (const char *) data, len, now, out, err);
    free(data);

    return oiosaml_idp_config_error(rc, before, err);
}


oiosaml_status_t
oiosaml_idp_from_metadata(const oiosaml_idp_conf_t *conf, const char *xml,
    size_t len, time_t now, oiosaml_idp_t **out, oiosaml_err_t *err)
{
    *out = NULL;

    if (conf->id == NULL) {
        return oiosaml_err_set(err, OIOSAML_ERR_ARG, "an IdP needs an id");
    }

    if (len > OIOSAML_MAX_METADATA) {
        return oiosaml_err_set(err, OIOSAML_BAD_TOO_LARGE,
                               "metadata is larger than %d bytes",
                               OIOSAML_MAX_METADATA);
    }

    return oiosaml_idp_build(conf, xml, len, now, out, err);
}


/*
 * For the configuration-time and refresh entry points: every fault of the
 * metadata is OIOSAML_ERR_CONFIG there, as it always was; err keeps the
 * text (and its status says the same, unless it held a failure before).
 */
static oiosaml_status_t
oiosaml_idp_config_error(oiosaml_status_t rc, oiosaml_status_t before,
    oiosaml_err_t *err)
{
    if (!oiosaml_is_denial(rc) && !oiosaml_is_bad_input(rc)) {
        return rc;
    }

    if (before == OIOSAML_OK) {
        err->status = OIOSAML_ERR_CONFIG;
    }

    return OIOSAML_ERR_CONFIG;
}


/* the configuration's own rules, before any file is read */
static oiosaml_status_t
oiosaml_idp_conf_check(const oiosaml_idp_conf_t *conf, oiosaml_err_t *err)
{
    size_t  i, n;

    n = strlen(conf->id);

    if (n == 0 || n > OIOSAML_MAX_IDP_ID) {
        return oiosaml_err_set(err, OIOSAML_ERR_CONFIG,
                               "IdP id must be 1 to %d characters",
                               OIOSAML_MAX_IDP_ID);
    }

    for (i = 0; i < n; i++) {
        char  c = conf->id[i];

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'))
        {
            return oiosaml_err_set(err, OIOSAML_ERR_CONFIG,
                                   "IdP id \"%s\" may hold only letters, "
                                   "digits, '-', '_' and '.'", conf->id);
        }
    }

    if (conf->high_nist != 0 && conf->high_nist != 3
        && conf->high_nist != 4)
    {
        return oiosaml_err_set(err, OIOSAML_ERR_CONFIG,
                               "NSIS High maps to NIST 3 or 4, not %d",
                               conf->high_nist);
    }

    if (conf->entity != NULL
        && (conf->entity[0] == '\0'
            || strlen(conf->entity) > OIOSAML_MAX_ENTITY_ID))
    {
        return oiosaml_err_set(err, OIOSAML_ERR_CONFIG,
                               "entity= must be an entityID of 1 to %d "
                               "characters", OIOSAML_MAX_ENTITY_ID);
    }

    return OIOSAML_OK;
}


static oiosaml_status_t
oiosaml_idp_build(const oiosaml_idp_conf_t *conf, const char *xml,
    size_t len, time_t now, oiosaml_idp_t **out, oiosaml_err_t *err)
{
    oiosaml_idp_t     *idp;
    oiosaml_status_t   rc;

    rc = oiosaml_idp_conf_check(conf, err);
    if (rc != OIOSAML_OK) {
        return rc;
    }

    idp = calloc(1, sizeof(oiosaml_idp_t));
    if (idp == NULL) {
        return oiosaml_err_set(err, OIOSAML_ERR_NOMEM, "out of memory");
    }

    idp->id = oiosaml_strdup(conf->id);
    idp->label = oiosaml_strdup(conf->label ? conf->label : conf->id);
    idp->metadata_file = oiosaml_strdup(conf->metadata_file
                                        ? conf->metadata_file : "");
    idp->entity = conf->entity ? oiosaml_strdup(conf->entity) : NULL;
    idp->profile = conf->profile;
    idp->signed_part = conf->signed_part;
    idp->max_loa = conf->max_loa;       /* NONE: not set */
    idp->high_nist = conf->high_nist ? conf->high_nist : 4;
    idp->allow_sha1 = conf->allow_sha1;
    idp->require_encryption = conf->require_encryption;
    idp->hidden = conf->hidden;
    idp->down = conf->down;
    idp->cert_grace = conf->cert_grace;
    idp->next_from = conf->next_from;

    if (idp->id == NULL || idp->label == NULL || idp->metadata_file == NULL
        || (conf->entity != NULL && idp->entity == NULL))
    {
        oiosaml_idp_free(idp);
        return oiosaml_err_set(err, OIOSAML_ERR_NOMEM, "out of memory");
    }

    rc = oiosaml_idp_options(idp, conf, err);
    if (rc != OIOSAML_OK) {
        oiosaml_idp_free(idp);
        return rc;
    }

    if (conf->next_cert != NULL) {
        rc = oiosaml_cert_load(conf->next_cert, &idp->next, err);
        if (rc != OIOSAML_OK) {
            oiosaml_idp_free(idp);
            return rc;
        }

        idp->has_next = 1;
    }

    if (conf->metadata_signer != NULL) {
        rc = oiosaml_cert_load(conf->metadata_signer, &idp->signer, err);
        if (rc != OIOSAML_OK) {
            oiosaml_idp_free(idp);
            return rc;
        }

        idp->has_signer = 1;
    }

    rc = oiosaml_metadata_load(idp, xml, len, now, err);

    if (rc != OIOSAML_OK) {
        oiosaml_idp_free(idp);
        return rc;
    }

    *out = idp;

    return OIOSAML_OK;
}


/* backup=, replaces= and ip= */
static oiosaml_status_t
oiosaml_idp_options(oiosaml_idp_t *idp, const oiosaml_idp_conf_t *conf,
    oiosaml_err_t *err)
{
    size_t       n, i;
    const char  *p, *comma;

    if (conf->backup != NULL) {
        idp->backup = oiosaml_strdup(conf->backup);
        if (idp->backup == NULL) {
            return oiosaml_err_set(err, OIOSAML_ERR_NOMEM, "out of memory");
        }
    }

    if (conf->replaces != NULL) {
        for (n = 1, p = conf->replaces; *p; p++) {
            n += (*p == ',');
        }

        idp->replaces = calloc(n + 1, sizeof(char *));
        if (idp->replaces == NULL) {
            return oiosaml_err_set(err, OIOSAML_ERR_NOMEM, "out of memory");
        }

        for (i = 0, p = conf->replaces; i < n; i++, p = comma + 1) {
            comma = strchr(p, ',');
            idp->replaces[i] = oiosaml_strndup(p, comma ? (size_t) (comma - p)
                                                        : strlen(p));

            if (idp->replaces[i] == NULL) {
                return oiosaml_err_set(err, OIOSAML_ERR_NOMEM,
                                       "out of memory");
            }

            if (idp->replaces[i][0] == '\0') {
                return oiosaml_err_set(err, OIOSAML_ERR_CONFIG,
                                       "empty id in replaces=");
            }

            if (comma == NULL) {
                break;
            }
        }
    }

    if (conf->ip != NULL) {
        return oiosaml_ranges_parse(conf->ip, &idp->ranges, &idp->nranges,
                                    err);
    }

    return OIOSAML_OK;
}


void
oiosaml_idp_free(oiosaml_idp_t *idp)
{
    size_t  i;

    if (idp == NULL) {
        return;
    }

    for (i = 0; idp->replaces != NULL && idp->replaces[i] != NULL; i++) {
        free(idp->replaces[i]);
    }

    free(idp->replaces);
    free(idp->backup);
    free(idp->ranges);

    oiosaml_metadata_clear(idp);

    if (idp->has_next) {
        oiosaml_cert_clear(&idp->next);
    }

    if (idp->has_signer) {
        oiosaml_cert_clear(&idp->signer);
    }

    free(idp->id);
    free(idp->label);
    free(idp->metadata_file);
    free(idp->entity);
    free(idp);
}


const char *
oiosaml_idp_id(const oiosaml_idp_t *idp)
{
    return idp->id;
}


const char *
oiosaml_idp_label(const oiosaml_idp_t *idp)
{
    return idp->label;
}


const char *
oiosaml_idp_entity_id(const oiosaml_idp_t *idp)
{
    return idp->entity_id;
}


oiosaml_profile_t
oiosaml_idp_profile(const oiosaml_idp_t *idp)
{
    return idp->profile;
}


const char *
oiosaml_idp_sso_url(const oiosaml_idp_t *idp)
{
    return idp->sso_url;
}


const char *
oiosaml_idp_slo_url(const oiosaml_idp_t *idp)
{
    return idp->slo_url;
}


int
oiosaml_idp_hidden(const oiosaml_idp_t *idp)
{
    return idp->hidden;
}


int
oiosaml_idp_available(const oiosaml_idp_t *idp, time_t now)
{
    oiosaml_cert_t  set[OIOSAML_MAX_IDP_CERTS + 1];

    if (idp->down || (idp->valid_until != 0 && idp->valid_until <= now)) {
        return 0;
    }

    /* trust: a certificate within its validity (and grace), or next_cert */
    return oiosaml_idp_trust_set(idp, now, 0, set) > 0;
}


oiosaml_status_t
oiosaml_signed_parse(const char *s, size_t len, oiosaml_signed_t *where)
{
    size_t  i;

    for (i = 0; i < sizeof(oiosaml_signed_names) / sizeof(char *); i++) {
        if (strlen(oiosaml_signed_names[i]) == len
            && memcmp(oiosaml_signed_names[i], s, len) == 0)
        {
            *where = (oiosaml_signed_t) i;
            return OIOSAML_OK;
        }
    }

    return OIOSAML_ERR_CONFIG;
}


const char *
oiosaml_signed_name(oiosaml_signed_t where)
{
    if ((size_t) where >= sizeof(oiosaml_signed_names) / sizeof(char *)) {
        return "?";
    }

    return oiosaml_signed_names[where];
}


const char *
oiosaml_idp_metadata_file(const oiosaml_idp_t *idp)
{
    return idp->metadata_file;
}


time_t
oiosaml_idp_valid_until(const oiosaml_idp_t *idp)
{
    return idp->valid_until;
}


/* newer metadata into a scratch IdP with this IdP's checks */
static oiosaml_status_t
oiosaml_idp_load_into(const oiosaml_idp_t *idp, oiosaml_idp_t *tmp,
    const char *xml, size_t len, time_t now, oiosaml_err_t *err)
{
    oiosaml_status_t  rc, before;

    before = err->status;

    memset(tmp, 0, sizeof(*tmp));
    tmp->id = idp->id;
    tmp->entity = idp->entity;          /* borrowed */
    tmp->signer = idp->signer;          /* borrowed */
    tmp->has_signer = idp->has_signer;

    rc = oiosaml_metadata_load(tmp, xml, len, now, err);
    if (rc != OIOSAML_OK) {
        oiosaml_metadata_clear(tmp);
        return oiosaml_idp_config_error(rc, before, err);
    }

    if (strcmp(tmp->entity_id, idp->entity_id) != 0) {
        oiosaml_err_set(err, OIOSAML_ERR_CONFIG,
                        "the metadata names entityID \"%.200s\", not "
                        "\"%s\"", tmp->entity_id, idp->entity_id);
        oiosaml_metadata_clear(tmp);
        return OIOSAML_ERR_CONFIG;
    }

    return OIOSAML_OK;
}


oiosaml_status_t
oiosaml_idp_check_metadata(const oiosaml_idp_t *idp, const char *xml,
    size_t len, time_t now, oiosaml_err_t *err)
{
    oiosaml_idp_t     tmp;
    oiosaml_status_t  rc;

    rc = oiosaml_idp_load_into(idp, &tmp, xml, len, now, err);

    if (rc == OIOSAML_OK) {
        oiosaml_metadata_clear(&tmp);
    }

    return rc;
}


oiosaml_status_t
oiosaml_idp_update(oiosaml_idp_t *idp, const char *xml, size_t len,
    time_t now, oiosaml_err_t *err)
{
    size_t            i;
    oiosaml_idp_t     tmp;
    oiosaml_status_t  rc;

    rc = oiosaml_idp_load_into(idp, &tmp, xml, len, now, err);
    if (rc != OIOSAML_OK) {
        return rc;
    }

    oiosaml_metadata_clear(idp);

    idp->entity_id = tmp.entity_id;
    idp->sso_url = tmp.sso_url;
    idp->slo_url = tmp.slo_url;
    idp->slo_response_url = tmp.slo_response_url;
    idp->valid_until = tmp.valid_until;
    idp->ncerts = tmp.ncerts;

    for (i = 0; i < tmp.ncerts; i++) {
        idp->certs[i] = tmp.certs[i];
    }

    return OIOSAML_OK;
}


size_t
oiosaml_idp_trust_set(const oiosaml_idp_t *idp, time_t t, time_t skew,
    oiosaml_cert_t *set)
{
    size_t                 i, n;
    const oiosaml_cert_t  *c;

    n = 0;

    for (i = 0; i < idp->ncerts + idp->has_next; i++) {
        c = (i < idp->ncerts) ? &idp->certs[i] : &idp->next;

        if (i == idp->ncerts && t < idp->next_from) {
            continue;
        }

        if (c->not_before <= t + skew
            && c->not_after + idp->cert_grace + skew >= t)
        {
            set[n++] = *c;
        }
    }

    return n;
}


size_t
oiosaml_idp_trusted_at(const oiosaml_idp_t *idp, time_t t)
{
    oiosaml_cert_t  set[OIOSAML_MAX_IDP_CERTS + 1];

    return oiosaml_idp_trust_set(idp, t, 0, set);
}


oiosaml_status_t
oiosaml_idp_trusts(const oiosaml_idp_t *idp, const char *cert_file,
    time_t t, oiosaml_err_t *err)
{
    size_t            i, n;
    oiosaml_cert_t    c, set[OIOSAML_MAX_IDP_CERTS + 1];
    oiosaml_status_t  rc;

    rc = oiosaml_cert_load(cert_file, &c, err);
    if (rc != OIOSAML_OK) {
        return rc;
    }

    n = oiosaml_idp_trust_set(idp, t, 0, set);
    rc = OIOSAML_DENY_SIGNATURE;

    for (i = 0; i < n; i++) {
        if (memcmp(set[i].sha256, c.sha256, sizeof(c.sha256)) == 0) {
            rc = OIOSAML_OK;
            break;
        }
    }

    oiosaml_cert_clear(&c);

    if (rc != OIOSAML_OK) {
        return oiosaml_err_set(err, rc, "not among the %zu certificates "
                               "IdP \"%s\" is trusted with then", n,
                               idp->id);
    }

    return OIOSAML_OK;
}


size_t
oiosaml_idp_cert_count(const oiosaml_idp_t *idp)
{
    return idp->ncerts + idp->has_next;
}


void
oiosaml_cert_info(const oiosaml_cert_t *c, const char *use, time_t from,
    oiosaml_cert_info_t *info)
{
    BIO   *bio;
    long   n;
    char  *p;

    memset(info, 0, sizeof(*info));
    info->use = use;
    info->not_before = c->not_before;
    info->not_after = c->not_after;
    info->from = from;
    oiosaml_hex(info->sha256, c->sha256, sizeof(c->sha256));

    bio = BIO_new(BIO_s_mem());
    if (bio == NULL) {
        return;
    }

    if (X509_NAME_print_ex(bio, X509_get_subject_name(c->x509), 0,
                           XN_FLAG_RFC2253) >= 0)
    {
        n = BIO_get_mem_data(bio, &p);

        if (n > 0) {
            if ((size_t) n >= sizeof(info->subject)) {
                n = sizeof(info->subject) - 1;
            }

            memcpy(info->subject, p, (size_t) n);
            info->subject[n] = '\0';
        }
    }

    BIO_free(bio);
}


void
oiosaml_idp_cert_info(const oiosaml_idp_t *idp, size_t i,
    oiosaml_cert_info_t *info)
{
    if (i < idp->ncerts) {
        oiosaml_cert_info(&idp->certs[i], "signing", 0, info);

    } else {
        oiosaml_cert_info(&idp->next, "next", idp->next_from, info);
    }
}
