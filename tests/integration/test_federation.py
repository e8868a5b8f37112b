"""Our SP metadata as the federations ask for it (docs/federation.md):
valid against the SAML 2.0 metadata schema (the XSDs of Debian's
opensaml-schemas and xmltooling-schemas, offline), signed (checked with
the xmlsec1 command line), with every element of the readiness table;
oiosamlctl sp-metadata --check on it, on the demo's configuration and on
one that lacks a contact; nginx -t's warnings."""

import os
import re
import subprocess
import tempfile
import unittest
import urllib.parse

from harness import BUILD, CERTS, ROOT, Browser, Nginx, SpTestCase, \
    idp_metadata

CTL = os.path.join(BUILD, "oiosamlctl")
MD_XSD = "/usr/share/xml/opensaml/saml-schema-metadata-2.0.xsd"

# the schema imports these by their W3C addresses: the local copies
CATALOG = """<?xml version="1.0"?>
<catalog xmlns="urn:oasis:names:tc:entity:xmlns:xml:catalog">
  <system systemId="http://www.w3.org/TR/2002/REC-xmldsig-core-20020212/xmldsig-core-schema.xsd"
          uri="file:///usr/share/xml/xmltooling/xmldsig-core-schema.xsd"/>
  <system systemId="http://www.w3.org/TR/2002/REC-xmlenc-core-20021210/xenc-schema.xsd"
          uri="file:///usr/share/xml/xmltooling/xenc-schema.xsd"/>
  <system systemId="http://www.w3.org/2001/xml.xsd"
          uri="file:///usr/share/xml/xmltooling/xml.xsd"/>
  <uri name="http://www.w3.org/TR/2002/REC-xmldsig-core-20020212/xmldsig-core-schema.xsd"
       uri="file:///usr/share/xml/xmltooling/xmldsig-core-schema.xsd"/>
  <uri name="http://www.w3.org/TR/2002/REC-xmlenc-core-20021210/xenc-schema.xsd"
       uri="file:///usr/share/xml/xmltooling/xenc-schema.xsd"/>
  <uri name="http://www.w3.org/2001/xml.xsd"
       uri="file:///usr/share/xml/xmltooling/xml.xsd"/>
</catalog>
"""

REGISTRATION = """
        oiosaml_sp_organization da "Korsb\u00e6k Kommune" "Korsb\u00e6k"
                                https://www.korsbaek.dk/;
        oiosaml_sp_organization en "Korsbaek Municipality" "Korsbaek"
                                https://www.korsbaek.dk/en/;
        oiosaml_sp_service_name da "Sagsbehandling";
        oiosaml_sp_service_name en "Case handling";
        oiosaml_sp_contact technical it@korsbaek.dk "company=Korsb\u00e6k IT"
                           "name=Drift" "phone=+45 7000 0000";
        oiosaml_sp_contact administrative digital@korsbaek.dk;
"""


def line_of(path, needle):
    with open(path) as f:
        return 1 + next(i for i, l in enumerate(f) if needle in l)


def schema_check(xml, tmp):
    """xmllint against the metadata schema, offline: (ok, output)."""
    md = os.path.join(tmp, "md.xml")
    cat = os.path.join(tmp, "catalog.xml")
    with open(md, "w") as f:
        f.write(xml)
    with open(cat, "w") as f:
        f.write(CATALOG)
    r = subprocess.run(["xmllint", "--noout", "--nonet", "--schema", MD_XSD,
                        md], capture_output=True, text=True,
                       env=dict(os.environ, XML_CATALOG_FILES=cat))
    return r.returncode == 0, r.stderr


def signature_check(xml, tmp, crt):
    md = os.path.join(tmp, "sig.xml")
    with open(md, "w") as f:
        f.write(xml)
    r = subprocess.run(["xmlsec1", "--verify", "--pubkey-cert-pem", crt,
                        "--id-attr:ID", "EntityDescriptor", md],
                       capture_output=True, text=True)
    return r.returncode == 0, r.stderr


