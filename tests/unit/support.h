
/*
 * Shared helpers for the unit tests: paths to the test keys, a fixed
 * clock, and an SP configured like the integration tests' one.
 */


#ifndef _SUPPORT_H_INCLUDED_
#define _SUPPORT_H_INCLUDED_


#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <oiosaml.h>


/* 2026-11-22T10:00:00Z: the tests' "now" */
#define T_NOW           ((time_t) 1795341600)
#define T_SP            "https://sp.test/"
#define T_BASE          "https://sp.test/saml/"
#define T_ACS           "https://sp.test/saml/acs"
#define T_IDP           "https://idp.test/"


/* the path of a test key or certificate (build/test-certs) */
const char *t_cert(const char *name);

/* a scratch file in build/tmp with this content; the path is static */
const char *t_file(const char *name, const char *content);

/* writes IdP metadata for the given certificates (NULL-terminated) */
const char *t_idp_metadata(const char *name, const char *entity_id,
    const char *cert, ...);

/* an SP with sp.key, one IdP "test" (idp.crt) and the cookie secret */
oiosaml_sp_t *t_sp(const oiosaml_idp_conf_t *idp_conf);

void t_init(void);


#endif /* _SUPPORT_H_INCLUDED_ */
