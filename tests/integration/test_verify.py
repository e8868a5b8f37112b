"""Every rule of the response check, accepted and rejected, end to end.

Each denial test is paired with an accepted case in the same class (the
test IdP's default answer), so a harness that rejects everything fails.
"""

import base64

from harness import Browser, SpTestCase

SESSION = "__Host-oiosaml"


class VerifyTestCase(SpTestCase):

    def accepted(self, **knobs):
        b, r, _ = self.login(**knobs)
        self.assertEqual(r.status, 303, r.body[:400])
        self.assertIn(SESSION, b.cookies)
        self.assertEqual(b.get(self.url("/app/x")).status, 200)
        return b

    def denied(self, reason, http=403, **knobs):
        b, r, _ = self.login(**knobs)
        self.assertNotIn(SESSION, b.cookies)
        return self.assertDenied(r, http, reason)


class SignatureTest(VerifyTestCase):
    """Default policy: the assertion must be signed (signed=assertion)."""

    def test_signed_assertion_accepted(self):
        self.accepted(encrypt="none")

    def test_signed_assertion_and_response_accepted(self):
        self.accepted(encrypt="none", sign="both")

    def test_unsigned_rejected(self):
        self.denied("deny_unsigned", encrypt="none", sign="none")

    def test_only_response_signed_rejected_by_assertion_policy(self):
        self.denied("deny_unsigned", encrypt="none", sign="response")

    def test_untrusted_key_rejected(self):
        self.denied("deny_signature", encrypt="none", key="wrong")

    def test_tampered_content_rejected(self):
        self.denied("deny_signature", encrypt="none", tamper="1")

    def test_sha1_rejected_unless_allowed(self):
        self.denied("deny_sig_algorithm", encrypt="none", alg="sha1")


class ResponseSignedPolicyTest(VerifyTestCase):

    idp_options = "profile=oiosaml3 signed=response allow_sha1"

    def test_signed_response_accepted(self):
        self.accepted(encrypt="none", sign="response")

    def test_signed_response_around_encrypted_assertion_accepted(self):
        self.accepted(encrypt="aes256-gcm", sign="response")

    def test_only_assertion_signed_rejected(self):
        self.denied("deny_unsigned", encrypt="none", sign="assertion")

    def test_sha1_accepted_when_allowed(self):
        self.accepted(encrypt="none", sign="response", alg="sha1")

    def test_bad_response_signature_rejected(self):
        self.denied("deny_signature", encrypt="none", sign="response",
                    key="wrong")


class EitherBothPolicyTest(VerifyTestCase):

    idp_options = "profile=oiosaml3 signed=both"

    def test_both_accepted(self):
        self.accepted(encrypt="none", sign="both")

    def test_one_rejected(self):
        self.denied("deny_unsigned", encrypt="none", sign="assertion")


class EncryptionTest(VerifyTestCase):

    def test_ciphers_and_key_transports(self):
        for enc in ("aes128-gcm", "aes256-gcm", "aes128-cbc", "aes256-cbc"):
            for transport in ("oaep", "oaep11"):
                with self.subTest(enc=enc, transport=transport):
                    self.accepted(encrypt=enc, transport=transport)

    def test_rsa15_key_transport_rejected(self):
        self.denied("deny_enc_algorithm", encrypt="aes256-cbc",
                    transport="rsa15")

    def test_encrypted_for_another_key_rejected(self):
        self.denied("deny_decrypt", encrypt="aes256-gcm", encrypt_to="wrong")

    def test_plain_accepted_when_not_required(self):
        self.accepted(encrypt="none")


class RequireEncryptionTest(VerifyTestCase):

    idp_options = "profile=oiosaml3 require_encryption"

    def test_encrypted_accepted(self):
        self.accepted(encrypt="aes256-gcm")

    def test_plain_rejected(self):
        self.denied("deny_encryption_required", encrypt="none")


