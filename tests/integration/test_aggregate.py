"""IdP metadata aggregates (EntitiesDescriptor), as federations and ADFS
farms publish them: oiosaml_idp ... entity=ENTITYID picks one IdP; with
metadata_signer= the aggregate's signature is checked as a whole first;
without entity= an aggregate of several IdPs is refused with their names;
the same at refresh and in oiosamlctl (metadata verify --entity, the
configuration reader)."""

import os
import re
import subprocess
import time

from harness import BUILD, SpTestCase, cert, idp_metadata

CTL = os.path.join(BUILD, "oiosamlctl")
MD = "urn:oasis:names:tc:SAML:2.0:metadata"

SIGNATURE_TEMPLATE = (
    '<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#">'
    '<ds:SignedInfo>'
    '<ds:CanonicalizationMethod '
    'Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>'
    '<ds:SignatureMethod '
    'Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>'
    '<ds:Reference URI="#_agg1"><ds:Transforms>'
    '<ds:Transform '
    'Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>'
    '<ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>'
    '</ds:Transforms>'
    '<ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>'
    '<ds:DigestValue/></ds:Reference></ds:SignedInfo>'
    '<ds:SignatureValue/></ds:Signature>')

SP_ENTITY = (
    '<md:EntityDescriptor xmlns:md="%s" entityID="https://sp.other/">'
    '<md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:'
    'SAML:2.0:protocol"/></md:EntityDescriptor>' % MD)


def entity(path, entity_id, base, certs):
    """One EntityDescriptor (certs/make-idp-metadata.sh), without the XML
    declaration, to put into an aggregate."""
    idp_metadata(path, entity_id, base, certs)
    text = open(path).read()
    return re.sub(r"^<\?xml[^>]*\?>\s*", "", text)


def aggregate(entities, attrs=""):
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<md:EntitiesDescriptor xmlns:md="{MD}" {attrs}>\n'
            + "\n".join(entities) + "\n</md:EntitiesDescriptor>\n")


