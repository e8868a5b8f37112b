"""Regression tests for the outside security review (docs/security.md,
"Outside review"): each class names the review item it covers."""

import base64
import os
import re
import subprocess
import urllib.parse

from harness import HTML, Browser, SpTestCase, cert

AULA = "http://aula.dk/roles/usersystemrole/"


class DenialEndsRequestTest(SpTestCase):
    """Item 1: a role or level denial ends the request in the access
    phase; try_files, error_page, rewrite and if blocks cannot hand the
    request to the application instead."""

    role = f"{AULA}medarbejder/1"

    @classmethod
    def http_config(cls):
        up = f"http://127.0.0.1:{cls.up_port}"
        extra = f"""
        location @app {{
            proxy_pass {up};
        }}

        location /fallback/ {{
            proxy_pass {up};
        }}

        location /tf-named/ {{
            oiosaml_require_role {cls.role};
            try_files $uri @app;
        }}

        location /tf-uri/ {{
            oiosaml_require_role {cls.role};
            try_files $uri /fallback/index;
        }}

        location /ep-403/ {{
            oiosaml_require_role {cls.role};
            error_page 403 = @app;
            proxy_pass {up};
        }}

        location /ep-404/ {{
            oiosaml_require_role {cls.role};
            error_page 404 = @app;
            try_files $uri =404;
        }}

        location /rw/ {{
            oiosaml_require_role {cls.role};
            rewrite ^/rw/old/(.*)$ /rw/new/$1 last;
            try_files $uri @app;
        }}

        location /if/ {{
            oiosaml_require_role {cls.role};
            if ($arg_ret) {{
                return 302 /fallback/from-if;
            }}
            if ($arg_set) {{
                set $x 1;
            }}
            try_files $uri @app;
        }}

        location /ok/ {{
            oiosaml_require_role {cls.role};
            try_files $uri @app;
        }}
"""
        cls.server_extra = extra
        return super().http_config()

    def session(self, user):
        b, r, _ = self.login(user=user)
        self.assertEqual(r.status, 303, r.body)
        self.nginx.new_log()
        return b

    def assertRoleDenied(self, b, path):
        r = b.get(self.url(path), headers={"Accept": HTML})
        self.assertEqual(r.status, 403, r.body[:300])
        self.assertIn("Access denied", r.body)
        # the application never answered
        self.assertNotIn("User=", r.body)
        log = self.nginx.new_log()
        self.assertEqual(log.count("oiosaml: role: deny_role:"), 1, log)

    def test_try_files_named_location(self):
        self.assertRoleDenied(self.session("bob"), "/tf-named/x")

    def test_try_files_uri(self):
        self.assertRoleDenied(self.session("bob"), "/tf-uri/x")

    def test_error_page_for_our_status(self):
        self.assertRoleDenied(self.session("bob"), "/ep-403/x")

    def test_error_page_after_try_files(self):
        self.assertRoleDenied(self.session("bob"), "/ep-404/x")

    def test_rewrite_last_inside_the_location(self):
        self.assertRoleDenied(self.session("bob"), "/rw/old/x")

    def test_if_block_inherits_the_requirement(self):
        self.assertRoleDenied(self.session("bob"), "/if/x?set=1")
        self.assertRoleDenied(self.session("bob"), "/if/x")

    def test_return_in_if_runs_before_access(self):
        # nginx's rewrite phase answers before any access check, for
        # auth_basic and deny as for us (docs/directives.md): the answer
        # is the configured redirect, never the application
        b = self.session("bob")
        r = b.get(self.url("/if/x?ret=1"), headers={"Accept": HTML})
        self.assertEqual(r.status, 302)
        self.assertTrue(r.location.endswith("/fallback/from-if"))

    def test_allowed_user_still_reaches_the_app(self):
        b = self.session("dorte")
        r = b.get(self.url("/ok/x"), headers={"Accept": HTML})
        self.assertEqual(r.status, 200, r.body)
        self.assertIn("User=", r.body)
        r = b.get(self.url("/tf-named/x"), headers={"Accept": HTML})
        self.assertEqual(r.status, 200, r.body)

    def test_head_denial_ends_too(self):
        b = self.session("bob")
        r = b.request("HEAD", self.url("/tf-named/x"),
                      headers={"Accept": HTML})
        self.assertEqual(r.status, 403)
        self.nginx.new_log()

    def test_post_denial_with_body(self):
        b = self.session("bob")
        r = b.post(self.url("/tf-named/x"), {"a": "b" * 5000},
                   headers={"Accept": HTML})
        self.assertEqual(r.status, 403, r.body[:300])
        self.assertNotIn("User=", r.body)
        self.nginx.new_log()


