"""Interoperability with an IdP we did not write: Debian's pysaml2.

pysaml2 (python3-pysaml2, signing and encrypting with the xmlsec1 tool)
reads our SP metadata, parses and verifies our signed AuthnRequest from
the HTTP-Redirect URL, and answers with its own Response, which the
gateway must accept (or refuse, where pysaml2's defaults are unsafe).
"""

import base64
import os
import tempfile
import urllib.parse

import saml2.entity
from saml2 import BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_PERSISTENT, NameID
from saml2.server import Server
from saml2.sigver import verify_redirect_signature
from saml2.xmldsig import (DIGEST_SHA1, DIGEST_SHA256, SIG_RSA_SHA1,
                           SIG_RSA_SHA256)

from harness import Browser, SpTestCase, cert, idp_metadata

ENTITY = "https://pysaml2-idp.test/"
CVR = "https://data.gov.dk/model/core/eid/professional/cvr"
LOA = "https://data.gov.dk/concept/core/nsis/loa"
SPEC = "https://data.gov.dk/model/core/specVersion"
MAIL = "https://data.gov.dk/model/core/eid/email"


class Pysaml2Test(SpTestCase):

    idp_options = "profile=oiosaml3"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # a second IdP in the same SP: pysaml2, with its own metadata
        md = os.path.join(cls.nginx.dir, "pysaml2.xml")
        idp_metadata(md, ENTITY, cls.base + "/pysaml2/", ["idp-next.crt"])
        conf = cls.http_config().replace(
            "oiosaml_idp test",
            f"oiosaml_idp pysaml2 metadata={md} profile=oiosaml3;\n"
            "        oiosaml_idp test")
        cls.nginx.write(conf)
        cls.nginx.reload()
        cls.server = cls.pysaml2_server()

    @classmethod
    def pysaml2_server(cls):
        sp_md = os.path.join(cls.nginx.dir, "sp-metadata.xml")
        with open(sp_md, "w") as f:
            f.write(Browser().get(cls.base + "/saml/metadata").body)
        conf = IdPConfig()
        conf.load({
            "entityid": ENTITY,
            "service": {"idp": {
                "endpoints": {"single_sign_on_service": [
                    (cls.base + "/pysaml2/sso", BINDING_HTTP_REDIRECT)]},
                # pysaml2 wants an XML signature when this is on; for the
                # Redirect binding the caller checks the query signature
                "want_authn_requests_signed": False,
                "policy": {"default": {
                    "lifetime": {"minutes": 5},
                    "attribute_restrictions": None,
                    "name_form": NAME_FORMAT_URI,
                }},
            }},
            "key_file": cert("idp-next.key"),
            "cert_file": cert("idp-next.crt"),
            "encryption_keypairs": [{"key_file": cert("idp-next.key"),
                                     "cert_file": cert("idp-next.crt")}],
            "metadata": {"local": [sp_md]},
            "xmlsec_binary": "/usr/bin/xmlsec1",
            "allow_unknown_attributes": True,
        })
        return Server(config=conf)

    def authn_request(self, b):
        """Our redirect to pysaml2, as pysaml2 would receive it."""
        r = b.get(self.url("/saml/login?idp=pysaml2&return=/app/py"))
        self.assertEqual(r.status, 302, r.body)
        url = r.location
        self.assertTrue(url.startswith(self.url("/pysaml2/sso?")), url)
        query = urllib.parse.urlsplit(url).query
        msg = {k: v[0] for k, v in urllib.parse.parse_qs(query).items()}
        return msg

    def verify(self, msg):
        body = "".join(l for l in open(cert("sp.crt")).read().splitlines()
                       if not l.startswith("-----"))
        return verify_redirect_signature(msg, self.server.sec.sec_backend,
                                         cert=body)

    def answer(self, b, msg, **kw):
        self.assertTrue(self.verify(msg))
        req = self.server.parse_authn_request(msg["SAMLRequest"],
                                              BINDING_HTTP_REDIRECT)
        identity = {
            SPEC: ["OIO-SAML-3.0"],
            LOA: ["Substantial"],
            CVR: ["29189846"],
            MAIL: ["pia@pysaml2.test"],
        }
        args = dict(
            identity=identity,
            in_response_to=req.message.id,
            destination=req.message.assertion_consumer_service_url,
            sp_entity_id=req.message.issuer.text,
            name_id=NameID(format=NAMEID_FORMAT_PERSISTENT,
                           text="pia-4711"),
            authn={"class_ref":
                   "https://data.gov.dk/concept/core/nsis/loa/Substantial"},
            sign_assertion=True,
            sign_response=False,
            sign_alg=SIG_RSA_SHA256,
            digest_alg=DIGEST_SHA256,
        )
        args.update(kw)
        resp = self.server.create_authn_response(**args)
        form = {
            "SAMLResponse": base64.b64encode(str(resp).encode()).decode(),
            "RelayState": msg["RelayState"],
        }
        return b.post(req.message.assertion_consumer_service_url, form)

    def test_pysaml2_verifies_our_authn_request(self):
        msg = self.authn_request(Browser())
        self.assertTrue(self.verify(msg))
        tampered = dict(msg, RelayState="x" + msg["RelayState"])
        self.assertFalse(self.verify(tampered))

    def test_login_with_pysaml2(self):
        b = Browser()
        r = self.answer(b, self.authn_request(b))
        self.assertEqual(r.status, 303, r.body)
        self.assertEqual(r.header("location"), "/app/py")
        e = self.echo(b.get(self.url("/app/py")).body)
        self.assertEqual(e["User"], "pia-4711")
        self.assertEqual(e["IdP"], "pysaml2")
        self.assertEqual(e["CVR"], "29189846")
        self.assertEqual(e["LoA"], "substantial")
        self.assertEqual(e["Email"], "pia@pysaml2.test")

    def encrypted_answer(self, b, msg_enc=None, key_type=None):
        """pysaml2 encrypting, with its default or another cipher."""
        real_part = saml2.entity.pre_encryption_part
        real_enc = self.server.sec.encrypt_assertion
        if msg_enc:
            saml2.entity.pre_encryption_part = \
                lambda **kw: real_part(msg_enc=msg_enc, **kw)
            self.server.sec.encrypt_assertion = \
                lambda st, key, tmpl, node_xpath=None: real_enc(
                    st, key, tmpl, key_type=key_type, node_xpath=node_xpath)
        try:
            return self.answer(b, self.authn_request(b),
                               encrypt_assertion=True,
                               encrypt_cert_assertion=open(
                                   cert("sp.crt")).read())
        finally:
            saml2.entity.pre_encryption_part = real_part
            self.server.sec.encrypt_assertion = real_enc

    def test_login_with_pysaml2_encrypted_aes(self):
        b = Browser()
        r = self.encrypted_answer(
            b, "http://www.w3.org/2001/04/xmlenc#aes256-cbc", "aes-256")
        self.assertEqual(r.status, 303, r.body)
        e = self.echo(b.get(self.url("/app/py")).body)
        self.assertEqual(e["User"], "pia-4711")

    def test_pysaml2_default_triple_des_is_refused(self):
        # pysaml2 encrypts with 3DES unless told otherwise: not in
        # [OIO-ALG-01], refused before any key is used
        b = Browser()
        r = self.encrypted_answer(b)
        line = self.assertDenied(r, 403, "deny_enc_algorithm")
        self.assertIn("tripledes-cbc", line)

    def test_pysaml2_sha1_signature_is_refused(self):
        b = Browser()
        r = self.answer(b, self.authn_request(b), sign_alg=SIG_RSA_SHA1,
                        digest_alg=DIGEST_SHA1)
        self.assertDenied(r, 403, "deny_sig_algorithm")

    def test_pysaml2_response_for_another_sp_is_refused(self):
        b = Browser()
        msg = self.authn_request(b)
        req = self.server.parse_authn_request(msg["SAMLRequest"],
                                              BINDING_HTTP_REDIRECT)
        r = self.answer(b, msg, destination=self.url("/other/acs"))
        self.assertDenied(r, 403, "deny_destination")
        self.assertIsNotNone(req)
