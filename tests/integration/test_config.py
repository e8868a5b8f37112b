"""Configuration errors are reported by "nginx -t", naming file and problem."""

import os
import unittest

from harness import CERTS, Nginx, cert, idp_metadata


def server(d, sp="", idp="", extra="", zone="oiosaml_zone z:1m;"):
    c = CERTS
    sp = sp or f"oiosaml_sp_key {c}/sp.key {c}/sp.crt;"
    idp = idp or f"oiosaml_idp t metadata={d}/idp.xml;"
    return f"""
    {zone}
    server {{
        listen 127.0.0.1:1;
        oiosaml_sp https://sp.test/ url=https://sp.test/saml/;
        {sp}
        {idp}
        {extra}
        location / {{ oiosaml on; }}
    }}
"""


class ConfigTest(unittest.TestCase):

    def setUp(self):
        self.nginx = Nginx("config", "")
        self.d = self.nginx.dir
        idp_metadata(os.path.join(self.d, "idp.xml"), "https://idp.test/",
                     "https://idp.test/", ["idp.crt"])

    def tearDown(self):
        self.nginx.cleanup()

    def check(self, http, env=None):
        self.nginx.write(http)
        return self.nginx.check(env)

    def expect(self, http, *words, env=None):
        rc, out = self.check(http, env)
        self.assertNotEqual(rc, 0, out)
        self.assertIn("[emerg]", out)
        for w in words:
            self.assertIn(w, out)
        return out

    def write(self, name, text):
        path = os.path.join(self.d, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def test_valid_configuration(self):
        rc, out = self.check(server(self.d))
        self.assertEqual(rc, 0, out)

    def test_unreadable_key(self):
        self.expect(server(self.d, sp=f"oiosaml_sp_key {self.d}/none.key "
                           f"{CERTS}/sp.crt;"),
                    "none.key", "No such file", "nginx.conf:")

    def test_key_certificate_mismatch(self):
        self.expect(server(self.d, sp=f"oiosaml_sp_key {CERTS}/sp.key "
                           f"{CERTS}/idp.crt;"),
                    "does not match certificate", "idp.crt")

    def test_not_a_key(self):
        bad = self.write("bad.key", "hello\n")
        self.expect(server(self.d, sp=f"oiosaml_sp_key {bad} "
                           f"{CERTS}/sp.crt;"),
                    "bad.key", "no unencrypted PEM private key")

    def test_metadata_not_xml(self):
        self.write("idp.xml", "this is not XML")
        self.expect(server(self.d), "oiosaml_idp \"t\"", "malformed XML")

    def test_metadata_without_signing_key(self):
        self.write("idp.xml", """<md:EntityDescriptor
 xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x">
 <md:IDPSSODescriptor protocolSupportEnumeration="x">
 <md:SingleSignOnService
  Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
  Location="https://idp.test/sso"/></md:IDPSSODescriptor>
 </md:EntityDescriptor>""")
        self.expect(server(self.d), "no signing certificate")

    def test_metadata_expired(self):
        text = open(os.path.join(self.d, "idp.xml")).read().replace(
            'entityID="https://idp.test/"',
            'entityID="https://idp.test/" validUntil="2020-01-01T00:00:00Z"')
        self.write("idp.xml", text)
        self.expect(server(self.d), "metadata expired", "validUntil")

    def test_metadata_missing(self):
        self.expect(server(self.d, idp=f"oiosaml_idp t "
                           f"metadata={self.d}/nope.xml;"),
                    "nope.xml", "No such file")

    def test_unknown_profile(self):
        self.expect(server(self.d, idp=f"oiosaml_idp t metadata="
                           f"{self.d}/idp.xml profile=saml9;"),
                    "unknown profile \"saml9\"", "oiosaml3-adfs-relaystate")

    def test_unknown_idp_parameter(self):
        self.expect(server(self.d, idp=f"oiosaml_idp t metadata="
                           f"{self.d}/idp.xml colour=blue;"),
                    "unknown oiosaml_idp parameter \"colour=blue\"")

    def test_missing_zone(self):
        self.expect(server(self.d, zone=""), "needs an \"oiosaml_zone\"")

    def test_short_cookie_secret(self):
        short = self.write("short.key", "too short\n")
        self.expect(server(self.d, extra=f"oiosaml_cookie_secret {short};"),
                    "shorter than 32 bytes")

    def test_bad_url(self):
        self.expect(server(self.d).replace("url=https://sp.test/saml/",
                                           "url=ftp://x"),
                    "must start with https://")

    def test_lasso_flag_in_the_environment(self):
        env = {"LASSO_FLAG": "no-verify-signature"}
        self.expect(server(self.d), "LASSO_FLAG", "refuses to start",
                    env=env)

    def test_oiosaml_on_without_sp(self):
        self.expect("server { listen 127.0.0.1:1; "
                    "location / { oiosaml on; } }",
                    "needs \"oiosaml_sp\"")

    def test_identity_header_names(self):
        rc, out = self.check(server(self.d, extra="oiosaml_headers User "
                                    "loa nameid-format roles;"))
        self.assertEqual(rc, 0, out)
        self.expect(server(self.d, extra="oiosaml_headers user colour;"),
                    "unknown identity header \"colour\"", "constraints")
        self.expect(server(self.d, extra="oiosaml_headers user loa User;"),
                    "identity header \"User\" named twice")
        self.expect(server(self.d, extra="oiosaml_headers on user;"),
                    "unknown identity header \"on\"")
