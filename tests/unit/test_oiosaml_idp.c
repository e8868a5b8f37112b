
/*
 * oiosaml_idp.c: the IdP object, its id rules and accessors, and the
 * signed= names.
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"
#include "oiosaml_internal.h"


static oiosaml_status_t idp_new(const char *id, const char *md,
    oiosaml_idp_t **idp);


static oiosaml_status_t
idp_new(const char *id, const char *md, oiosaml_idp_t **idp)
{
    oiosaml_err_t       err;
    oiosaml_status_t    rc;
    oiosaml_idp_conf_t  ic;

    memset(&ic, 0, sizeof(ic));
    ic.id = id;
    ic.metadata_file = md;
    oiosaml_err_clear(&err);

    rc = oiosaml_idp_new(&ic, T_NOW, idp, &err);
    assert_int_equal(err.status, rc);

    if (rc != OIOSAML_OK) {
        assert_null(*idp);
    }

    return rc;
}


static void
test_conf_and_accessors(void **state)
{
    oiosaml_err_t        err;
    oiosaml_idp_t       *idp;
    oiosaml_idp_conf_t   ic;

    memset(&ic, 0, sizeof(ic));
    ic.id = "nemlog-in";
    ic.metadata_file = t_idp_metadata("unit-idp.xml", T_IDP, "idp.crt",
                                      NULL);
    ic.profile = OIOSAML_PROFILE_OIOSAML2;
    ic.signed_part = OIOSAML_SIGNED_BOTH;
    ic.allow_sha1 = 1;
    ic.require_encryption = 1;
    ic.hidden = 1;

    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_idp_new(&ic, T_NOW, &idp, &err), OIOSAML_OK);
    assert_string_equal(oiosaml_idp_id(idp), "nemlog-in");
    assert_string_equal(oiosaml_idp_label(idp), "nemlog-in");
    assert_string_equal(oiosaml_idp_entity_id(idp), T_IDP);
    assert_string_equal(oiosaml_idp_sso_url(idp), T_IDP "sso");
    assert_string_equal(oiosaml_idp_slo_url(idp), T_IDP "slo");
    assert_int_equal(oiosaml_idp_profile(idp), OIOSAML_PROFILE_OIOSAML2);
    assert_int_equal(idp->signed_part, OIOSAML_SIGNED_BOTH);
    assert_true(idp->allow_sha1);
    assert_true(idp->require_encryption);
    assert_true(idp->hidden);
    assert_string_equal(idp->metadata_file, ic.metadata_file);
    oiosaml_idp_free(idp);

    /* the strings are copied */
    ic.label = strdup("Nem Log-in \xc3\xa6\xc3\xb8\xc3\xa5");
    ic.hidden = 0;
    assert_int_equal(oiosaml_idp_new(&ic, T_NOW, &idp, &err), OIOSAML_OK);
    free((char *) ic.label);
    assert_string_equal(oiosaml_idp_label(idp),
                        "Nem Log-in \xc3\xa6\xc3\xb8\xc3\xa5");
    assert_false(idp->hidden);
    oiosaml_idp_free(idp);

    oiosaml_idp_free(NULL);
}


static void
test_ids(void **state)
{
    size_t          i;
    char            id[80];
    const char     *md;
    oiosaml_idp_t  *idp;

    static const char  *bad[] = {
        "", "a b", "a/b", "a:b", "\xc3\xa6", "a\"b", "a\nb"
    };

    md = t_idp_metadata("unit-idp.xml", T_IDP, "idp.crt", NULL);

    assert_int_equal(idp_new("Az-09_.x", md, &idp), OIOSAML_OK);
    oiosaml_idp_free(idp);

    /* 1 to 63 characters */
    memset(id, 'i', 63);
    id[63] = '\0';
    assert_int_equal(idp_new(id, md, &idp), OIOSAML_OK);
    oiosaml_idp_free(idp);
    strcat(id, "i");
    assert_int_equal(idp_new(id, md, &idp), OIOSAML_ERR_CONFIG);

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(idp_new(bad[i], md, &idp), OIOSAML_ERR_CONFIG);
    }

    assert_int_equal(idp_new(NULL, md, &idp), OIOSAML_ERR_ARG);
    assert_int_equal(idp_new("x", NULL, &idp), OIOSAML_ERR_ARG);
    assert_int_equal(idp_new("x", "build/tmp/nonexistent.xml", &idp),
                     OIOSAML_ERR_IO);
}


/* validUntil: valid up to, not at, that instant */
static void
test_valid_until(void **state)
{
    char            doc[8192], tbuf[21], *p;
    size_t          len;
    oiosaml_err_t   err;
    oiosaml_idp_t  *idp;
    unsigned char  *data;

    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_read_file(t_idp_metadata("unit-idp.xml", T_IDP,
                                                      "idp.crt", NULL),
                                       sizeof(doc) - 100, &data, &len,
                                       &err), OIOSAML_OK);

    /* insert validUntil=T_NOW + 1 into the EntityDescriptor */
    oiosaml_time_format(T_NOW + 1, tbuf);
    p = strstr((char *) data, "entityID=");
    assert_non_null(p);
    memcpy(doc, data, (size_t) (p - (char *) data));
    sprintf(doc + (p - (char *) data), "validUntil=\"%s\" %s", tbuf, p);
    free(data);

    assert_int_equal(idp_new("v", t_file("unit-valid.xml", doc), &idp),
                     OIOSAML_OK);
    oiosaml_idp_free(idp);

    oiosaml_time_format(T_NOW, tbuf);
    memcpy(strstr(doc, "validUntil=\"") + 12, tbuf, 20);
    assert_int_equal(idp_new("v", t_file("unit-valid.xml", doc), &idp),
                     OIOSAML_ERR_CONFIG);
}


