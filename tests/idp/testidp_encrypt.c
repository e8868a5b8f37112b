
/*
 * XML encryption of an element: xmlsec encrypts the data with a random AES
 * session key and, for rsa-oaep-mgf1p and rsa-1_5, wraps the key itself.
 * xmlsec 1.2 cannot write xmlenc11#rsa-oaep with SHA-256 and MGF1-SHA256,
 * so for that transport the key is wrapped with OpenSSL and the
 * EncryptedKey element is written here.
 */


#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include <libxml/tree.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/xmltree.h>
#include <xmlsec/xmlenc.h>
#include <xmlsec/keysmngr.h>
#include <xmlsec/templates.h>
#include <xmlsec/crypto.h>

#include "testidp.h"


#define TESTIDP_ALG_OAEP11      TESTIDP_NS_XENC11 "rsa-oaep"
#define TESTIDP_ALG_MGF1_SHA256 TESTIDP_NS_XENC11 "mgf1sha256"
#define TESTIDP_ALG_SHA256      TESTIDP_NS_XENC "sha256"
#define TESTIDP_ALG_SHA1        TESTIDP_NS_DS "sha1"


static int testidp_encrypt_oaep11(xmlNodePtr enc_data,
    const testidp_peer_t *to, const unsigned char *key, size_t key_len,
    testidp_err_t *err);
static int testidp_rsa_oaep256(EVP_PKEY *pkey, const unsigned char *in,
    size_t len, unsigned char **out, size_t *out_len);
static void testidp_encrypt_prefixes(xmlNodePtr node);


