
/*
 * The Attributes field in a compact form, for the copy of a session that a
 * node keeps in shared memory.  The field is form-encoded, so ASCII; its
 * names are mostly the long URIs of the OIOSAML 3 and OIOSAML 2 catalogues
 * and of ADFS's claims, which make up most of its bytes.  Each name found
 * in the table below, where a name stands (at the start or after '&',
 * before '='), is kept as one byte: 0x80 + its index.  Expanding gives the
 * field back byte for byte; anything else is kept as it is.
 *
 * The table is append only: a running zone holds codes of the table it
 * was written with.
 */


#include <string.h>

#include "oiosaml_internal.h"


#define OIOSAML_CODE_FIRST   0x80


typedef struct {
    const char  *name;          /* form-encoded, as the field has it */
    size_t       len;
} oiosaml_code_name_t;


#define oiosaml_code(s)      { s, sizeof(s) - 1 }
#define OIOSAML_C_GOV        "https%3A%2F%2Fdata.gov.dk%2F"
#define OIOSAML_C_EID        OIOSAML_C_GOV "model%2Fcore%2Feid%2F"
#define OIOSAML_C_PRO        OIOSAML_C_EID "professional%2F"
#define OIOSAML_C_NSIS       OIOSAML_C_GOV "concept%2Fcore%2Fnsis%2F"
#define OIOSAML_C_DK         "dk%3Agov%3Asaml%3Aattribute%3A"
#define OIOSAML_C_OID        "urn%3Aoid%3A"
#define OIOSAML_C_MS         "http%3A%2F%2Fschemas.microsoft.com%2F"
#define OIOSAML_C_MSC                                                        \
    OIOSAML_C_MS "ws%2F2008%2F06%2Fidentity%2Fclaims%2F"
#define OIOSAML_C_XS         "http%3A%2F%2Fschemas.xmlsoap.org%2F"
#define OIOSAML_C_XSC                                                        \
    OIOSAML_C_XS "ws%2F2005%2F05%2Fidentity%2Fclaims%2F"


static const oiosaml_code_name_t  oiosaml_code_names[] = {
    oiosaml_code(OIOSAML_C_GOV "model%2Fcore%2FspecVersion"),
    oiosaml_code(OIOSAML_C_NSIS "loa"),
    oiosaml_code(OIOSAML_C_NSIS "ial"),
    oiosaml_code(OIOSAML_C_NSIS "aal"),
    oiosaml_code(OIOSAML_C_EID "fullName"),
    oiosaml_code(OIOSAML_C_EID "firstName"),
    oiosaml_code(OIOSAML_C_EID "lastName"),
    oiosaml_code(OIOSAML_C_EID "email"),
    oiosaml_code(OIOSAML_C_EID "alias"),
    oiosaml_code(OIOSAML_C_EID "age"),
    oiosaml_code(OIOSAML_C_EID "dateOfBirth"),
    oiosaml_code(OIOSAML_C_EID "cprNumber"),
    oiosaml_code(OIOSAML_C_EID "cprUuid"),
    oiosaml_code(OIOSAML_C_EID "person%2Fpid"),
    oiosaml_code(OIOSAML_C_PRO "cvr"),
    oiosaml_code(OIOSAML_C_PRO "orgName"),
    oiosaml_code(OIOSAML_C_PRO "uuid%2Fpersistent"),
    oiosaml_code(OIOSAML_C_PRO "rid"),
    oiosaml_code(OIOSAML_C_PRO "productionUnit"),
    oiosaml_code(OIOSAML_C_PRO "seNumber"),
    oiosaml_code(OIOSAML_C_PRO "authorizedToRepresent"),
    oiosaml_code(OIOSAML_C_EID "privilegesIntermediate"),
    oiosaml_code(OIOSAML_C_DK "KombitSpecVer"),
    oiosaml_code(OIOSAML_C_DK "SpecVer"),
    oiosaml_code(OIOSAML_C_DK "AssuranceLevel"),
    oiosaml_code(OIOSAML_C_DK "CvrNumberIdentifier"),
    oiosaml_code(OIOSAML_C_DK "RidNumberIdentifier"),
    oiosaml_code(OIOSAML_C_DK "CprNumberIdentifier"),
    oiosaml_code(OIOSAML_C_DK "PidNumberIdentifier"),
    oiosaml_code(OIOSAML_C_DK "UniqueAccountKey"),
    oiosaml_code(OIOSAML_C_DK "IsYouthCert"),
    oiosaml_code(OIOSAML_C_DK "seNumberIdentifier"),
    oiosaml_code(OIOSAML_C_DK "productionUnitIdentifier"),
    oiosaml_code(OIOSAML_C_DK "UserAdministratorIndicator"),
    oiosaml_code(OIOSAML_C_DK "Privileges_intermediate"),
    oiosaml_code(OIOSAML_C_OID "2.5.4.3"),
    oiosaml_code(OIOSAML_C_OID "2.5.4.4"),
    oiosaml_code(OIOSAML_C_OID "2.5.4.5"),
    oiosaml_code(OIOSAML_C_OID "2.5.4.10"),
    oiosaml_code(OIOSAML_C_OID "2.5.4.11"),
    oiosaml_code(OIOSAML_C_OID "2.5.4.12"),
    oiosaml_code(OIOSAML_C_OID "2.5.4.16"),
    oiosaml_code(OIOSAML_C_OID "2.5.4.65"),
    oiosaml_code(OIOSAML_C_OID "2.5.29.29"),
    oiosaml_code(OIOSAML_C_OID "0.9.2342.19200300.100.1.1"),
    oiosaml_code(OIOSAML_C_OID "0.9.2342.19200300.100.1.3"),
    oiosaml_code(OIOSAML_C_OID "1.3.6.1.4.1.1466.115.121.1.8"),
    oiosaml_code(OIOSAML_C_MSC "authenticationmethod"),
    oiosaml_code(OIOSAML_C_MSC "role"),
    oiosaml_code(OIOSAML_C_MSC "windowsaccountname"),
    oiosaml_code(OIOSAML_C_MS "claims%2Fauthnmethodsreferences"),
    oiosaml_code(OIOSAML_C_XSC "upn"),
    oiosaml_code(OIOSAML_C_XSC "name"),
    oiosaml_code(OIOSAML_C_XSC "emailaddress"),
    oiosaml_code(OIOSAML_C_XSC "givenname"),
    oiosaml_code(OIOSAML_C_XSC "surname"),
    oiosaml_code(OIOSAML_C_XSC "nameidentifier"),
    oiosaml_code(OIOSAML_C_XS "claims%2FGroup"),
};

