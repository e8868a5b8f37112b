
/*
 * login-gen: freshly issued, unsolicited SAMLResponses for bench/login.
 *
 * Built by bench/login against the test IdP sources (tests/idp/testidp_*.c,
 * without the nginx glue).  Each response has its own Response, Assertion
 * and SessionIndex IDs, no InResponseTo (IdP-initiated login), and is
 * written as one application/x-www-form-urlencoded POST body per line.
 *
 *   login-gen -k IDP.key -c IDP.crt -s SP.crt -u USERS -i IDP_ENTITY_ID
 *             -a SP_ENTITY_ID -d ACS_URL -n COUNT [-e METHOD] [-t oaep|oaep11]
 *             [-U USER] [-r RELAYSTATE] [-v VALIDITY_SECONDS] [-S SIGNED]
 *
 * METHOD: none (default), aes128-gcm, aes256-gcm, aes128-cbc, aes256-cbc.
 * SIGNED: assertion (default), response, both, none.  bench/abuse signs
 * with a key the SP does not trust (-k, -c) to forge responses.
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "testidp.h"


static void
usage(void)
{
    fprintf(stderr, "usage: login-gen -k key -c cert -s sp_cert -u users "
            "-i idp_entity -a sp_entity -d acs_url -n count [-e method] "
            "[-t oaep|oaep11] [-U user] [-r relay] [-v seconds] "
            "[-S assertion|response|both|none]\n");
    exit(2);
}


int
main(int argc, char **argv)
{
    int                    c;
    long                   i, count, validity;
    char                  *xml, *b64, *enc, *relay_enc;
    size_t                 len;
    time_t                 now;
    const char            *user, *relay, *method, *transport, *sign;
    testidp_t             *idp;
    testidp_err_t          err;
    testidp_conf_t         conf;
    testidp_knobs_t        knobs;
    testidp_request_t      req;
    const testidp_user_t  *u;

    memset(&conf, 0, sizeof(conf));
    memset(&req, 0, sizeof(req));
    memset(&err, 0, sizeof(err));

    count = 1;
    validity = 3600;
    user = "alice";
    relay = NULL;
    method = "none";
    transport = "oaep";
    sign = "assertion";

    while ((c = getopt(argc, argv, "k:c:s:u:i:a:d:n:e:t:U:r:v:S:")) != -1) {
        switch (c) {
        case 'k': conf.key_file = optarg; break;
        case 'c': conf.cert_file = optarg; break;
        case 's': conf.sp_cert_file = optarg; break;
        case 'u': conf.users_file = optarg; break;
        case 'i': conf.entity_id = optarg; break;
        case 'a': req.issuer = optarg; break;
        case 'd': req.acs_url = optarg; break;
        case 'n': count = atol(optarg); break;
        case 'e': method = optarg; break;
        case 't': transport = optarg; break;
        case 'U': user = optarg; break;
        case 'r': relay = optarg; break;
        case 'v': validity = atol(optarg); break;
        case 'S': sign = optarg; break;
        default: usage();
        }
    }

    if (conf.key_file == NULL || conf.cert_file == NULL
        || conf.sp_cert_file == NULL || conf.users_file == NULL
        || conf.entity_id == NULL || req.issuer == NULL
        || req.acs_url == NULL || count < 1)
    {
        usage();
    }

    /* the SP certificate is also the one responses are encrypted to */
    conf.encrypt_cert_file = conf.sp_cert_file;
    conf.profile = TESTIDP_PROFILE_OIOSAML3;

    if (testidp_new(&conf, &idp, &err) != 0) {
        fprintf(stderr, "login-gen: %s\n", err.msg);
        return 1;
    }

    u = testidp_users_find(idp->users, user);
    if (u == NULL) {
        fprintf(stderr, "login-gen: no user \"%s\"\n", user);
        return 1;
    }

    testidp_knobs_init(&knobs);
    knobs.in_response_to = "omit";
    knobs.not_on_or_after = validity;
    knobs.scd_not_on_or_after = validity;

    if (strcmp(method, "none") == 0) {
        knobs.encrypt = TESTIDP_ENC_NONE;
    } else if (strcmp(method, "aes128-gcm") == 0) {
        knobs.encrypt = TESTIDP_ENC_AES128_GCM;
    } else if (strcmp(method, "aes256-gcm") == 0) {
        knobs.encrypt = TESTIDP_ENC_AES256_GCM;
    } else if (strcmp(method, "aes128-cbc") == 0) {
        knobs.encrypt = TESTIDP_ENC_AES128_CBC;
    } else if (strcmp(method, "aes256-cbc") == 0) {
        knobs.encrypt = TESTIDP_ENC_AES256_CBC;
    } else {
        usage();
    }

    if (strcmp(sign, "assertion") == 0) {
        knobs.sign = TESTIDP_SIGN_ASSERTION;
    } else if (strcmp(sign, "response") == 0) {
        knobs.sign = TESTIDP_SIGN_RESPONSE;
    } else if (strcmp(sign, "both") == 0) {
        knobs.sign = TESTIDP_SIGN_BOTH;
    } else if (strcmp(sign, "none") == 0) {
        knobs.sign = TESTIDP_SIGN_NONE;
    } else {
        usage();
    }

    if (strcmp(transport, "oaep") == 0) {
        knobs.transport = TESTIDP_KT_OAEP;
    } else if (strcmp(transport, "oaep11") == 0) {
        knobs.transport = TESTIDP_KT_OAEP11;
    } else {
        usage();
    }

    relay_enc = relay ? testidp_url_encode(relay, strlen(relay)) : NULL;

    for (i = 0; i < count; i++) {
        now = time(NULL);

        if (testidp_response_build(idp, &req, u, &knobs, now, &xml, &len,
                                   &err)
            != 0)
        {
            fprintf(stderr, "login-gen: %s\n", err.msg);
            return 1;
        }

        b64 = testidp_b64_encode((unsigned char *) xml, len);
        enc = b64 ? testidp_url_encode(b64, strlen(b64)) : NULL;

        if (enc == NULL) {
            fprintf(stderr, "login-gen: out of memory\n");
            return 1;
        }

        fputs("SAMLResponse=", stdout);
        fputs(enc, stdout);

        if (relay_enc != NULL) {
            fputs("&RelayState=", stdout);
            fputs(relay_enc, stdout);
        }

        fputc('\n', stdout);

        free(enc);
        free(b64);
        free(xml);
    }

    free(relay_enc);
    testidp_free(idp);

    return fflush(stdout) == 0 ? 0 : 1;
}