int
testidp_encrypt_node(xmlNodePtr node, const testidp_peer_t *to,
    testidp_enc_t method, testidp_kt_t transport, testidp_err_t *err)
{
    int                 rc;
    size_t              key_len;
    xmlNodePtr          tmpl, key_info, enc_key, em;
    unsigned char       key[32];
    xmlSecKeyPtr        pub;
    xmlSecEncCtxPtr     ctx;
    xmlSecTransformId   data_id, kt_id;
    xmlSecKeysMngrPtr   mngr;
    xmlSecKeyStorePtr   store;

    switch (method) {

    case TESTIDP_ENC_AES128_GCM:
        data_id = xmlSecTransformAes128GcmId;
        key_len = 16;
        break;

    case TESTIDP_ENC_AES256_GCM:
        data_id = xmlSecTransformAes256GcmId;
        key_len = 32;
        break;

    case TESTIDP_ENC_AES128_CBC:
        data_id = xmlSecTransformAes128CbcId;
        key_len = 16;
        break;

    case TESTIDP_ENC_AES256_CBC:
        data_id = xmlSecTransformAes256CbcId;
        key_len = 32;
        break;

    default:
        return testidp_err(err, "no encryption method");
    }

    switch (transport) {

    case TESTIDP_KT_RSA15:
        kt_id = xmlSecTransformRsaPkcs1Id;
        break;

    case TESTIDP_KT_OAEP:
        kt_id = xmlSecTransformRsaOaepId;
        break;

    default:
        kt_id = NULL;
        break;
    }

    if (RAND_bytes(key, (int) key_len) != 1) {
        return testidp_err(err, "RAND_bytes() failed");
    }

    pub = NULL;
    mngr = NULL;
    ctx = NULL;
    rc = -1;

    tmpl = xmlSecTmplEncDataCreate(node->doc, data_id, NULL,
                                   xmlSecTypeEncElement, NULL, NULL);

    if (tmpl == NULL || xmlSecTmplEncDataEnsureCipherValue(tmpl) == NULL) {
        testidp_err(err, "cannot create the EncryptedData template");
        goto done;
    }

    if (kt_id != NULL) {
        key_info = xmlSecTmplEncDataEnsureKeyInfo(tmpl, NULL);
        enc_key = key_info ? xmlSecTmplKeyInfoAddEncryptedKey(key_info,
                                                  kt_id, NULL, NULL, NULL)
                           : NULL;

        if (enc_key == NULL
            || xmlSecTmplEncDataEnsureCipherValue(enc_key) == NULL)
        {
            testidp_err(err, "cannot create the EncryptedKey template");
            goto done;
        }

        if (transport == TESTIDP_KT_OAEP) {
            /* say SHA-1 explicitly, as most IdPs do */
            em = testidp_xml_find(enc_key, "EncryptionMethod");

            if (em == NULL
                || xmlSecAddChild(em, xmlSecNodeDigestMethod, xmlSecDSigNs)
                   == NULL
                || testidp_xml_prop(testidp_xml_find(em, "DigestMethod"),
                                    "Algorithm", TESTIDP_ALG_SHA1) != 0)
            {
                testidp_err(err, "cannot create the EncryptedKey template");
                goto done;
            }
        }

        /*
         * A keys manager with a simple keys store only: the default one
         * also builds an X509 store, which parses the system CA bundle
         * (tens of milliseconds) for every response.
         */
        mngr = xmlSecKeysMngrCreate();
        store = xmlSecKeyStoreCreate(xmlSecSimpleKeysStoreId);

        if (mngr == NULL || store == NULL
            || xmlSecKeysMngrAdoptKeysStore(mngr, store) < 0)
        {
            if (store != NULL) {
                xmlSecKeyStoreDestroy(store);
            }

            testidp_err(err, "cannot create an xmlsec keys manager");
            goto done;
        }

        mngr->getKey = xmlSecKeysMngrGetKey;

        /* the key transport finds the peer's key in the keys manager */

        pub = xmlSecKeyDuplicate(to->xkey);

        if (pub == NULL || xmlSecSimpleKeysStoreAdoptKey(store, pub) < 0) {
            if (pub != NULL) {
                xmlSecKeyDestroy(pub);
            }

            testidp_err(err, "cannot add the key to the keys manager");
            goto done;
        }
    }

    ctx = xmlSecEncCtxCreate(mngr);

    if (ctx == NULL) {
        testidp_err(err, "xmlSecEncCtxCreate() failed");
        goto done;
    }

    ctx->encKey = xmlSecKeyReadMemory(xmlSecKeyDataAesId, key, key_len);

    if (ctx->encKey == NULL) {
        testidp_err(err, "cannot make the AES session key");
        goto done;
    }

    if (xmlSecEncCtxXmlEncrypt(ctx, tmpl, node) < 0) {
        testidp_err(err, "xmlsec failed to encrypt the %s",
                    (const char *) node->name);
        goto done;
    }

    /* the template is now in the tree, in place of the node */

    node = tmpl;
    tmpl = NULL;

    if (transport == TESTIDP_KT_OAEP11
        && testidp_encrypt_oaep11(node, to, key, key_len, err) != 0)
    {
        goto done;
    }

    testidp_encrypt_prefixes(node);

    rc = 0;

done:

    OPENSSL_cleanse(key, sizeof(key));

    if (ctx != NULL) {
        xmlSecEncCtxDestroy(ctx);
    }

    if (mngr != NULL) {
        xmlSecKeysMngrDestroy(mngr);
    }

    if (tmpl != NULL) {
        xmlFreeNode(tmpl);
    }

    return rc;
}


