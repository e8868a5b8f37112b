
/*
 * SP-initiated login: the AuthnRequest, with the RequestedAuthnContext
 * that the IdP's profile calls for.
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lasso/lasso.h>
#include <lasso/xml/saml-2.0/samlp2_authn_request.h>
#include <lasso/xml/saml-2.0/samlp2_requested_authn_context.h>
#include <lasso/xml/saml-2.0/saml2_name_id.h>

#include "oiosaml_internal.h"


static char *oiosaml_login_classref(const oiosaml_idp_t *idp,
    oiosaml_loa_t loa);


size_t
oiosaml_relay_handle(const char *relay_state, size_t len)
{
    size_t  i;

    for (i = 0; i < len && i <= OIOSAML_RELAY_LEN; i++) {
        char  c = relay_state[i];

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9') || c == '-' || c == '_'))
        {
            break;
        }
    }

    if (i != OIOSAML_RELAY_LEN || (i < len && relay_state[i] != '.')) {
        return 0;
    }

    return i;
}


oiosaml_status_t
oiosaml_login_build(const oiosaml_sp_t *sp, const oiosaml_idp_t *idp,
    const oiosaml_login_params_t *params, time_t now, oiosaml_login_t *login,
    oiosaml_err_t *err)
{
    char                               *classref, instant[21];
    unsigned char                       rnd[16];
    size_t                              n;
    oiosaml_status_t                    rc;
    LassoSamlp2AuthnRequest            *req;
    LassoSamlp2RequestAbstract         *ra;
    LassoSamlp2RequestedAuthnContext   *rac;

    memset(login, 0, sizeof(*login));

    if (oiosaml_random(rnd, sizeof(rnd)) != OIOSAML_OK) {
        return oiosaml_err_openssl(err, OIOSAML_ERR_INTERNAL, "RAND_bytes()");
    }

    oiosaml_new_id(login->id);

    {
        char  *r = oiosaml_b64url_encode(rnd, sizeof(rnd), &n);

        if (r == NULL || n != OIOSAML_RELAY_LEN) {
            free(r);
            return oiosaml_err_set(err, OIOSAML_ERR_NOMEM, "out of memory");
        }

        memcpy(login->relay, r, n + 1);
        free(r);
    }

    /* oiosaml3-adfs-relaystate: the NSIS level travels in the RelayState */
    if (idp->profile == OIOSAML_PROFILE_OIOSAML3_ADFS_RELAYSTATE
        && params->loa != OIOSAML_LOA_NONE)
    {
        snprintf(login->relay_state, sizeof(login->relay_state), "%s.%s",
                 login->relay, oiosaml_loa_nsis(params->loa));

    } else {
        memcpy(login->relay_state, login->relay, OIOSAML_RELAY_LEN + 1);
    }

    oiosaml_time_format(now, instant);

    req = LASSO_SAMLP2_AUTHN_REQUEST(lasso_samlp2_authn_request_new());
    if (req == NULL) {
        return oiosaml_err_set(err, OIOSAML_ERR_NOMEM, "out of memory");
    }

    ra = LASSO_SAMLP2_REQUEST_ABSTRACT(req);
    ra->ID = g_strdup(login->id);
    ra->Version = g_strdup("2.0");
    ra->IssueInstant = g_strdup(instant);
    ra->Destination = g_strdup(idp->sso_url);
    ra->Issuer = LASSO_SAML2_NAME_ID(
                     lasso_saml2_name_id_new_with_string(sp->entity_id));

    req->AssertionConsumerServiceURL = g_strdup(sp->acs_url);
    req->ProtocolBinding = g_strdup(OIOSAML_BINDING_POST);
    req->ForceAuthn = params->force_authn ? TRUE : FALSE;
    req->IsPassive = params->is_passive ? TRUE : FALSE;

    classref = oiosaml_login_classref(idp, params->loa);

    if (classref != NULL) {
        rac = LASSO_SAMLP2_REQUESTED_AUTHN_CONTEXT(
                  lasso_samlp2_requested_authn_context_new());
        rac->AuthnContextClassRef = g_list_append(NULL, classref);
        rac->Comparison = g_strdup("minimum");
        req->RequestedAuthnContext = rac;
    }

    rc = oiosaml_redirect_url(sp, req, "SAMLRequest", idp->sso_url,
                              login->relay_state, now, &login->url, err);

    g_object_unref(req);

    return rc;
}


/* what each profile puts in RequestedAuthnContext (g_malloc'd, or NULL) */
static char *
oiosaml_login_classref(const oiosaml_idp_t *idp, oiosaml_loa_t loa)
{
    if (loa == OIOSAML_LOA_NONE) {
        return NULL;
    }

    switch (idp->profile) {

    case OIOSAML_PROFILE_OIOSAML2:
        return g_strdup_printf(OIOSAML_NIST_LOA_PREFIX "%d",
                               oiosaml_loa_request_nist(idp, loa));

    case OIOSAML_PROFILE_OIOSAML3:
        return g_strdup_printf(OIOSAML_NSIS_LOA_PREFIX "%s",
                               oiosaml_loa_nsis(loa));

    case OIOSAML_PROFILE_OIOSAML2_ADFS_MULTIPLEAUTHN:
    case OIOSAML_PROFILE_OIOSAML3_ADFS_MULTIPLEAUTHN:
    case OIOSAML_PROFILE_OIOSAML3_ADFS_RELAYSTATE:
        if (oiosaml_loa_nist(loa) >= 3) {
            return g_strdup(OIOSAML_MULTIPLEAUTHN);
        }

        return NULL;

    case OIOSAML_PROFILE_OIOSAML2_NO_LOA:
    default:
        return NULL;
    }
}
