
/*
 * The IdP object: configuration, keys and users, and its metadata.
 */


#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "testidp.h"


static int testidp_metadata_key(xmlNodePtr sso, xmlNsPtr md, xmlNsPtr ds,
    const testidp_signer_t *signer);

static const char *const  testidp_profile_names[] = {
    "oiosaml3",
    "oiosaml2",
    "adfs"
};


int
testidp_profile_parse(const char *s, testidp_profile_t *profile)
{
    size_t  i;

    for (i = 0; i < sizeof(testidp_profile_names) / sizeof(char *); i++) {
        if (strcmp(s, testidp_profile_names[i]) == 0) {
            *profile = (testidp_profile_t) i;
            return 0;
        }
    }

    return -1;
}


const char *
testidp_profile_name(testidp_profile_t profile)
{
    if ((size_t) profile >= sizeof(testidp_profile_names) / sizeof(char *)) {
        return "?";
    }

    return testidp_profile_names[profile];
}


int
testidp_new(const testidp_conf_t *conf, testidp_t **idp, testidp_err_t *err)
{
    testidp_t  *p;

    if (conf->entity_id == NULL || conf->entity_id[0] == '\0') {
        return testidp_err(err, "\"entity_id=\" is required");
    }

    if (conf->key_file == NULL || conf->cert_file == NULL) {
        return testidp_err(err, "\"key=\" and \"cert=\" are required");
    }

    if (conf->users_file == NULL) {
        return testidp_err(err, "\"users=\" is required");
    }

    if (conf->sp_cert_file == NULL) {
        return testidp_err(err, "\"sp_cert=\" is required");
    }

    if ((conf->next_key_file == NULL) != (conf->next_cert_file == NULL)) {
        return testidp_err(err, "\"next_key=\" and \"next_cert=\" go "
                           "together");
    }

    if ((conf->wrong_key_file == NULL) != (conf->wrong_cert_file == NULL)) {
        return testidp_err(err, "\"wrong_key=\" and \"wrong_cert=\" go "
                           "together");
    }

    if (testidp_global_init(err) != 0) {
        return -1;
    }

    p = calloc(1, sizeof(testidp_t));

    if (p == NULL) {
        return testidp_err(err, "out of memory");
    }

    p->profile = conf->persona ? conf->persona->shape : conf->profile;
    p->persona = conf->persona;
    p->entity_id = testidp_strdup(conf->entity_id);

    if (p->entity_id == NULL) {
        goto nomem;
    }

    if (conf->sp_sls != NULL) {
        p->sp_sls = testidp_strdup(conf->sp_sls);

        if (p->sp_sls == NULL) {
            goto nomem;
        }
    }

    if (conf->base_url != NULL) {
        p->base_url = testidp_strdup(conf->base_url);

        if (p->base_url == NULL) {
            goto nomem;
        }
    }

    if (testidp_users_load(conf->users_file, &p->users, err) != 0) {
        goto failed;
    }

    if (testidp_signer_load(conf->key_file, conf->cert_file, &p->signer,
                            err) != 0)
    {
        goto failed;
    }

    if (conf->wrong_key_file != NULL) {
        if (testidp_signer_load(conf->wrong_key_file, conf->wrong_cert_file,
                                &p->wrong, err) != 0
            || testidp_peer_load(conf->wrong_cert_file, &p->encrypt_wrong,
                                 err) != 0)
        {
            goto failed;
        }
    }

    if (conf->next_key_file != NULL
        && testidp_signer_load(conf->next_key_file, conf->next_cert_file,
                               &p->next, err) != 0)
    {
        goto failed;
    }

    if (testidp_peer_load(conf->sp_cert_file, &p->sp, err) != 0) {
        goto failed;
    }

    if (conf->encrypt_cert_file != NULL
        && testidp_peer_load(conf->encrypt_cert_file, &p->encrypt, err) != 0)
    {
        goto failed;
    }

    if (p->base_url != NULL
        && testidp_metadata_build(p, NULL, 0, &p->metadata, &p->metadata_len,
                                  err)
           != 0)
    {
        goto failed;
    }

    *idp = p;

    return 0;

nomem:

    testidp_err(err, "out of memory");

failed:

    testidp_free(p);

    return -1;
}


void
testidp_free(testidp_t *idp)
{
    if (idp == NULL) {
        return;
    }

    free(idp->entity_id);
    free(idp->sp_sls);
    free(idp->base_url);
    free(idp->metadata);
    testidp_users_free(idp->users);
    testidp_signer_free(idp->signer);
    testidp_signer_free(idp->wrong);
    testidp_signer_free(idp->next);
    testidp_peer_free(idp->sp);
    testidp_peer_free(idp->encrypt);
    testidp_peer_free(idp->encrypt_wrong);
    free(idp);
}