class LevelDenialEndsRequestTest(SpTestCase):
    """Item 1 for levels: an IdP that cannot deliver High (an operator-
    asserted NIST 3), a location that needs High."""

    idp_options = "profile=oiosaml2-no-loa max_loa=nist3"

    @classmethod
    def http_config(cls):
        up = f"http://127.0.0.1:{cls.up_port}"
        cls.server_extra = f"""
        location @app {{
            proxy_pass {up};
        }}

        location /high-named/ {{
            oiosaml on;
            oiosaml_require_loa high;
            try_files $uri @app;
        }}

        location /high-uri/ {{
            oiosaml on;
            oiosaml_require_loa high;
            try_files $uri /app/index.php;
        }}

        location /high-ep/ {{
            oiosaml on;
            oiosaml_require_loa high;
            error_page 403 = @app;
            proxy_pass {up};
        }}
"""
        return super().http_config()

    def test_level_denial_is_final(self):
        b, r, _ = self.login()
        self.assertEqual(r.status, 303, r.body)
        for path in ("/high-named/x", "/high-uri/x", "/high-ep/x"):
            self.nginx.new_log()
            r = b.get(self.url(path), headers={"Accept": HTML})
            self.assertEqual(r.status, 403, path + r.body[:300])
            self.assertIn("A higher assurance level is required", r.body)
            self.assertNotIn("User=", r.body)
            log = self.nginx.new_log()
            self.assertEqual(log.count("deny_loa"), 1, log)


class EndpointTryFilesTest(SpTestCase):
    """Item 1, the other way round: the endpoints are served even where
    a location around them says try_files (a PHP or SPA front), and the
    location's own access checks still apply to them."""

    @classmethod
    def http_config(cls):
        up = f"http://127.0.0.1:{cls.up_port}"
        cls.server_extra = f"""
        location / {{
            try_files $uri /index.php?$args;
        }}

        location = /index.php {{
            proxy_pass {up};
        }}

        location = /saml/status {{
            deny all;
        }}
"""
        return super().http_config()

    def test_login_flow_through_try_files(self):
        b, r, _ = self.login()
        self.assertEqual(r.status, 303, r.body)
        r = b.get(self.url("/saml/metadata"))
        self.assertEqual(r.status, 200)
        self.assertIn("EntityDescriptor", r.body)

    allowed_errors = ("access forbidden by rule",)

    def test_deny_on_an_endpoint_location_holds(self):
        r = Browser().get(self.url("/saml/status"))
        self.assertEqual(r.status, 403)
        self.assertNotIn('"idps"', r.body)
        self.nginx.new_log()


def sign_query(query, key):
    """Signs an HTTP-Redirect query (RSA-SHA256) the way the binding
    says: over "SAMLResponse=...&RelayState=...&SigAlg=..." as sent."""
    alg = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
    query += "&SigAlg=" + urllib.parse.quote(alg, safe="")
    sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", key],
                         input=query.encode(), capture_output=True,
                         check=True).stdout
    return query + "&Signature=" + urllib.parse.quote(
        base64.b64encode(sig).decode(), safe="")


class LogoutRelayTest(SpTestCase):
    """Item 3: a LogoutResponse whose signature verifies, with a long
    RelayState and a cookie named after it, once overflowed a stack
    buffer in the worker.  Only our own 22-character handle names a
    return cookie now; anything else returns to "/"."""

    def signed_logout_response(self, relay):
        b, r, _ = self.login()
        self.assertEqual(r.status, 303, r.body)
        r = b.get(self.url("/saml/logout?return=/public/bye"))
        self.assertEqual(r.status, 302, r.body)
        idp = b.get(r.location)
        self.assertTrue(idp.location.startswith(self.url("/saml/sls?")))
        params = dict(p.split("=", 1)
                      for p in urllib.parse.urlsplit(idp.location)
                      .query.split("&"))
        query = "SAMLResponse=" + params["SAMLResponse"] \
            + "&RelayState=" + urllib.parse.quote(relay, safe="")
        return b, sign_query(query, cert("idp.key"))

    def test_long_relay_state_with_its_cookie(self):
        for n in (23, 60, 95):
            relay = "A" * n
            b, q = self.signed_logout_response(relay)
            b.cookies["oiosaml-slo-" + relay] = ("x" * 40, "/saml/")
            r = b.get(self.url("/saml/sls?" + q))
            self.assertEqual(r.status, 200, r.body)
            self.assertIn("Logged out", r.body)
            self.assertNoCrash()
            self.nginx.new_log()

    def test_own_handle_still_returns(self):
        b, r, _ = self.login()
        r = b.get(self.url("/saml/logout?return=/public/bye"))
        idp = b.get(r.location)
        r = b.get(idp.location)
        self.assertEqual(r.status, 303, r.body)
        self.assertTrue(r.location.endswith("/public/bye"))
