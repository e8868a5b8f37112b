
/*
 * oiosaml_spmeta.c: our metadata, its content and its signature (checked
 * with the library's xmlsec verifier and the SP certificate as trust).
 */


#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "support.h"
#include "oiosaml_internal.h"



/* when sp_keys() finished its SP: the metadata is read as of then */
static time_t  t_finished;

static oiosaml_sp_t *sp_keys(time_t next_from, time_t at);
static oiosaml_status_t verify(const char *xml, size_t len,
    const char *cert);
static size_t count(const char *s, const char *what);
static char *cert_b64(const char *name);


/* an SP with sp.key from 0 and, unless next_from is -1, sp-next.key */
static oiosaml_sp_t *
sp_keys(time_t next_from, time_t at)
{
    oiosaml_sp_t        *sp;
    oiosaml_err_t        err;
    oiosaml_idp_t       *idp;
    oiosaml_idp_conf_t   ic;

    t_init();
    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_sp_new(T_SP, T_BASE, &sp, &err), OIOSAML_OK);
    assert_int_equal(oiosaml_sp_add_key(sp, t_cert("sp.key"),
                                        t_cert("sp.crt"), 0, &err),
                     OIOSAML_OK);

    if (next_from != -1) {
        assert_int_equal(oiosaml_sp_add_key(sp, t_cert("sp-next.key"),
                                            t_cert("sp-next.crt"),
                                            next_from, &err), OIOSAML_OK);
    }

    memset(&ic, 0, sizeof(ic));
    ic.id = "test";
    ic.metadata_file = t_idp_metadata("unit-idp.xml", T_IDP, "idp.crt",
                                      NULL);
    assert_int_equal(oiosaml_idp_new(&ic, T_NOW, &idp, &err), OIOSAML_OK);
    assert_int_equal(oiosaml_sp_add_idp(sp, idp, &err), OIOSAML_OK);
    assert_int_equal(oiosaml_sp_finish(sp, at, &err), OIOSAML_OK);
    t_finished = at;

    return sp;
}


/* the metadata's signature, with cert as the only trusted one */
static oiosaml_status_t
verify(const char *xml, size_t len, const char *cert)
{
    xmlDocPtr          doc;
    oiosaml_err_t      err;
    oiosaml_cert_t     c;
    oiosaml_trust_t    trust;
    oiosaml_status_t   rc;

    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_cert_load(t_cert(cert), &c, &err), OIOSAML_OK);

    rc = oiosaml_xml_parse(xml, len, &doc, &err);

    if (rc == OIOSAML_OK) {
        memset(&trust, 0, sizeof(trust));
        trust.certs = &c;
        trust.ncerts = 1;
        rc = oiosaml_dsig_verify(xmlDocGetRootElement(doc), &trust, &err);
        xmlFreeDoc(doc);
    }

    oiosaml_cert_clear(&c);

    return rc;
}


static size_t
count(const char *s, const char *what)
{
    size_t  n;

    for (n = 0; (s = strstr(s, what)) != NULL; s++) {
        n++;
    }

    return n;
}


static char *
cert_b64(const char *name)
{
    char             *b64;
    oiosaml_err_t     err;
    oiosaml_cert_t    c;

    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_cert_load(t_cert(name), &c, &err), OIOSAML_OK);
    b64 = strdup(c.der_b64);
    oiosaml_cert_clear(&c);

    return b64;
}


