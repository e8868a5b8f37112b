
/*
 * Assurance levels and IdP profiles: the one table for both scales.
 *
 * KOMBIT's mapping: NIST {1, 2} -> Low, 3 -> Substantial, 4 -> High, and
 * Low -> 2, Substantial -> 3, High -> 4.  A level's rank puts both scales
 * on one line so that they compare.
 */


#include <string.h>
#include <strings.h>

#include "oiosaml_internal.h"


typedef struct {
    oiosaml_loa_t   loa;
    const char     *name;       /* configuration and header name */
    int             rank;
    int             nist;       /* NIST number this level maps to */
    const char     *nsis;       /* NSIS word this level maps to */
} oiosaml_loa_info_t;


static const oiosaml_loa_info_t  oiosaml_loas[] = {
    { OIOSAML_LOA_NONE,        "none",        0, 0, NULL },
    { OIOSAML_LOA_NIST1,       "nist1",       1, 1, "Low" },
    { OIOSAML_LOA_NIST2,       "nist2",       2, 2, "Low" },
    { OIOSAML_LOA_LOW,         "low",         2, 2, "Low" },
    { OIOSAML_LOA_NIST3,       "nist3",       3, 3, "Substantial" },
    { OIOSAML_LOA_SUBSTANTIAL, "substantial", 3, 3, "Substantial" },
    { OIOSAML_LOA_NIST4,       "nist4",       4, 4, "High" },
    { OIOSAML_LOA_HIGH,        "high",        4, 4, "High" },
};

#define OIOSAML_NLOAS  (sizeof(oiosaml_loas) / sizeof(oiosaml_loas[0]))


static const char *const  oiosaml_profile_names[] = {
    "oiosaml2",
    "oiosaml2-adfs-multipleauthn",
    "oiosaml2-no-loa",
    "oiosaml3",
    "oiosaml3-adfs-multipleauthn",
    "oiosaml3-adfs-relaystate",
};

#define OIOSAML_NPROFILES \
    (sizeof(oiosaml_profile_names) / sizeof(oiosaml_profile_names[0]))


static const oiosaml_loa_info_t *
oiosaml_loa_info(oiosaml_loa_t loa)
{
    if ((size_t) loa >= OIOSAML_NLOAS) {
        return &oiosaml_loas[0];
    }

    return &oiosaml_loas[loa];
}


oiosaml_status_t
oiosaml_loa_parse(const char *s, size_t len, oiosaml_loa_t *loa)
{
    size_t  i, n;

    /* the request/response URI forms */
    n = sizeof(OIOSAML_NSIS_LOA_PREFIX) - 1;

    if (len > n && memcmp(s, OIOSAML_NSIS_LOA_PREFIX, n) == 0) {
        s += n;
        len -= n;

    } else {
        n = sizeof(OIOSAML_NIST_LOA_PREFIX) - 1;

        if (len == n + 1 && memcmp(s, OIOSAML_NIST_LOA_PREFIX, n) == 0) {
            s += n;
            len = 1;
        }
    }

    /* a bare NIST number, as the AssuranceLevel attribute carries it */
    if (len == 1 && s[0] >= '1' && s[0] <= '4') {
        *loa = (oiosaml_loa_t[]) { OIOSAML_LOA_NIST1, OIOSAML_LOA_NIST2,
                                   OIOSAML_LOA_NIST3,
                                   OIOSAML_LOA_NIST4 }[s[0] - '1'];
        return OIOSAML_OK;
    }

    for (i = 1; i < OIOSAML_NLOAS; i++) {
        if (strlen(oiosaml_loas[i].name) == len
            && strncasecmp(oiosaml_loas[i].name, s, len) == 0)
        {
            *loa = oiosaml_loas[i].loa;
            return OIOSAML_OK;
        }
    }

    return OIOSAML_ERR_CONFIG;
}


const char *
oiosaml_loa_name(oiosaml_loa_t loa)
{
    return oiosaml_loa_info(loa)->name;
}


int
oiosaml_loa_cmp(oiosaml_loa_t a, oiosaml_loa_t b)
{
    return oiosaml_loa_info(a)->rank - oiosaml_loa_info(b)->rank;
}


int
oiosaml_loa_nist(oiosaml_loa_t loa)
{
    return oiosaml_loa_info(loa)->nist;
}


const char *
oiosaml_loa_nsis(oiosaml_loa_t loa)
{
    return oiosaml_loa_info(loa)->nsis;
}


oiosaml_status_t
oiosaml_profile_parse(const char *s, size_t len, oiosaml_profile_t *profile)
{
    size_t  i;

    for (i = 0; i < OIOSAML_NPROFILES; i++) {
        if (strlen(oiosaml_profile_names[i]) == len
            && memcmp(oiosaml_profile_names[i], s, len) == 0)
        {
            *profile = (oiosaml_profile_t) i;
            return OIOSAML_OK;
        }
    }

    return OIOSAML_ERR_CONFIG;
}


const char *
oiosaml_profile_name(oiosaml_profile_t profile)
{
    if ((size_t) profile >= OIOSAML_NPROFILES) {
        return "?";
    }

    return oiosaml_profile_names[profile];
}