int
testidp_metadata_build(const testidp_t *idp, const testidp_switches_t *sw,
    time_t now, char **xml, size_t *len, testidp_err_t *err)
{
    int                      size, i, n;
    char                    *url, *comment, tbuf[40];
    size_t                   blen;
    xmlNsPtr                 md, ds;
    xmlDocPtr                doc;
    xmlChar                 *out;
    xmlNodePtr               root, sso, node;
    const char              *formats, *f, *sp;
    const testidp_signer_t  *certs[2];

    static const char  *endpoints[] = { "SingleLogoutService", "slo",
                                        "SingleSignOnService", "sso" };

    /* before a rotation both keys are published, after it the next only */
    n = 0;

    if (sw == NULL || sw->rotate_at == 0 || idp->next == NULL
        || now < sw->rotate_at)
    {
        certs[n++] = idp->signer;
    }

    if (sw != NULL && sw->rotate_at != 0 && idp->next != NULL) {
        certs[n++] = idp->next;
    }

    comment = (sw != NULL) ? testidp_switch_summary(sw, now) : NULL;

    blen = strlen(idp->base_url);
    url = malloc(blen + 4);
    doc = xmlNewDoc(BAD_CAST "1.0");

    if (url == NULL || doc == NULL) {
        goto nomem;
    }

    if (comment != NULL && comment[0] != '\0') {
        node = xmlNewDocComment(doc, BAD_CAST comment);

        if (node == NULL || xmlAddChild((xmlNodePtr) doc, node) == NULL) {
            goto nomem;
        }
    }

    root = xmlNewDocNode(doc, NULL, BAD_CAST "EntityDescriptor", NULL);

    if (root == NULL) {
        goto nomem;
    }

    if (doc->children != NULL) {
        xmlAddNextSibling(doc->children, root);

    } else {
        xmlDocSetRootElement(doc, root);
    }

    md = xmlNewNs(root, BAD_CAST TESTIDP_NS_MD, BAD_CAST "md");
    ds = xmlNewNs(root, BAD_CAST TESTIDP_NS_DS, BAD_CAST "ds");

    if (md == NULL || ds == NULL) {
        goto nomem;
    }

    xmlSetNs(root, md);

    if (xmlNewProp(root, BAD_CAST "entityID", BAD_CAST idp->entity_id)
        == NULL)
    {
        goto nomem;
    }

    /* down: the metadata ends where the IdP goes down */
    if (sw != NULL && sw->down_at != 0
        && (testidp_time_format(sw->down_at, 0, tbuf, sizeof(tbuf)) != 0
            || xmlNewProp(root, BAD_CAST "validUntil", BAD_CAST tbuf)
               == NULL))
    {
        goto nomem;
    }

    sso = xmlNewChild(root, md, BAD_CAST "IDPSSODescriptor", NULL);

    if (sso == NULL
        || xmlNewProp(sso, BAD_CAST "protocolSupportEnumeration",
                      BAD_CAST TESTIDP_NS_SAMLP) == NULL
        || xmlNewProp(sso, BAD_CAST "WantAuthnRequestsSigned",
                      BAD_CAST "true") == NULL)
    {
        goto nomem;
    }

    for (i = 0; i < n; i++) {
        if (testidp_metadata_key(sso, md, ds, certs[i]) != 0) {
            goto nomem;
        }
    }

    memcpy(url, idp->base_url, blen);

    /* order per the schema: SingleLogoutService, NameIDFormat, SSO */

    node = xmlNewChild(sso, md, BAD_CAST endpoints[0], NULL);
    memcpy(url + blen, endpoints[1], 4);

    if (node == NULL
        || xmlNewProp(node, BAD_CAST "Binding",
                      BAD_CAST TESTIDP_BINDING_REDIRECT) == NULL
        || xmlNewProp(node, BAD_CAST "Location", BAD_CAST url) == NULL)
    {
        goto nomem;
    }

    formats = idp->persona ? idp->persona->nameid_formats
                           : "urn:oasis:names:tc:SAML:2.0:"
                             "nameid-format:persistent";

    for (f = formats; f != NULL && *f != '\0'; f = sp ? sp + 1 : NULL) {
        sp = strchr(f, ' ');
        size = sp ? (int) (sp - f) : (int) strlen(f);

        node = xmlNewChild(sso, md, BAD_CAST "NameIDFormat", NULL);

        if (node == NULL) {
            goto nomem;
        }

        xmlNodeAddContentLen(node, BAD_CAST f, size);
    }

    node = xmlNewChild(sso, md, BAD_CAST endpoints[2], NULL);
    memcpy(url + blen, endpoints[3], 4);

    if (node == NULL
        || xmlNewProp(node, BAD_CAST "Binding",
                      BAD_CAST TESTIDP_BINDING_REDIRECT) == NULL
        || xmlNewProp(node, BAD_CAST "Location", BAD_CAST url) == NULL)
    {
        goto nomem;
    }

    out = NULL;
    xmlDocDumpFormatMemoryEnc(doc, &out, &size, "UTF-8", 1);

    if (out == NULL || size <= 0) {
        goto nomem;
    }

    *xml = testidp_strndup((char *) out, (size_t) size);
    xmlFree(out);

    if (*xml == NULL) {
        goto nomem;
    }

    *len = (size_t) size;

    free(url);
    free(comment);
    xmlFreeDoc(doc);

    return 0;

nomem:

    free(url);
    free(comment);

    if (doc != NULL) {
        xmlFreeDoc(doc);
    }

    return testidp_err(err, "out of memory building the metadata");
}


/* a signing KeyDescriptor with the signer's certificate */
static int
testidp_metadata_key(xmlNodePtr sso, xmlNsPtr md, xmlNsPtr ds,
    const testidp_signer_t *signer)
{
    xmlNodePtr  kd, ki, x509;

    kd = xmlNewChild(sso, md, BAD_CAST "KeyDescriptor", NULL);
    ki = xmlNewChild(kd, ds, BAD_CAST "KeyInfo", NULL);
    x509 = xmlNewChild(ki, ds, BAD_CAST "X509Data", NULL);

    if (kd == NULL || ki == NULL || x509 == NULL
        || xmlNewProp(kd, BAD_CAST "use", BAD_CAST "signing") == NULL
        || xmlNewTextChild(x509, ds, BAD_CAST "X509Certificate",
                           BAD_CAST signer->cert_b64) == NULL)
    {
        return -1;
    }

    return 0;
}
