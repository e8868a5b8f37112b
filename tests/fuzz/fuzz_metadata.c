
/*
 * IdP metadata: oiosaml_metadata_load() (what oiosaml_idp_new() does
 * with the file's content) on a zeroed IdP at a fixed time, then the
 * availability check and oiosaml_idp_free(); once without entity= and
 * once picking https://idp.test/ from an aggregate (entity=).  Metadata
 * comes from the operator, often fetched from a URL or a federation
 * (oiosamlctl metadata fetch checks a download with this code before it
 * writes it): trusted, still parsed with care (XML, base64, DER
 * certificates, validUntil, aggregates).
 */


#include <stdlib.h>
#include <string.h>

#include "oiosaml_internal.h"
#include "fuzz_support.h"


int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
static void fz_metadata(const uint8_t *data, size_t size,
    const char *entity);


static time_t  fz_t;


int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void) argc;
    (void) argv;

    fz_init();
    fz_t = fz_now();

    return 0;
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_metadata(data, size, NULL);
    fz_metadata(data, size, "https://idp.test/");

    return 0;
}


static void
fz_metadata(const uint8_t *data, size_t size, const char *entity)
{
    size_t            i;
    oiosaml_err_t     err;
    oiosaml_idp_t    *idp;
    oiosaml_status_t  rc;

    idp = calloc(1, sizeof(oiosaml_idp_t));
    if (idp == NULL) {
        return;
    }

    idp->entity = entity ? strdup(entity) : NULL;

    oiosaml_err_clear(&err);

    rc = oiosaml_metadata_load(idp, (const char *) data, size, fz_t, &err);
    fz_report("metadata", rc, &err);

    if (rc == OIOSAML_OK) {
        fz_assert(idp->entity_id != NULL && idp->entity_id[0] != '\0');
        fz_assert(idp->sso_url != NULL);
        fz_assert(idp->slo_response_url != NULL);
        fz_assert(idp->ncerts >= 1 && idp->ncerts <= OIOSAML_MAX_IDP_CERTS);
        fz_assert(idp->valid_until == 0 || idp->valid_until > fz_t);
        fz_assert(entity == NULL || strcmp(idp->entity_id, entity) == 0);

        for (i = 0; i < idp->ncerts; i++) {
            fz_assert(idp->certs[i].x509 != NULL);
            fz_assert(idp->certs[i].pkey != NULL);
        }

        (void) oiosaml_idp_available(idp, fz_t);

    } else {
        fz_assert(rc != OIOSAML_OK && err.status != OIOSAML_OK);
    }

    oiosaml_idp_free(idp);
}
