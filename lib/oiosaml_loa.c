
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
    const char     *en;         /* for pages */
    const char     *da;
} oiosaml_loa_info_t;


static const oiosaml_loa_info_t  oiosaml_loas[] = {
    { OIOSAML_LOA_NONE, "none", 0, 0, NULL,
      "no level", "intet niveau" },
    { OIOSAML_LOA_NIST1, "nist1", 1, 1, "Low",
      "NIST level 1", "NIST-niveau 1" },
    { OIOSAML_LOA_NIST2, "nist2", 2, 2, "Low",
      "NIST level 2 (one factor)", "NIST-niveau 2 (en faktor)" },
    { OIOSAML_LOA_LOW, "low", 2, 2, "Low",
      "NSIS Low (one factor)", "NSIS Lav (en faktor)" },
    { OIOSAML_LOA_NIST3, "nist3", 3, 3, "Substantial",
      "NIST level 3 (two factors)", "NIST-niveau 3 (to faktorer)" },
    { OIOSAML_LOA_SUBSTANTIAL, "substantial", 3, 3, "Substantial",
      "NSIS Substantial (two factors)", "NSIS Betydelig (to faktorer)" },
    { OIOSAML_LOA_NIST4, "nist4", 4, 4, "High",
      "NIST level 4", "NIST-niveau 4" },
    { OIOSAML_LOA_HIGH, "high", 4, 4, "High",
      "NSIS High", "NSIS H\xc3\xb8j" },
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


static const oiosaml_loa_info_t *oiosaml_loa_info(oiosaml_loa_t loa);
static int oiosaml_loa_rank(const oiosaml_idp_t *idp, oiosaml_loa_t loa);
static oiosaml_loa_t oiosaml_loa_ceiling(const oiosaml_idp_t *idp);


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


const char *
oiosaml_loa_text(oiosaml_loa_t loa, int danish)
{
    return danish ? oiosaml_loa_info(loa)->da : oiosaml_loa_info(loa)->en;
}


int
oiosaml_loa_nist(oiosaml_loa_t loa)
{
    return oiosaml_loa_info(loa)->nist;
}


int
oiosaml_loa_request_nist(const oiosaml_idp_t *idp, oiosaml_loa_t loa)
{
    int  n;

    n = oiosaml_loa_info(loa)->nist;

    if (n == 4 && idp->high_nist == 3) {
        n = 3;
    }

    return n;
}


/* the rank of a level reached at this IdP */
static int
oiosaml_loa_rank(const oiosaml_idp_t *idp, oiosaml_loa_t loa)
{
    if (loa == OIOSAML_LOA_NIST3 && idp != NULL && idp->high_nist == 3) {
        return oiosaml_loa_info(OIOSAML_LOA_HIGH)->rank;
    }

    return oiosaml_loa_info(loa)->rank;
}


int
oiosaml_loa_satisfies(const oiosaml_idp_t *idp, oiosaml_loa_t achieved,
    oiosaml_loa_t required)
{
    return oiosaml_loa_rank(idp, achieved)
           >= oiosaml_loa_info(required)->rank;
}


/*
 * The most this IdP can give: max_loa when set; for oiosaml2-no-loa the
 * level the operator asserts (max_loa, default nist2); else none.
 */
static oiosaml_loa_t
oiosaml_loa_ceiling(const oiosaml_idp_t *idp)
{
    if (idp->max_loa == OIOSAML_LOA_NONE
        && idp->profile == OIOSAML_PROFILE_OIOSAML2_NO_LOA)
    {
        return OIOSAML_LOA_NO_LOA_DEFAULT;
    }

    return idp->max_loa;
}


oiosaml_status_t
oiosaml_idp_can_reach(const oiosaml_idp_t *idp, oiosaml_loa_t required)
{
    oiosaml_loa_t  ceiling;

    ceiling = oiosaml_loa_ceiling(idp);

    if (ceiling != OIOSAML_LOA_NONE
        && !oiosaml_loa_satisfies(idp, ceiling, required))
    {
        return OIOSAML_DENY_LOA;
    }

    return OIOSAML_OK;
}


/*
 * The level reached, by profile:
 *
 *   oiosaml3*:  the nsis/loa attribute, else the AssuranceLevel attribute;
 *   oiosaml2*:  the AssuranceLevel attribute, else the nsis/loa attribute;
 *   *-adfs-*:   as above; only when the assertion states no level at all
 *               (neither attribute), a "multipleauthn" class or claim
 *               counts as the level that was asked for; otherwise an ADFS
 *               login without a level is one factor (Low / NIST 2);
 *   oiosaml2-no-loa: the level the operator asserts (max_loa, nist2).
 *
 * Then max_loa, when set, caps the level for every profile.  The
 * AuthnContextClassRef never decides a level on its own.
 */
oiosaml_status_t
oiosaml_loa_achieved(oiosaml_identity_t *id, oiosaml_loa_t requested,
    oiosaml_err_t *err)
{
    int                   stated, capped;
    oiosaml_loa_t         loa, ceiling;
    const oiosaml_idp_t  *idp = id->idp;

    stated = id->level_stated || id->nsis != OIOSAML_LOA_NONE
             || id->nist != OIOSAML_LOA_NONE;
    ceiling = oiosaml_loa_ceiling(idp);

    switch (idp->profile) {

    case OIOSAML_PROFILE_OIOSAML2_NO_LOA:
        loa = ceiling;
        break;

    case OIOSAML_PROFILE_OIOSAML2:
        loa = id->nist != OIOSAML_LOA_NONE ? id->nist : id->nsis;
        break;

    case OIOSAML_PROFILE_OIOSAML3:
        loa = id->nsis != OIOSAML_LOA_NONE ? id->nsis : id->nist;
        break;

    case OIOSAML_PROFILE_OIOSAML2_ADFS_MULTIPLEAUTHN:
        loa = id->nist != OIOSAML_LOA_NONE ? id->nist : id->nsis;

        if (loa == OIOSAML_LOA_NONE) {
            loa = OIOSAML_LOA_NIST2;
        }

        break;

    default:    /* the two oiosaml3 ADFS profiles */
        loa = id->nsis != OIOSAML_LOA_NONE ? id->nsis : id->nist;

        if (loa == OIOSAML_LOA_NONE) {
            loa = OIOSAML_LOA_LOW;
        }

        break;
    }

    if (id->mfa && !stated
        && idp->profile != OIOSAML_PROFILE_OIOSAML2
        && idp->profile != OIOSAML_PROFILE_OIOSAML3
        && idp->profile != OIOSAML_PROFILE_OIOSAML2_NO_LOA
        && oiosaml_loa_nist(requested) >= 3
        && oiosaml_loa_cmp(requested, loa) > 0)
    {
        loa = requested;
    }

    capped = 0;

    if (ceiling != OIOSAML_LOA_NONE
        && oiosaml_loa_rank(idp, loa) > oiosaml_loa_rank(idp, ceiling))
    {
        loa = ceiling;
        capped = 1;
    }

    id->loa = loa;

    if (requested != OIOSAML_LOA_NONE
        && !oiosaml_loa_satisfies(idp, loa, requested))
    {
        if (err != NULL && err->status == OIOSAML_OK) {
            err->loa_required = requested;
            err->loa_achieved = loa;
        }

        return oiosaml_err_set(err, OIOSAML_DENY_LOA,
                               "user \"%.200s\" logged in at IdP \"%s\" with "
                               "level %s, the login asked for %s%s",
                               id->fields[OIOSAML_F_USER]
                               ? id->fields[OIOSAML_F_USER] : "",
                               idp->id, oiosaml_loa_name(loa),
                               oiosaml_loa_name(requested),
                               idp->profile == OIOSAML_PROFILE_OIOSAML2_NO_LOA
                               ? " (level asserted by configuration)"
                               : capped ? " (capped by the IdP's max_loa)"
                                        : "");
    }

    return OIOSAML_OK;
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
