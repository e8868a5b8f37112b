"""The return address after login and logout is a local path, always."""

import urllib.parse

from harness import Browser, SpTestCase

EVIL = [
    "//evil.test/x",
    "/\\evil.test/x",
    "\\\\evil.test",
    "https:evil.test",
    "https://evil.test/",
    "http://127.0.0.1.evil.test/",
    "javascript:alert(1)",
    "evil.test/x",
    "/%2F%2Fevil.test",
    "/%2f/evil.test",
    "/%5Cevil.test",
    "%2F%2Fevil.test",
    "/%252F%252Fevil.test",
    "/%25252F%25252Fevil.test",
    "/\t/evil.test",
    "/%09/evil.test",
    "/%0d%0aSet-Cookie:x=1",
    "/\u00e6\u00f8\u00e5",
]


class OpenRedirectTest(SpTestCase):

    def test_foreign_return_addresses_are_refused(self):
        for target in EVIL:
            with self.subTest(target=target):
                q = urllib.parse.quote(target, safe="")
                r = Browser().get(self.url("/saml/login?return=" + q))
                self.assertDenied(r, 400, "deny_return_url")
                self.assertIsNone(r.header("location"))
                r = Browser().get(self.url("/saml/logout?return=" + q))
                self.assertDenied(r, 400, "deny_return_url")

    def test_local_path_round_trip(self):
        target = "/app/ok?x=1&y=%2F"
        b = Browser()
        r = b.get(self.url("/saml/login?return="
                           + urllib.parse.quote(target, safe="")))
        self.assertEqual(r.status, 302)
        page = b.get(r.location)
        acs, answer = self.idp_answer(b, page)
        r = b.post(acs, answer)
        self.assertEqual(r.status, 303, r.body)
        self.assertEqual(r.header("location"), target)

    def test_protected_request_with_odd_path_returns_to_root(self):
        r = Browser().get(self.url("/app//evil.test"))
        self.assertEqual(r.status, 302)
        self.assertTrue(r.location.endswith("return=%2F")
                        or "return=%2Fapp" in r.location, r.location)
