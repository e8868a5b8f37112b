
/*
 * Identity providers: configuration plus what their metadata says.
 */


#include <stdlib.h>
#include <string.h>

#include "oiosaml_internal.h"


#define OIOSAML_MAX_IDP_ID  63


static oiosaml_status_t oiosaml_idp_options(oiosaml_idp_t *idp,
    const oiosaml_idp_conf_t *conf, oiosaml_err_t *err);


static const char *const  oiosaml_signed_names[] = {
    "assertion", "response", "either", "both"
};


oiosaml_status_t
oiosaml_idp_new(const oiosaml_idp_conf_t *conf, time_t now,
    oiosaml_idp_t **out, oiosaml_err_t *err)
{
    size_t             i, len;
    unsigned char     *data;
    oiosaml_idp_t     *idp;
    oiosaml_status_t   rc;

    *out = NULL;

    if (conf->id == NULL || conf->metadata_file == NULL) {
        return oiosaml_err_set(err, OIOSAML_ERR_ARG,
                               "an IdP needs an id and a metadata file");
    }

    len = strlen(conf->id);

    if (len == 0 || len > OIOSAML_MAX_IDP_ID) {
        return oiosaml_err_set(err, OIOSAML_ERR_CONFIG,
                               "IdP id must be 1 to %d characters",
                               OIOSAML_MAX_IDP_ID);
    }

    for (i = 0; i < len; i++) {
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

    idp = calloc(1, sizeof(oiosaml_idp_t));
    if (idp == NULL) {
        return oiosaml_err_set(err, OIOSAML_ERR_NOMEM, "out of memory");
    }

    idp->id = oiosaml_strdup(conf->id);
    idp->label = oiosaml_strdup(conf->label ? conf->label : conf->id);
    idp->metadata_file = oiosaml_strdup(conf->metadata_file);
    idp->profile = conf->profile;
    idp->signed_part = conf->signed_part;
    idp->max_loa = conf->max_loa != OIOSAML_LOA_NONE ? conf->max_loa
                                                     : OIOSAML_LOA_NIST2;
    idp->high_nist = conf->high_nist ? conf->high_nist : 4;
    idp->allow_sha1 = conf->allow_sha1;
    idp->require_encryption = conf->require_encryption;
    idp->hidden = conf->hidden;
    idp->down = conf->down;

    if (idp->id == NULL || idp->label == NULL || idp->metadata_file == NULL) {
        oiosaml_idp_free(idp);
        return oiosaml_err_set(err, OIOSAML_ERR_NOMEM, "out of memory");
    }

    rc = oiosaml_idp_options(idp, conf, err);
    if (rc != OIOSAML_OK) {
        oiosaml_idp_free(idp);
        return rc;
    }

    rc = oiosaml_read_file(conf->metadata_file, OIOSAML_MAX_METADATA, &data,
                           &len, err);
    if (rc != OIOSAML_OK) {
        oiosaml_idp_free(idp);
        return rc;
    }

    rc = oiosaml_metadata_load(idp, (const char *) data, len, now, err);
    free(data);

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

    for (i = 0; i < idp->ncerts; i++) {
        oiosaml_cert_clear(&idp->certs[i]);
    }

    free(idp->id);
    free(idp->label);
    free(idp->metadata_file);
    free(idp->entity_id);
    free(idp->sso_url);
    free(idp->slo_url);
    free(idp->slo_response_url);
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
    size_t  i;

    if (idp->down || (idp->valid_until != 0 && idp->valid_until <= now)) {
        return 0;
    }

    for (i = 0; i < idp->ncerts; i++) {
        if (idp->certs[i].not_before <= now
            && idp->certs[i].not_after >= now)
        {
            return 1;
        }
    }

    return 0;
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
