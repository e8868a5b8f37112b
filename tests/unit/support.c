
/*
 * Shared helpers for the unit tests.
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "support.h"


static char  t_buf[4][1024];
static int   t_next;


static char *
t_path(const char *dir, const char *name)
{
    char  *p = t_buf[t_next++ % 4];

    snprintf(p, sizeof(t_buf[0]), "%s/%s", dir, name);

    return p;
}


const char *
t_cert(const char *name)
{
    const char  *dir = getenv("OIOSAML_TEST_CERTS");

    return t_path(dir ? dir : "build/test-certs", name);
}


const char *
t_file(const char *name, const char *content)
{
    FILE        *f;
    const char  *path;

    mkdir("build", 0755);
    mkdir("build/tmp", 0755);
    path = t_path("build/tmp", name);

    f = fopen(path, "w");
    assert_non_null(f);
    fputs(content, f);
    fclose(f);

    return path;
}


static char *
t_cert_b64(const char *file)
{
    int             n;
    BIO            *bio, *b64, *mem;
    X509           *x;
    char           *out, *data;
    long            len;

    bio = BIO_new_file(file, "r");
    assert_non_null(bio);
    x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
    BIO_free(bio);
    assert_non_null(x);

    mem = BIO_new(BIO_s_mem());
    b64 = BIO_new(BIO_f_base64());
    BIO_set_flags(b64, BIO_FLAGS_BASE64_NO_NL);
    b64 = BIO_push(b64, mem);
    n = i2d_X509_bio(b64, x);
    assert_int_equal(n, 1);
    (void) BIO_flush(b64);
    len = BIO_get_mem_data(mem, &data);

    out = malloc((size_t) len + 1);
    memcpy(out, data, (size_t) len);
    out[len] = '\0';

    BIO_free_all(b64);
    X509_free(x);

    return out;
}


const char *
t_idp_metadata(const char *name, const char *entity_id, const char *cert,
    ...)
{
    char         *b64, doc[65536];
    size_t        n;
    va_list       args;
    const char   *c;

    n = (size_t) snprintf(doc, sizeof(doc),
        "<md:EntityDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:"
        "metadata\" xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\" "
        "entityID=\"%s\"><md:IDPSSODescriptor protocolSupportEnumeration="
        "\"urn:oasis:names:tc:SAML:2.0:protocol\">", entity_id);

    va_start(args, cert);

    for (c = cert; c != NULL; c = va_arg(args, const char *)) {
        b64 = t_cert_b64(t_cert(c));
        n += (size_t) snprintf(doc + n, sizeof(doc) - n,
            "<md:KeyDescriptor use=\"signing\"><ds:KeyInfo><ds:X509Data>"
            "<ds:X509Certificate>%s</ds:X509Certificate></ds:X509Data>"
            "</ds:KeyInfo></md:KeyDescriptor>", b64);
        free(b64);
    }

    va_end(args);

    snprintf(doc + n, sizeof(doc) - n,
        "<md:SingleLogoutService Binding=\"urn:oasis:names:tc:SAML:2.0:"
        "bindings:HTTP-Redirect\" Location=\"%sslo\"/>"
        "<md:SingleSignOnService Binding=\"urn:oasis:names:tc:SAML:2.0:"
        "bindings:HTTP-Redirect\" Location=\"%ssso\"/>"
        "</md:IDPSSODescriptor></md:EntityDescriptor>", entity_id,
        entity_id);

    return t_file(name, doc);
}


void
t_init(void)
{
    oiosaml_err_t  err;

    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_global_init(&err), OIOSAML_OK);
}


oiosaml_sp_t *
t_sp(const oiosaml_idp_conf_t *idp_conf)
{
    oiosaml_sp_t        *sp;
    oiosaml_err_t        err;
    oiosaml_idp_t       *idp;
    oiosaml_idp_conf_t   ic;

    t_init();
    oiosaml_err_clear(&err);

    if (idp_conf != NULL) {
        ic = *idp_conf;

    } else {
        memset(&ic, 0, sizeof(ic));
        ic.profile = OIOSAML_PROFILE_OIOSAML3;
    }

    if (ic.id == NULL) {
        ic.id = "test";
    }

    if (ic.metadata_file == NULL) {
        ic.metadata_file = t_idp_metadata("unit-idp.xml", T_IDP, "idp.crt",
                                          NULL);
    }

    assert_int_equal(oiosaml_sp_new(T_SP, T_BASE, &sp, &err), OIOSAML_OK);
    assert_int_equal(oiosaml_sp_add_key(sp, t_cert("sp.key"),
                                        t_cert("sp.crt"), 0, &err),
                     OIOSAML_OK);
    assert_int_equal(oiosaml_idp_new(&ic, T_NOW, &idp, &err), OIOSAML_OK);
    assert_int_equal(oiosaml_sp_add_idp(sp, idp, &err), OIOSAML_OK);
    assert_int_equal(oiosaml_sp_set_cookie_secret(sp, t_cert("cookie.key"),
                                                  &err),
                     OIOSAML_OK);
    assert_int_equal(oiosaml_sp_finish(sp, T_NOW, &err), OIOSAML_OK);

    return sp;
}