def sign_aggregate(text, dst, key):
    """An enveloped signature on the EntitiesDescriptor (xmlsec1)."""
    text = text.replace(f'<md:EntitiesDescriptor xmlns:md="{MD}" ',
                        f'<md:EntitiesDescriptor xmlns:md="{MD}" '
                        'ID="_agg1" ', 1)
    text = re.sub(r"(<md:EntitiesDescriptor[^>]*>)",
                  r"\1" + SIGNATURE_TEMPLATE, text, count=1)
    with open(dst + ".tmpl", "w") as f:
        f.write(text)
    r = subprocess.run(["xmlsec1", "--sign", "--privkey-pem", key,
                        "--id-attr:ID", f"{MD}:EntitiesDescriptor",
                        "--output", dst, dst + ".tmpl"],
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise AssertionError("xmlsec1 --sign: " + r.stderr)


class AggregateTestCase(SpTestCase):
    """The test IdP's metadata inside an aggregate with an unrelated IdP
    (another key) and an SP."""

    idp_options = "profile=oiosaml3 entity=https://idp.test/"
    allowed_errors = ("rejected, keeping the last good copy",)

    @classmethod
    def setUpClass(cls):
        cls.agg_written = False
        super().setUpClass()

    @classmethod
    def http_config(cls):
        if not cls.agg_written:
            cls.agg_written = True
            cls.write_aggregate(cls.metadata)
        return super().http_config()

    @classmethod
    def write_aggregate(cls, path, idp_certs=("idp.crt",), other=True,
                        attrs=""):
        d = cls.nginx.dir
        ents = [SP_ENTITY]
        if other:
            ents.append(entity(d + "/other.part", "https://other.test/",
                               "https://other.test/", ["idp-wrong.crt"]))
        ents.append(entity(d + "/idp.part", "https://idp.test/",
                           cls.base + "/idp/", list(idp_certs)))
        text = aggregate(ents, attrs)
        with open(path, "w") as f:
            f.write(text)
        return text

    def conf_with(self, options):
        """The class's configuration with other oiosaml_idp options."""
        return self.http_config().replace(
            f"oiosaml_idp test metadata={self.nginx.dir}/idp.xml "
            f"{self.idp_options}",
            f"oiosaml_idp test {options}")


class AggregateLoginTest(AggregateTestCase):

    def test_login_through_aggregate(self):
        b, r, _ = self.login()
        self.assertEqual(r.status, 303, r.body)
        r = b.get(self.url("/app/x"))
        self.assertEqual(r.status, 200, r.body)
        echo = self.echo(r.body)
        self.assertNotEqual(echo["User"], "")
        self.assertEqual(echo["IdP"], "test")

    def test_reload(self):
        # entity= is read again with each configuration cycle
        for _ in range(2):
            self.nginx.reload()
            b, r, _ = self.login()
            self.assertEqual(r.status, 303, r.body)

    def test_other_entitys_key_is_not_trusted(self):
        # the unrelated IdP's key (idp-wrong) signs: refused
        b, r, _ = self.login(key="wrong")
        self.assertDenied(r, 403, "deny_signature")

    def test_nginx_t_without_entity_names_the_idps(self):
        d = self.nginx.dir
        self.nginx.write(self.conf_with(f"metadata={d}/idp.xml"))
        try:
            rc, out = self.nginx.check()
        finally:
            self.nginx.write(self.http_config())
        self.assertNotEqual(rc, 0, out)
        self.assertIn("metadata describes 2 identity providers", out)
        self.assertIn('"https://idp.test/"', out)
        self.assertIn('"https://other.test/"', out)
        self.assertIn("choose one with entity=", out)
        self.assertRegex(out, r"nginx\.conf:\d+")

    def test_nginx_t_entity_not_in_aggregate(self):
        d = self.nginx.dir
        self.nginx.write(self.conf_with(
            f"metadata={d}/idp.xml entity=https://nobody.test/"))
        try:
            rc, out = self.nginx.check()
        finally:
            self.nginx.write(self.http_config())
        self.assertNotEqual(rc, 0, out)
        self.assertIn('entity="https://nobody.test/" is not in the '
                      'aggregate', out)

    def test_nginx_t_entity_parameter(self):
        d = self.nginx.dir
        for bad in ("entity=", "entity"):
            self.nginx.write(self.conf_with(f"metadata={d}/idp.xml {bad}"))
            try:
                rc, out = self.nginx.check()
            finally:
                self.nginx.write(self.http_config())
            self.assertNotEqual(rc, 0, out)
        # twice: refused
        self.nginx.write(self.conf_with(
            f"metadata={d}/idp.xml entity=https://idp.test/ "
            f"entity=https://other.test/"))
        try:
            rc, out = self.nginx.check()
        finally:
            self.nginx.write(self.http_config())
        self.assertNotEqual(rc, 0, out)
        self.assertIn("duplicate", out)

    def test_oiosamlctl_reads_entity(self):
        r = subprocess.run([CTL, "certs", self.nginx.conf],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("oiosaml-nginx test IdP", r.stdout)
        self.assertNotIn("not trusted", r.stdout)
        r = subprocess.run([CTL, "metadata", "verify", self.metadata,
                            "--entity", "https://idp.test/"],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("entityID    https://idp.test/", r.stdout)
        r = subprocess.run([CTL, "metadata", "check", self.metadata],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("choose one with entity=", r.stdout)
        r = subprocess.run([CTL, "metadata", "verify", self.metadata,
                            "--entity", "https://nobody.test/"],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("is not in the aggregate", r.stdout)


class SignedAggregateTest(AggregateTestCase):
    """metadata_signer= on an aggregate: its signature as a whole."""

    @classmethod
    def http_config(cls):
        if not cls.agg_written:
            cls.agg_written = True
            text = cls.write_aggregate(cls.metadata + ".unsigned")
            sign_aggregate(text, cls.metadata, cert("idp-next.key"))
        return super().http_config().replace(
            "entity=https://idp.test/",
            f"entity=https://idp.test/ "
            f"metadata_signer={cert('idp-next.crt')}")

    def test_login_through_signed_aggregate(self):
        b, r, _ = self.login()
        self.assertEqual(r.status, 303, r.body)

    def test_other_entity_tampered(self):
        d = self.nginx.dir
        text = open(self.metadata).read().replace(
            "https://other.test/sso", "https://evil.test/sso")
        with open(d + "/tampered.xml", "w") as f:
            f.write(text)
        conf = self.http_config().replace(f"metadata={d}/idp.xml ",
                                          f"metadata={d}/tampered.xml ")
        self.nginx.write(conf)
        try:
            rc, out = self.nginx.check()
        finally:
            self.nginx.write(self.http_config())
        self.assertNotEqual(rc, 0, out)
        self.assertIn("metadata_signer: signature on EntitiesDescriptor does "
                      "not verify", out)

    def test_unsigned_aggregate(self):
        d = self.nginx.dir
        conf = self.http_config().replace(f"metadata={d}/idp.xml ",
                                          f"metadata={d}/idp.xml.unsigned ")
        self.nginx.write(conf)
        try:
            rc, out = self.nginx.check()
        finally:
            self.nginx.write(self.http_config())
        self.assertNotEqual(rc, 0, out)
        self.assertIn("metadata_signer: the metadata is not signed", out)

    def test_oiosamlctl_verify_signed_aggregate(self):
        r = subprocess.run([CTL, "metadata", "verify", self.metadata,
                            "--entity", "https://idp.test/", "--signer",
                            cert("idp-next.crt")],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("signature   valid", r.stdout)
        r = subprocess.run([CTL, "metadata", "verify", self.metadata,
                            "--entity", "https://idp.test/", "--signer",
                            cert("idp.crt")],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)


class AggregateRefreshTest(AggregateTestCase):
    """At refresh, a newer aggregate is checked for the same entity."""

    server_extra = """
        oiosaml_metadata_refresh 1s;
"""

    bump = 2

    def replace_metadata(self, text):
        tmp = self.metadata + ".new"
        with open(tmp, "w") as f:
            f.write(text)
        t = time.time() + AggregateRefreshTest.bump
        os.utime(tmp, (t, t))
        os.rename(tmp, self.metadata)
        AggregateRefreshTest.bump += 2

    def test_refresh_keeps_the_entity(self):
        b, r, _ = self.login()
        self.assertEqual(r.status, 303, r.body)
        self.nginx.new_log()

        # the entity is gone from the newer aggregate: rejected
        d = self.nginx.dir
        text = aggregate([SP_ENTITY, entity(d + "/o.part",
                                            "https://other.test/",
                                            "https://other.test/",
                                            ["idp-wrong.crt"])])
        self.replace_metadata(text)
        time.sleep(2.5)
        log = self.nginx.new_log()
        self.assertIn("rejected, keeping the last good copy", log)
        self.assertIn('entity="https://idp.test/" is not in the aggregate',
                      log)
        b, r, _ = self.login()
        self.assertEqual(r.status, 303, r.body)

        # a good aggregate again, the IdP now with two keys: refreshed
        self.nginx.new_log()
        text = self.write_aggregate(self.metadata + ".tmp",
                                    ("idp.crt", "idp-next.crt"))
        self.replace_metadata(text)
        time.sleep(2.5)
        log = self.nginx.new_log()
        self.assertIn('metadata of IdP "test" refreshed from', log)
        b, r, _ = self.login()
        self.assertEqual(r.status, 303, r.body)