class SpMetadataTest(SpTestCase):
    """/saml/metadata with the registration directives."""

    server_extra = REGISTRATION

    def setUp(self):
        super().setUp()
        self.tmp = tempfile.mkdtemp(dir=self.nginx.dir)

    def sp_metadata(self):
        r = Browser().get(self.url("/saml/metadata"))
        self.assertEqual(r.status, 200)
        self.assertEqual(r.header("content-type"),
                         "application/samlmetadata+xml")
        return r.body

    def test_schema_valid(self):
        ok, out = schema_check(self.sp_metadata(), self.tmp)
        self.assertTrue(ok, out)
        self.assertIn("validates", out)

    def test_schema_check_can_fail(self):
        # the check itself: the same document with an element out of place
        md = self.sp_metadata().replace("<md:NameIDFormat>",
                                     "<md:Bogus/><md:NameIDFormat>", 1)
        ok, out = schema_check(md, self.tmp)
        self.assertFalse(ok, out)

    def test_signed(self):
        md = self.sp_metadata()
        ok, out = signature_check(md, self.tmp, os.path.join(CERTS,
                                                             "sp.crt"))
        self.assertTrue(ok, out)
        bad = md.replace("Sagsbehandling", "Sagsbehandlinq")
        ok, out = signature_check(bad, self.tmp, os.path.join(CERTS,
                                                              "sp.crt"))
        self.assertFalse(ok, out)

    def test_elements(self):
        md = self.sp_metadata()
        for needle in (
                'validUntil="', 'cacheDuration="PT6H"',
                '<md:EncryptionMethod Algorithm="http://www.w3.org/2009/'
                'xmlenc11#aes256-gcm"/>',
                'ResponseLocation="%s/saml/sls"' % self.base,
                '<md:ServiceName xml:lang="da">Sagsbehandling'
                '</md:ServiceName>',
                '<md:ServiceName xml:lang="en">Case handling'
                '</md:ServiceName>',
                'Name="https://data.gov.dk/model/core/specVersion" '
                'NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:'
                'uri" isRequired="true"',
                '<md:OrganizationName xml:lang="da">Korsb\u00e6k Kommune',
                '<md:OrganizationURL xml:lang="en">https://www.korsbaek.dk/'
                'en/</md:OrganizationURL>',
                '<md:ContactPerson contactType="technical">',
                '<md:EmailAddress>mailto:it@korsbaek.dk</md:EmailAddress>',
                '<md:ContactPerson contactType="administrative">'):
            self.assertIn(needle, md)


def demo_conf(tmp):
    """conf/demo/nginx.conf.in as tools/demo.sh writes it."""
    d = os.path.join(tmp, "demo")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(ROOT, "conf", "demo", "nginx.conf.in")) as f:
        text = f.read()
    for name in re.findall(r"metadata=@DIR@/idp-([a-z]+)\.xml", text):
        idp_metadata(os.path.join(d, f"idp-{name}.xml"),
                     f"https://{name}.demo.test/",
                     f"https://127.0.0.1:8443/idp/{name}/", ["idp.crt"])
    for k, v in (("@DIR@", d), ("@ROOT@", ROOT), ("@CERTS@", CERTS),
                 ("@OBJS@", os.path.join(BUILD, "nginx", "objs"))):
        text = text.replace(k, v)
    conf = os.path.join(d, "nginx.conf")
    with open(conf, "w") as f:
        f.write(text)
    return conf


class ReadinessTest(unittest.TestCase):
    """oiosamlctl sp-metadata CONF --check: the demo is ready; without a
    contact and with another entityID it is not, and says what lacks."""

    def setUp(self):
        self.nginx = Nginx("readiness", "")
        self.d = self.nginx.dir

    def tearDown(self):
        self.nginx.cleanup()

    def check(self, conf, *extra):
        return subprocess.run([CTL, "sp-metadata", conf, "--check"]
                              + list(extra), capture_output=True,
                              text=True)

    def test_demo_is_ready(self):
        r = self.check(demo_conf(self.d))
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("ready: everything that NemLog-in3 and Context "
                      "Handler 2 require is there", r.stdout)
        self.assertNotIn("MISSING", r.stdout)
        self.assertRegex(r.stdout, r"ContactPerson technical, with e-mail"
                                   r" +yes")

    def conf(self, entity, extra=""):
        idp_metadata(os.path.join(self.d, "idp.xml"), "https://idp.test/",
                     "https://idp.test/", ["idp.crt"])
        conf = os.path.join(self.d, "plain.conf")
        with open(conf, "w") as f:
            f.write(f"""
http {{
    server {{
        oiosaml_sp {entity} url=https://app.test/saml/;
        oiosaml_sp_key {CERTS}/sp.key {CERTS}/sp.crt;
        oiosaml_idp t metadata={self.d}/idp.xml;
{extra}
    }}
}}
""")
        return conf

    def test_missing_contact_and_entity_id(self):
        r = self.check(self.conf("https://app.test/"))
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("NOT READY", r.stdout)
        self.assertRegex(r.stdout, r"entityID starts with https://saml\. "
                                   r"+MISSING")
        self.assertRegex(r.stdout, r"ContactPerson technical, with e-mail"
                                   r" +MISSING")
        # the default attributes are there without configuration
        self.assertRegex(r.stdout, r"required: nsis/loa +yes")

    def test_contact_makes_it_ready(self):
        conf = self.conf("https://saml.app.test",
                         "oiosaml_sp_contact technical it@app.test;")
        r = self.check(conf)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_bad_directive_names_its_line(self):
        conf = self.conf("https://saml.app.test",
                         "oiosaml_sp_contact technical not-an-email;")
        r = self.check(conf)
        self.assertEqual(r.returncode, 3, r.stdout + r.stderr)
        self.assertIn("oiosaml_sp_contact: \"not-an-email\" is not an e-mail "
                      "address", r.stderr)
        self.assertIn("plain.conf:%d" % line_of(conf, "not-an-email"),
                      r.stderr)