static void
test_signed_names(void **state)
{
    size_t            i;
    oiosaml_signed_t  where;

    static const char  *names[] = { "assertion", "response", "either",
                                    "both" };

    for (i = 0; i < 4; i++) {
        assert_int_equal(oiosaml_signed_parse(names[i], strlen(names[i]),
                                              &where), OIOSAML_OK);
        assert_int_equal(where, (oiosaml_signed_t) i);
        assert_string_equal(oiosaml_signed_name(where), names[i]);
    }

    assert_int_equal(OIOSAML_SIGNED_ASSERTION, 0);
    assert_int_equal(oiosaml_signed_parse("Both", 4, &where),
                     OIOSAML_ERR_CONFIG);
    assert_int_equal(oiosaml_signed_parse("bothx", 5, &where),
                     OIOSAML_ERR_CONFIG);
    assert_int_equal(oiosaml_signed_parse("both", 3, &where),
                     OIOSAML_ERR_CONFIG);
    assert_int_equal(oiosaml_signed_parse("", 0, &where),
                     OIOSAML_ERR_CONFIG);
    assert_string_equal(oiosaml_signed_name((oiosaml_signed_t) 4), "?");
}


/*
 * entity= at refresh: newer aggregates are checked for the same entity;
 * an aggregate without it is refused and the IdP keeps what it had.
 */
static void
test_update_aggregate(void **state)
{
    char                 agg[16384], *a, *b;
    size_t               len;
    oiosaml_err_t        err;
    oiosaml_idp_t       *idp;
    unsigned char       *data;
    oiosaml_idp_conf_t   ic;

    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_read_file(t_idp_metadata("upd-a.xml", T_IDP,
                                                      "idp.crt", NULL),
                                       8000, &data, &len, &err), OIOSAML_OK);
    a = (char *) data;
    assert_int_equal(oiosaml_read_file(t_idp_metadata("upd-b.xml",
                                                      "https://other.test/",
                                                      "idp-wrong.crt", NULL),
                                       8000, &data, &len, &err), OIOSAML_OK);
    b = (char *) data;

    snprintf(agg, sizeof(agg), "<md:EntitiesDescriptor xmlns:md=\"urn:oasis:"
             "names:tc:SAML:2.0:metadata\">%s%s</md:EntitiesDescriptor>", b,
             a);

    memset(&ic, 0, sizeof(ic));
    ic.id = "agg";
    ic.entity = T_IDP;
    ic.metadata_file = t_file("upd-agg.xml", agg);
    assert_int_equal(oiosaml_idp_new(&ic, T_NOW, &idp, &err), OIOSAML_OK);
    assert_int_equal(oiosaml_idp_trusts(idp, t_cert("idp.crt"), t_now(),
                                        &err), OIOSAML_OK);

    /* the IdP's key changes in a newer aggregate */
    free(a);
    assert_int_equal(oiosaml_read_file(t_idp_metadata("upd-a.xml", T_IDP,
                                                      "idp-next.crt", NULL),
                                       8000, &data, &len, &err), OIOSAML_OK);
    a = (char *) data;
    snprintf(agg, sizeof(agg), "<md:EntitiesDescriptor xmlns:md=\"urn:oasis:"
             "names:tc:SAML:2.0:metadata\">%s%s</md:EntitiesDescriptor>", a,
             b);
    assert_int_equal(oiosaml_idp_update(idp, agg, strlen(agg), T_NOW, &err),
                     OIOSAML_OK);
    assert_int_equal(oiosaml_idp_trusts(idp, t_cert("idp-next.crt"), t_now(),
                                        &err), OIOSAML_OK);
    assert_string_equal(oiosaml_idp_entity_id(idp), T_IDP);

    /* an aggregate without the entity: refused, the last good copy stays */
    snprintf(agg, sizeof(agg), "<md:EntitiesDescriptor xmlns:md=\"urn:oasis:"
             "names:tc:SAML:2.0:metadata\">%s</md:EntitiesDescriptor>", b);
    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_idp_check_metadata(idp, agg, strlen(agg), T_NOW,
                                                &err), OIOSAML_ERR_CONFIG);
    assert_non_null(strstr(err.text, "is not in the aggregate"));
    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_idp_update(idp, agg, strlen(agg), T_NOW, &err),
                     OIOSAML_ERR_CONFIG);
    assert_int_equal(err.status, OIOSAML_ERR_CONFIG);
    assert_int_equal(oiosaml_idp_trusts(idp, t_cert("idp-next.crt"), t_now(),
                                        &err), OIOSAML_OK);

    oiosaml_idp_free(idp);
    free(a);
    free(b);
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_conf_and_accessors),
        cmocka_unit_test(test_ids),
        cmocka_unit_test(test_valid_until),
        cmocka_unit_test(test_signed_names),
        cmocka_unit_test(test_update_aggregate),
    };

    t_init();

    return cmocka_run_group_tests(tests, NULL, NULL);
}