static int
testidp_encrypt_oaep11(xmlNodePtr enc_data, const testidp_peer_t *to,
    const unsigned char *key, size_t key_len, testidp_err_t *err)
{
    int             rc;
    char           *b64;
    size_t          wlen;
    xmlNsPtr        ds, xenc, xenc11;
    xmlNodePtr      em, key_info, enc_key, method, node, cd;
    unsigned char  *wrapped;

    if (testidp_rsa_oaep256(to->pkey, key, key_len, &wrapped, &wlen) != 0) {
        return testidp_err(err, "RSA-OAEP (SHA-256) encryption of the "
                           "session key failed");
    }

    b64 = testidp_b64_encode(wrapped, wlen);
    free(wrapped);

    if (b64 == NULL) {
        return testidp_err(err, "out of memory");
    }

    rc = -1;

    em = testidp_xml_find(enc_data, "EncryptionMethod");
    key_info = xmlNewDocNode(enc_data->doc, NULL, BAD_CAST "KeyInfo", NULL);

    if (em == NULL || key_info == NULL) {
        if (key_info != NULL) {
            xmlFreeNode(key_info);
        }

        goto done;
    }

    xmlAddNextSibling(em, key_info);

    ds = xmlNewNs(key_info, BAD_CAST TESTIDP_NS_DS, BAD_CAST "ds");
    xenc = xmlNewNs(key_info, BAD_CAST TESTIDP_NS_XENC, BAD_CAST "xenc");
    xenc11 = xmlNewNs(key_info, BAD_CAST TESTIDP_NS_XENC11,
                      BAD_CAST "xenc11");

    if (ds == NULL || xenc == NULL || xenc11 == NULL) {
        goto done;
    }

    xmlSetNs(key_info, ds);

    enc_key = testidp_xml_child(key_info, xenc, "EncryptedKey", NULL);
    method = testidp_xml_child(enc_key, xenc, "EncryptionMethod", NULL);
    node = testidp_xml_child(method, ds, "DigestMethod", NULL);

    if (testidp_xml_prop(method, "Algorithm", TESTIDP_ALG_OAEP11) != 0
        || testidp_xml_prop(node, "Algorithm", TESTIDP_ALG_SHA256) != 0)
    {
        goto done;
    }

    node = testidp_xml_child(method, xenc11, "MGF", NULL);
    cd = testidp_xml_child(enc_key, xenc, "CipherData", NULL);

    if (testidp_xml_prop(node, "Algorithm", TESTIDP_ALG_MGF1_SHA256) != 0
        || testidp_xml_child(cd, xenc, "CipherValue", b64) == NULL)
    {
        goto done;
    }

    rc = 0;

done:

    free(b64);

    if (rc != 0) {
        testidp_err(err, "out of memory writing the EncryptedKey");
    }

    return rc;
}


static int
testidp_rsa_oaep256(EVP_PKEY *pkey, const unsigned char *in, size_t len,
    unsigned char **out, size_t *out_len)
{
    size_t          n;
    EVP_PKEY_CTX   *ctx;
    unsigned char  *buf;

    buf = NULL;
    ctx = EVP_PKEY_CTX_new(pkey, NULL);

    if (ctx == NULL
        || EVP_PKEY_encrypt_init(ctx) != 1
        || EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) != 1
        || EVP_PKEY_CTX_set_rsa_oaep_md(ctx, EVP_sha256()) != 1
        || EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, EVP_sha256()) != 1
        || EVP_PKEY_encrypt(ctx, NULL, &n, in, len) != 1
        || (buf = malloc(n)) == NULL
        || EVP_PKEY_encrypt(ctx, buf, &n, in, len) != 1)
    {
        ERR_clear_error();
        EVP_PKEY_CTX_free(ctx);
        free(buf);
        return -1;
    }

    EVP_PKEY_CTX_free(ctx);

    *out = buf;
    *out_len = n;

    return 0;
}


/*
 * xmlsec declares the XML Encryption and Signature namespaces as default
 * namespaces; give them the usual "xenc" and "ds" prefixes instead.
 */
static void
testidp_encrypt_prefixes(xmlNodePtr node)
{
    xmlNsPtr    ns;
    xmlNodePtr  child;
    xmlChar    *prefix;

    for (ns = node->nsDef; ns != NULL; ns = ns->next) {

        if (ns->prefix != NULL || ns->href == NULL) {
            continue;
        }

        if (xmlStrEqual(ns->href, BAD_CAST TESTIDP_NS_XENC)) {
            prefix = xmlStrdup(BAD_CAST "xenc");

        } else if (xmlStrEqual(ns->href, BAD_CAST TESTIDP_NS_DS)) {
            prefix = xmlStrdup(BAD_CAST "ds");

        } else {
            continue;
        }

        if (prefix != NULL) {
            ns->prefix = prefix;
        }
    }

    for (child = node->children; child != NULL; child = child->next) {
        if (child->type == XML_ELEMENT_NODE) {
            testidp_encrypt_prefixes(child);
        }
    }
}