static void
test_content(void **state)
{
    char           *sp_b64, id[64];
    size_t          len, dlen;
    oiosaml_sp_t   *sp;
    const char     *md;
    unsigned int    n;
    unsigned char   d[EVP_MAX_MD_SIZE];

    sp = sp_keys(-1, t_now());
    md = oiosaml_sp_metadata(sp, t_finished ? t_finished : T_NOW, &len);
    assert_non_null(md);
    assert_int_equal(strlen(md), len);

    assert_non_null(strstr(md, "entityID=\"" T_SP "\""));
    assert_non_null(strstr(md, "AuthnRequestsSigned=\"true\""));
    assert_non_null(strstr(md, "WantAssertionsSigned=\"true\""));
    assert_non_null(strstr(md, "<md:SingleLogoutService Binding=\""
                           OIOSAML_BINDING_REDIRECT "\" Location=\"" T_BASE
                           "sls\" ResponseLocation=\"" T_BASE "sls\"/>"));
    assert_non_null(strstr(md, "<md:AssertionConsumerService Binding=\""
                           OIOSAML_BINDING_POST "\" Location=\"" T_ACS
                           "\" index=\"0\" isDefault=\"true\"/>"));
    assert_non_null(strstr(md, "nameid-format:persistent</md:NameIDFormat>"));

    /* the certificate for signing and encryption, and in the KeyInfo */
    sp_b64 = cert_b64("sp.crt");
    assert_int_equal(count(md, sp_b64), 3);
    assert_non_null(strstr(md, "<md:KeyDescriptor use=\"signing\">"));
    assert_non_null(strstr(md, "<md:KeyDescriptor use=\"encryption\">"));
    free(sp_b64);

    /* what we decrypt, on the encryption key only, GCM first */
    assert_int_equal(count(md, "<md:EncryptionMethod "), 8);
    assert_true(strstr(md, "xmlenc11#aes256-gcm")
                < strstr(md, "xmlenc#aes256-cbc"));
    assert_true(strstr(md, "<md:KeyDescriptor use=\"encryption\">")
                < strstr(md, "<md:EncryptionMethod "));

    /* validUntil: when sp.crt expires; cached for six hours */
    assert_non_null(strstr(md, "validUntil=\""));
    assert_non_null(strstr(md, "cacheDuration=\"PT6H\""));

    /* the default attributes, OIOSAML 3, named as uri */
    assert_non_null(strstr(md, "<md:AttributeConsumingService index=\"0\" "
                               "isDefault=\"true\">"));
    assert_non_null(strstr(md, "<md:RequestedAttribute Name=\""
                               "https://data.gov.dk/concept/core/nsis/loa\" "
                               "NameFormat=\"urn:oasis:names:tc:SAML:2.0:"
                               "attrname-format:uri\" isRequired=\"true\"/>"));
    assert_non_null(strstr(md, "privilegesIntermediate\" NameFormat=\"urn:"
                               "oasis:names:tc:SAML:2.0:attrname-format:uri\" "
                               "isRequired=\"false\"/>"));
    assert_int_equal(count(md, "<md:RequestedAttribute "), 9);
    assert_non_null(strstr(md, "<md:ServiceName xml:lang=\"da\">"));
    assert_null(strstr(md, "<md:Organization>"));
    assert_null(strstr(md, "<md:ContactPerson"));

    /* the ID is stable: "_" and the SHA-1 of the entityID in hex */
    EVP_Digest(T_SP, strlen(T_SP), d, &n, EVP_sha1(), NULL);
    id[0] = '_';
    oiosaml_hex(id + 1, d, n);
    dlen = strlen(id);
    assert_int_equal(dlen, 41);
    assert_non_null(strstr(md, id));
    assert_non_null(strstr(md, "URI=\"#"));
    assert_non_null(strstr(strstr(md, "URI=\"#") + 6, id));

    oiosaml_sp_free(sp);
}


static void
test_signature(void **state)
{
    char          *copy, *p;
    size_t         len;
    oiosaml_sp_t  *sp;
    const char    *md;

    sp = sp_keys(-1, t_now());
    md = oiosaml_sp_metadata(sp, t_finished ? t_finished : T_NOW, &len);

    assert_int_equal(verify(md, len, "sp.crt"), OIOSAML_OK);
    assert_int_equal(verify(md, len, "idp.crt"), OIOSAML_DENY_SIGNATURE);
    assert_int_equal(verify(md, len, "sp-next.crt"), OIOSAML_DENY_SIGNATURE);

    /* one byte of signed content changed: the ACS URL */
    copy = strdup(md);
    p = strstr(copy, "saml/acs\"");
    assert_non_null(p);
    p[7] = 'x';
    assert_int_equal(verify(copy, len, "sp.crt"), OIOSAML_DENY_SIGNATURE);
    p[7] = 's';
    assert_int_equal(verify(copy, len, "sp.crt"), OIOSAML_OK);

    /* ... or a byte of the entityID */
    p = strstr(copy, "entityID=\"https://sp.test/\"");
    assert_non_null(p);
    p[18] = 'S';
    assert_int_equal(verify(copy, len, "sp.crt"), OIOSAML_DENY_SIGNATURE);

    free(copy);
    oiosaml_sp_free(sp);
}