class NginxWarningsTest(unittest.TestCase):
    """nginx -t: a warning when no technical contact is configured and
    when the entityID does not follow NemLog-in's convention; errors name
    the line of the directive."""

    def setUp(self):
        self.nginx = Nginx("fed-warn", "")
        self.d = self.nginx.dir
        idp_metadata(os.path.join(self.d, "idp.xml"), "https://idp.test/",
                     "https://idp.test/", ["idp.crt"])

    def tearDown(self):
        self.nginx.cleanup()

    def run_t(self, entity, extra=""):
        self.nginx.write(f"""
    oiosaml_zone z:1m;
    server {{
        listen 127.0.0.1:1;
        oiosaml_sp {entity} url=https://app.test/saml/;
        oiosaml_sp_key {CERTS}/sp.key {CERTS}/sp.crt;
        oiosaml_idp t metadata={self.d}/idp.xml;
        {extra}
    }}
""")
        return self.nginx.check()

    def test_warnings(self):
        rc, out = self.run_t("https://app.test/")
        self.assertEqual(rc, 0, out)
        self.assertRegex(out, r"\[warn\].*no technical contact in our "
                              r"metadata.* in %s:\d+" % self.nginx.conf)
        self.assertRegex(out, r"\[warn\].*NemLog-in3 wants an entityID that "
                              r"starts with \"https://saml\.\"")

    def test_no_warnings_when_ready(self):
        rc, out = self.run_t("https://saml.app.test",
                             "oiosaml_sp_contact technical it@app.test;")
        self.assertEqual(rc, 0, out)
        self.assertNotIn("[warn]", out)

    def test_error_names_the_line(self):
        rc, out = self.run_t("https://saml.app.test",
                             "oiosaml_sp_organization da x y ftp://x/;")
        self.assertNotEqual(rc, 0, out)
        self.assertRegex(out, r"oiosaml_sp_organization: organization URL "
                              r"\"ftp://x/\" is not an http\(s\) URL in "
                              r"%s:%d" % (self.nginx.conf,
                                          line_of(self.nginx.conf, "ftp://")))


class IdpWarningLineTest(unittest.TestCase):
    """nginx -t's certificate warnings about an IdP name the line of its
    oiosaml_idp directive, in the file that holds it (an include), not
    the end of the http block."""

    def setUp(self):
        self.nginx = Nginx("idp-line", "")
        self.d = self.nginx.dir

    def tearDown(self):
        self.nginx.cleanup()

    def test_expiring_certificate_names_the_directive(self):
        key = os.path.join(self.d, "soon.key")
        crt = os.path.join(self.d, "soon.crt")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048",
                        "-nodes", "-keyout", key, "-out", crt, "-days", "10",
                        "-subj", "/CN=soon"], check=True,
                       capture_output=True)
        idp_metadata(os.path.join(self.d, "idp.xml"), "https://idp.test/",
                     "https://idp.test/", [crt])
        inc = os.path.join(self.d, "idps.conf")
        with open(inc, "w") as f:
            f.write("# the IdPs\n\n"
                    f"oiosaml_idp soon metadata={self.d}/idp.xml;\n")
        self.nginx.write(f"""
    oiosaml_zone z:1m;
    server {{
        listen 127.0.0.1:1;
        oiosaml_sp https://saml.app.test url=https://app.test/saml/;
        oiosaml_sp_key {CERTS}/sp.key {CERTS}/sp.crt;
        include {inc};
    }}
""")
        rc, out = self.nginx.check()
        self.assertEqual(rc, 0, out)
        self.assertRegex(out, r'\[warn\].*oiosaml_idp "soon": signing '
                              r'certificate "CN=soon" expires in (9|10) days'
                              r' in %s:3\n' % re.escape(inc))

    def test_backup_error_names_the_directive(self):
        idp_metadata(os.path.join(self.d, "idp.xml"), "https://idp.test/",
                     "https://idp.test/", ["idp.crt"])
        self.nginx.write(f"""
    oiosaml_zone z:1m;
    server {{
        listen 127.0.0.1:1;
        oiosaml_sp https://saml.app.test url=https://app.test/saml/;
        oiosaml_sp_key {CERTS}/sp.key {CERTS}/sp.crt;
        oiosaml_idp a metadata={self.d}/idp.xml backup=nobody;
    }}
""")
        rc, out = self.nginx.check()
        self.assertNotEqual(rc, 0, out)
        self.assertRegex(out, r'oiosaml_idp "a": IdP "a": backup=nobody is '
                              r'not another configured IdP in %s:%d'
                         % (re.escape(self.nginx.conf),
                            line_of(self.nginx.conf, "backup=nobody")))