class ProtocolTest(VerifyTestCase):

    def test_baseline_accepted(self):
        self.accepted()

    def test_two_assertions_rejected(self):
        self.denied("deny_assertion_count", encrypt="none", assertions="2")

    def test_wrong_issuer_rejected(self):
        self.denied("deny_issuer", issuer="https://evil.test/")

    def test_error_status_rejected(self):
        line = self.denied(
            "deny_status",
            status="urn:oasis:names:tc:SAML:2.0:status:Responder")
        self.assertIn("Responder", line)

    def test_destination(self):
        self.denied("deny_destination", destination="https://evil.test/acs")
        self.denied("deny_destination", destination="omit")

    def test_recipient(self):
        self.denied("deny_recipient", recipient="https://evil.test/acs")

    def test_audience(self):
        self.denied("deny_audience", audience="https://other.test/")
        self.denied("deny_audience", audience="omit")

    def test_not_before(self):
        self.denied("deny_not_yet_valid", not_before="600")
        self.accepted(not_before="100")         # within the 180 s skew

    def test_not_on_or_after(self):
        self.denied("deny_expired", not_on_or_after="-600")
        self.accepted(not_on_or_after="-100")   # within the 180 s skew

    def test_subject_confirmation_not_on_or_after(self):
        self.denied("deny_expired", scd_not_on_or_after="-600")

    def test_issue_instant_in_the_future(self):
        self.denied("deny_not_yet_valid", issue_instant="900")

    def test_in_response_to_another_request(self):
        self.denied("deny_in_response_to", in_response_to="_0123456789")

    def test_unsolicited_rejected_by_default(self):
        self.denied("deny_unsolicited", in_response_to="omit")

    def test_no_pending_login_in_this_browser(self):
        b = Browser()
        page = self.start_login(b)
        acs, answer = self.idp_answer(b, page)
        r = Browser().post(acs, answer)         # another browser
        self.assertDenied(r, 403, "deny_in_response_to")

    def test_pending_cookie_is_bound_to_its_relay_state(self):
        b = Browser()
        page = self.start_login(b)
        acs, answer = self.idp_answer(b, page)
        name = [k for k in b.cookies if k.startswith("oiosaml-req-")][0]
        other = dict(answer, RelayState="A" * 22)
        thief = Browser()
        thief.cookies["oiosaml-req-" + "A" * 22] = b.cookies[name]
        r = thief.post(acs, other)
        self.assertDenied(r, 400, "bad_cookie")

    def test_authn_statement_required(self):
        self.denied("deny_authn_statement", authn_statements="0")

    def test_no_session_cookie_on_any_denial(self):
        b, r, _ = self.login(audience="https://other.test/")
        self.assertFalse(any(c.startswith(SESSION)
                             for c in r.headers.get("set-cookie", [])))
        self.nginx.new_log()


class BadInputTest(VerifyTestCase):

    def post_acs(self, value, relay=None):
        body = {"SAMLResponse": value}
        if relay:
            body["RelayState"] = relay
        return Browser().post(self.url("/saml/acs"), body)

    def test_not_base64(self):
        self.assertDenied(self.post_acs("!!!not base64!!!"), 400,
                          "bad_encoding")

    def test_not_xml(self):
        self.assertDenied(self.post_acs(base64.b64encode(b"hello").decode()),
                          400, "bad_xml")

    def test_doctype_refused(self):
        xml = (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">'
               b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
               b'<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:'
               b'protocol">&b;</samlp:Response>')
        self.assertDenied(self.post_acs(base64.b64encode(xml).decode()),
                          400, "bad_xml")

    # a malformed message gets the page of every failure that can follow
    # a decryption (no oracle: see test_attacks.py), so 403, not 400
    def test_not_a_response(self):
        xml = b'<a xmlns="urn:x"/>'
        self.assertDenied(self.post_acs(base64.b64encode(xml).decode()),
                          403, "bad_message")

    def test_missing_field(self):
        r = Browser().post(self.url("/saml/acs"), {"x": "y"})
        self.assertDenied(r, 403, "bad_message")

    def test_too_large(self):
        r = self.post_acs("A" * (600 * 1024))
        self.assertDenied(r, 413, "bad_too_large")

    def test_garbage_relay_state_and_cookie(self):
        b = Browser()
        b.cookies["oiosaml-req-" + "B" * 22] = ("garbage", "/saml/")
        r = b.post(self.url("/saml/acs"),
                   {"SAMLResponse": "PHg+", "RelayState": "B" * 22})
        self.assertDenied(r, 400, "bad_cookie")