/* rollover: both certificates published, the active key signs */
static void
test_two_keys(void **state)
{
    char          *b1, *b2;
    size_t         len;
    time_t         now;
    oiosaml_sp_t  *sp;
    const char    *md, *p1, *p2;

    now = t_now();
    b1 = cert_b64("sp.crt");
    b2 = cert_b64("sp-next.crt");

    sp = sp_keys(now + 86400, now);
    md = oiosaml_sp_metadata(sp, t_finished ? t_finished : T_NOW, &len);

    assert_int_equal(count(md, "<md:KeyDescriptor use=\"signing\">"), 2);
    assert_int_equal(count(md, "<md:KeyDescriptor use=\"encryption\">"), 2);

    /* both in SPSSODescriptor; the KeyInfo of the signature is sp.crt's */
    assert_int_equal(count(md, b1), 3);
    assert_int_equal(count(md, b2), 2);
    p1 = strstr(md, b1);
    p2 = strstr(md, b2);
    assert_true(p1 < p2);

    assert_int_equal(verify(md, len, "sp.crt"), OIOSAML_OK);
    assert_int_equal(verify(md, len, "sp-next.crt"), OIOSAML_DENY_SIGNATURE);
    oiosaml_sp_free(sp);

    /* once the next key is active it signs */
    sp = sp_keys(now + 86400, now + 86400);
    md = oiosaml_sp_metadata(sp, t_finished ? t_finished : T_NOW, &len);
    assert_int_equal(count(md, b1), 2);
    assert_int_equal(count(md, b2), 3);
    assert_int_equal(verify(md, len, "sp-next.crt"), OIOSAML_OK);
    assert_int_equal(verify(md, len, "sp.crt"), OIOSAML_DENY_SIGNATURE);
    oiosaml_sp_free(sp);

    free(b1);
    free(b2);
}


/* an expired certificate is no longer published */
static void
test_expired_key_dropped(void **state)
{
    char            *b1, *b2;
    size_t           len;
    time_t           end;
    oiosaml_sp_t    *sp;
    oiosaml_err_t    err;
    oiosaml_cert_t   c;
    const char      *md;

    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_cert_load(t_cert("sp.crt"), &c, &err),
                     OIOSAML_OK);
    end = c.not_after;
    oiosaml_cert_clear(&c);

    b1 = cert_b64("sp.crt");
    b2 = cert_b64("sp-next.crt");

    /* still valid at its last second */
    sp = sp_keys(end - 86400, end);
    md = oiosaml_sp_metadata(sp, t_finished ? t_finished : T_NOW, &len);
    assert_int_equal(count(md, b1), 2);
    assert_int_equal(count(md, b2), 3);
    oiosaml_sp_free(sp);

    sp = sp_keys(end - 86400, end + 1);
    md = oiosaml_sp_metadata(sp, t_finished ? t_finished : T_NOW, &len);
    assert_int_equal(count(md, b1), 0);
    assert_int_equal(count(md, b2), 3);
    assert_int_equal(verify(md, len, "sp-next.crt"), OIOSAML_OK);
    oiosaml_sp_free(sp);

    free(b1);
    free(b2);
}


