"""The bootstrap token (OIO-IDWS, docs/headers.md): kept in the session
only where oiosaml_bootstrap_fetch names who may fetch it; a location with
oiosaml_bootstrap_token on gives the application a short-lived reference,
and the token is fetched from the gateway; never a header, never a
variable, never logged; gone with the session."""

import base64
import os
import re
import subprocess
import unittest
import urllib.parse

from harness import CERTS, HTML, USERS, Browser, Nginx, SpTestCase, \
    idp_metadata


def nora_token():
    with open(USERS) as f:
        text = f.read()
    section = text[text.index("[nora]"):]
    b64 = re.search(r"bootstrapToken = (\S+)", section).group(1)
    return b64, base64.b64decode(b64).decode()


class BootstrapTokenTest(SpTestCase):

    server_extra = """
        oiosaml_bootstrap_fetch 127.0.0.1;
        set_real_ip_from 127.0.0.1;
        real_ip_header X-Forwarded-For;

        location /idws/ {
            oiosaml on;
            oiosaml_bootstrap_token on;
            proxy_pass http://127.0.0.1:$UP;
        }

        location /vars/ {
            oiosaml on;
            return 200 "b=$oiosaml_bootstrap;u=$oiosaml_user\\n";
        }
"""

    @classmethod
    def http_config(cls):
        return super().http_config().replace("$UP", str(cls.up_port))

    def reference(self, b):
        r = b.get(self.url("/idws/x"))
        self.assertEqual(r.status, 200, r.body)
        ref = self.echo(r.body)["Bootstrap"]
        self.assertTrue(ref.startswith(self.url("/saml/bootstrap?ref=")),
                        ref)
        return ref

    def session(self, user="nora"):
        b, r, _ = self.login(path="/idws/x", user=user)
        self.assertEqual(r.status, 303, r.body)
        return b

    def test_fetch_by_reference(self):
        b = self.session()
        ref = self.reference(b)
        # the application fetches it from its own address, no cookies
        r = Browser().get(ref, headers={})
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.header("content-type"),
                         "application/samlassertion+xml")
        self.assertEqual(r.header("cache-control"), "no-store")
        self.assertEqual(r.body, nora_token()[1])
        self.assertIn("bootstrap: token of user=", self.nginx.new_log())

    def test_only_where_a_location_asks(self):
        b = self.session()
        r = b.get(self.url("/app/x"))
        self.assertEqual(self.echo(r.body)["Bootstrap"], "")
        # never a variable
        r = b.get(self.url("/vars/"))
        self.assertTrue(r.body.startswith("b=;u=https://"), r.body)

    def test_refused_references(self):
        b = self.session()
        ref = self.reference(b)
        q = urllib.parse.urlsplit(ref).query
        value = q.split("=", 1)[1]
        bad = value[:-3] + ("AAA" if value[-3:] != "AAA" else "BBB")
        for url in (self.url("/saml/bootstrap"),
                    self.url("/saml/bootstrap?ref=" + bad),
                    self.url("/saml/bootstrap?ref=" + "x" * 300)):
            r = Browser().get(url, headers={})
            self.assertEqual(r.status, 404, url)
            self.assertNotIn("Assertion", r.body)
        # from an address that oiosaml_bootstrap_fetch does not name
        r = Browser().get(ref, headers={"X-Forwarded-For": "203.0.113.9"})
        self.assertEqual(r.status, 404)
        log = self.nginx.new_log()
        self.assertIn("client not in oiosaml_bootstrap_fetch", log)
        self.assertIn("the ref is not ours", log)

    def test_gone_with_the_session(self):
        b = self.session()
        ref = self.reference(b)
        r = b.get(self.url("/saml/logout"))
        self.assertIn(r.status, (200, 302, 303))
        r = Browser().get(ref, headers={})
        self.assertEqual(r.status, 404)
        self.assertIn("the session has ended", self.nginx.new_log())

    def test_a_user_without_a_token(self):
        b = self.session("alice")
        r = b.get(self.url("/idws/x"))
        self.assertEqual(self.echo(r.body)["Bootstrap"], "")

    def test_never_logged(self):
        b = self.session()
        Browser().get(self.reference(b), headers={})
        b64, xml = nora_token()
        log = self.nginx.log()
        self.assertNotIn(b64[:40], log)
        self.assertNotIn("_bst-nora-1", log)


class NoFetchTest(SpTestCase):
    """Without oiosaml_bootstrap_fetch the token is not kept at all."""

    server_extra = """
        location /vars/ {
            return 200 "$oiosaml_user";
        }
"""

    def test_not_kept(self):
        b, r, _ = self.login(user="nora")
        self.assertEqual(r.status, 303, r.body)
        r = Browser().get(self.url("/saml/bootstrap?ref=x"), headers={})
        self.assertEqual(r.status, 404)
        self.nginx.new_log()


class BootstrapConfigTest(unittest.TestCase):

    def test_token_needs_fetch(self):
        n = Nginx("bootstrap-conf", "")
        try:
            idp_metadata(os.path.join(n.dir, "idp.xml"), "https://idp.test/",
                         "https://idp.test/", ["idp.crt"])
            n.write(f"""
    oiosaml_zone z:1m;
    server {{
        listen 127.0.0.1:1;
        oiosaml_sp https://saml.app.test url=https://app.test/saml/;
        oiosaml_sp_key {CERTS}/sp.key {CERTS}/sp.crt;
        oiosaml_idp t metadata={n.dir}/idp.xml;
        location / {{ oiosaml on; oiosaml_bootstrap_token on; }}
    }}
""")
            rc, out = n.check()
            self.assertNotEqual(rc, 0, out)
            self.assertIn('"oiosaml_bootstrap_token on" needs '
                          '"oiosaml_bootstrap_fetch"', out)
        finally:
            n.cleanup()