#define OIOSAML_CODE_NAMES                                                   \
    (sizeof(oiosaml_code_names) / sizeof(oiosaml_code_names[0]))


size_t
oiosaml_attributes_compact(unsigned char *dst, const unsigned char *form,
    size_t len)
{
    size_t                      i, n;
    unsigned char              *p;
    const unsigned char        *eq, *end, *next;
    const oiosaml_code_name_t  *c;

    /* form-encoded: ASCII only, so no byte can be taken for a code */
    for (i = 0; i < len; i++) {
        if (form[i] >= OIOSAML_CODE_FIRST) {
            return (size_t) -1;
        }
    }

    p = dst;
    end = form + len;

    while (form < end) {
        /* a pair: name '=' value, up to the next '&' */
        next = memchr(form, '&', (size_t) (end - form));
        next = next ? next + 1 : end;

        eq = memchr(form, '=', (size_t) (next - form));
        n = eq ? (size_t) (eq - form) : 0;

        for (i = 0; n > 0 && i < OIOSAML_CODE_NAMES; i++) {
            c = &oiosaml_code_names[i];

            if (c->len == n && memcmp(c->name, form, n) == 0) {
                *p++ = (unsigned char) (OIOSAML_CODE_FIRST + i);
                form += n;
                break;
            }
        }

        memcpy(p, form, (size_t) (next - form));
        p += next - form;
        form = next;
    }

    return (size_t) (p - dst);
}


/*
 * Codes stand only where a pair starts (at the start, after '&'): a pair
 * is copied whole up to its '&' (memchr), its name first if it is coded.
 */
size_t
oiosaml_attributes_expanded(const unsigned char *src, size_t len)
{
    size_t                i, n;
    const unsigned char  *end, *next;

    n = 0;
    end = src + len;

    while (src < end) {
        if (*src >= OIOSAML_CODE_FIRST) {
            i = *src++ - OIOSAML_CODE_FIRST;

            if (i >= OIOSAML_CODE_NAMES) {
                return (size_t) -1;
            }

            n += oiosaml_code_names[i].len;
        }

        next = memchr(src, '&', (size_t) (end - src));
        next = next ? next + 1 : end;

        for ( /* void */ ; src < next; src++) {
            if (*src >= OIOSAML_CODE_FIRST) {
                return (size_t) -1;
            }

            n++;
        }
    }

    return n;
}


/* of what oiosaml_attributes_compact() wrote (checked when written) */
unsigned char *
oiosaml_attributes_expand(unsigned char *dst, const unsigned char *src,
    size_t len)
{
    const unsigned char        *end, *next;
    const oiosaml_code_name_t  *c;

    end = src + len;

    while (src < end) {
        if (*src >= OIOSAML_CODE_FIRST) {
            c = &oiosaml_code_names[*src++ - OIOSAML_CODE_FIRST];
            memcpy(dst, c->name, c->len);
            dst += c->len;
        }

        next = memchr(src, '&', (size_t) (end - src));
        next = next ? next + 1 : end;

        memcpy(dst, src, (size_t) (next - src));
        dst += next - src;
        src = next;
    }

    return dst;
}


/* for the unit tests: the table's names */
const char *
oiosaml_attributes_code_name(size_t i)
{
    return i < OIOSAML_CODE_NAMES ? oiosaml_code_names[i].name : NULL;
}