/* attributes, names, organization and contacts as configured */
static void
test_registration(void **state)
{
    size_t           len;
    oiosaml_sp_t    *sp;
    oiosaml_err_t    err;
    const char      *md, *p;
    oiosaml_idp_t   *idp;
    oiosaml_idp_conf_t  ic;

    static const char  *attr[] = { "https://data.gov.dk/model/core/eid/"
                                   "professional/cvr", "required" };
    static const char  *name[] = { "en", "Case & \"records\"" };
    static const char  *org_da[] = { "da", "Korsb\xc3\xa6k Kommune",
                                     "Korsb\xc3\xa6k", "https://korsbaek.dk/" };
    static const char  *org_en[] = { "en", "Korsbaek Municipality",
                                     "Korsbaek", "https://korsbaek.dk/en/" };
    static const char  *tech[] = { "technical", "it@korsbaek.dk",
                                   "company=Korsb\xc3\xa6k IT",
                                   "phone=+45 1234 5678" };
    static const char  *bad[] = { "technical", "not-an-address" };
    static const char  *badtype[] = { "sales", "a@b.dk" };
    static const char  *badurl[] = { "da", "x", "y", "ftp://korsbaek.dk/" };
    static const char  *badlang[] = { "dansk!", "x" };

    t_init();
    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_sp_new(T_SP, T_BASE, &sp, &err), OIOSAML_OK);
    assert_int_equal(oiosaml_sp_add_key(sp, t_cert("sp.key"),
                                        t_cert("sp.crt"), 0, &err),
                     OIOSAML_OK);

    assert_int_equal(oiosaml_sp_metadata_option(sp, "oiosaml_sp_attribute",
                                                attr, 2, &err), OIOSAML_OK);
    assert_int_equal(oiosaml_sp_metadata_option(sp,
                         "oiosaml_sp_service_name", name, 2, &err),
                     OIOSAML_OK);
    assert_int_equal(oiosaml_sp_metadata_option(sp,
                         "oiosaml_sp_organization", org_da, 4, &err),
                     OIOSAML_OK);
    assert_int_equal(oiosaml_sp_metadata_option(sp,
                         "oiosaml_sp_organization", org_en, 4, &err),
                     OIOSAML_OK);
    assert_int_equal(oiosaml_sp_has_contact(sp, "technical"), 0);
    assert_int_equal(oiosaml_sp_metadata_option(sp, "oiosaml_sp_contact",
                                                tech, 4, &err), OIOSAML_OK);
    assert_int_equal(oiosaml_sp_has_contact(sp, "technical"), 1);
    assert_int_equal(oiosaml_sp_has_contact(sp, "administrative"), 0);

    /* refused, each with a reason */
    assert_int_equal(oiosaml_sp_metadata_option(sp, "oiosaml_sp_contact",
                                                bad, 2, &err),
                     OIOSAML_ERR_CONFIG);
    assert_non_null(strstr(err.text, "not an e-mail address"));
    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_sp_metadata_option(sp, "oiosaml_sp_contact",
                                                badtype, 2, &err),
                     OIOSAML_ERR_CONFIG);
    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_sp_metadata_option(sp,
                         "oiosaml_sp_organization", badurl, 4, &err),
                     OIOSAML_ERR_CONFIG);
    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_sp_metadata_option(sp,
                         "oiosaml_sp_service_name", badlang, 2, &err),
                     OIOSAML_ERR_CONFIG);
    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_sp_metadata_option(sp, "oiosaml_sp_attribute",
                                                attr + 1, 1, &err),
                     OIOSAML_ERR_CONFIG);
    oiosaml_err_clear(&err);

    memset(&ic, 0, sizeof(ic));
    ic.id = "test";
    ic.metadata_file = t_idp_metadata("unit-idp.xml", T_IDP, "idp.crt",
                                      NULL);
    assert_int_equal(oiosaml_idp_new(&ic, T_NOW, &idp, &err), OIOSAML_OK);
    assert_int_equal(oiosaml_sp_add_idp(sp, idp, &err), OIOSAML_OK);
    assert_int_equal(oiosaml_sp_finish(sp, t_now(), &err), OIOSAML_OK);

    md = oiosaml_sp_metadata(sp, t_now(), &len);
    assert_int_equal(verify(md, len, "sp.crt"), OIOSAML_OK);

    /* only the configured attribute, and escaped text */
    assert_int_equal(count(md, "<md:RequestedAttribute "), 1);
    assert_non_null(strstr(md, "<md:ServiceName xml:lang=\"en\">Case &amp; "
                               "\"records\"</md:ServiceName>"));

    /* the schema's order: names, display names, URLs */
    p = strstr(md, "<md:Organization>");
    assert_non_null(p);
    assert_true(strstr(p, "<md:OrganizationName xml:lang=\"da\">Korsb\xc3"
                          "\xa6k Kommune</md:OrganizationName>")
                < strstr(p, "<md:OrganizationDisplayName xml:lang=\"da\">"));
    assert_true(strstr(p, "<md:OrganizationDisplayName xml:lang=\"en\">")
                < strstr(p, "<md:OrganizationURL xml:lang=\"da\">"));

    /* after the SPSSODescriptor, as the schema wants */
    assert_true(strstr(md, "</md:SPSSODescriptor>") < p);
    p = strstr(md, "<md:ContactPerson contactType=\"technical\">");
    assert_non_null(p);
    assert_non_null(strstr(p, "<md:Company>Korsb\xc3\xa6k IT</md:Company>"));
    assert_non_null(strstr(p, "<md:EmailAddress>mailto:it@korsbaek.dk"
                              "</md:EmailAddress>"));
    assert_non_null(strstr(p, "<md:TelephoneNumber>+45 1234 5678"
                              "</md:TelephoneNumber>"));

    oiosaml_sp_free(sp);
}


/* built again after a day: validUntil stays ahead, signatures verify */
static void
test_refresh(void **state)
{
    size_t           len;
    oiosaml_sp_t    *sp;
    oiosaml_err_t    err;
    const char      *md;
    char            *before;

    sp = sp_keys(-1, t_now());
    md = oiosaml_sp_metadata(sp, t_now(), &len);
    before = strdup(md);

    oiosaml_err_clear(&err);

    /* not yet a day */
    assert_int_equal(oiosaml_sp_metadata_refresh(sp, t_now() + 3600, &err),
                     OIOSAML_OK);
    assert_string_equal(oiosaml_sp_metadata(sp, t_now(), &len), before);

    assert_int_equal(oiosaml_sp_metadata_refresh(sp, t_now() + 86400, &err),
                     OIOSAML_OK);
    md = oiosaml_sp_metadata(sp, t_now(), &len);
    assert_int_equal(strlen(md), len);
    assert_int_equal(verify(md, len, "sp.crt"), OIOSAML_OK);

    free(before);
    oiosaml_sp_free(sp);
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_content),
        cmocka_unit_test(test_signature),
        cmocka_unit_test(test_two_keys),
        cmocka_unit_test(test_expired_key_dropped),
        cmocka_unit_test(test_registration),
        cmocka_unit_test(test_refresh),
    };

    t_init();

    return cmocka_run_group_tests(tests, NULL, NULL);
}
