"""The attack catalogue (docs/security.md) against the running gateway.

Each class starts a real nginx with the module, the test IdP and the echo
upstream.  Attacks start from an answer the test IdP signed with its real
key for this browser's login; the SAMLResponse is then changed as the
catalogue describes (its IDs in the comments) and posted with the browser's
pending cookie.  Every refusal is checked for its status, its one log line
naming the reason, and for no session; every case that must pass is
checked for the identity the upstream sees.  The library's own tests of
the same cases, in more variants, are tests/unit/test_oiosaml_attacks*.c.
"""

import base64
import os
import re
import socket
import ssl
import subprocess
import threading
import time
import urllib.parse
import zlib

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from harness import (BUILD, CERTS, HTML, USERS, Browser, Nginx, SpTestCase,
                     cert, form_fields, free_port, idp_metadata,
                     skip_with_redis)

SESSION = "__Host-oiosaml"
# nginx under valgrind (tests/run-valgrind) answers many times slower
SLOW = float(os.environ.get("OIOSAML_TEST_SLOW", "1"))
ALICE = "C=DK,O=12345678,CN=Alice Andersen,Serial=2f3e8a4c-1b7d-4e5f-" \
        "9a0b-c1d2e3f40001"
XENC = "http://www.w3.org/2001/04/xmlenc#"
DSIG = "http://www.w3.org/2000/09/xmldsig#"

ASSERTION = re.compile(r"<saml:Assertion .*?</saml:Assertion>", re.S)
SIGNATURE = re.compile(r"<ds:Signature .*?</ds:Signature>", re.S)
NAMEID = re.compile(r"(<saml:NameID[^>]*>)[^<]*(</saml:NameID>)")


def decode(answer):
    return base64.b64decode(answer["SAMLResponse"]).decode()


def encode(xml):
    if isinstance(xml, str):
        xml = xml.encode()
    return base64.b64encode(xml).decode()


def evil(xml):
    """The catalogue's "evil edit": the NameID becomes admin."""
    return NAMEID.sub(r"\1admin\2", xml, count=1)


def unsigned(xml):
    return SIGNATURE.sub("", xml, count=1)


def assertion_id(xml):
    return re.search(r'<saml:Assertion [^>]*ID="([^"]+)"', xml).group(1)


class Canary:
    """NO-FETCH: a loopback listener that nothing may connect to."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.hits = 0
        self.sock.settimeout(0.2)
        self.done = False
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self.done:
            try:
                c, _ = self.sock.accept()
                self.hits += 1
                c.close()
            except OSError:
                pass

    def close(self):
        time.sleep(0.3)
        self.done = True
        self.thread.join()
        self.sock.close()
        return self.hits


class AttackTestCase(SpTestCase):

    def answer(self, b=None, path="/app/x", user="alice", idp=None,
               **knobs):
        """A started login and the IdP's answer: (browser, acs, fields)."""
        b = b or Browser()
        if idp is None:
            page = self.start_login(b, path)
        else:
            r = b.get(self.url("/saml/login?idp=%s&return=%s" % (
                idp, urllib.parse.quote(path, safe=""))))
            self.assertEqual(r.status, 302, r.body)
            page = b.get(r.location)
        acs, answer = self.idp_answer(b, page, user, **knobs)
        return b, acs, answer

    def post_xml(self, b, acs, answer, xml):
        return b.post(acs, dict(answer, SAMLResponse=encode(xml)))

    def refused(self, r, reason, b=None, status=403):
        line = self.assertDenied(r, status, reason)
        self.assertFalse(any(c.startswith(SESSION) for c in
                             r.headers.get("set-cookie", [])))
        if b is not None:
            self.assertNotIn(SESSION, b.cookies)
            self.assertEqual(b.get(self.url("/app/x")).status, 302)
        return line

    def accepted_user(self, b, r):
        self.assertEqual(r.status, 303, r.body[:300])
        r = b.get(self.url("/app/x"))
        self.assertEqual(r.status, 200, r.body)
        return self.echo(r.body)["User"]


# ---- A. XML signature wrapping, end to end --------------------------------


class WrappingTest(AttackTestCase):
    """XSW on a signed assertion (B2), the default policy."""

    def attack(self, mutate, reason, status=403):
        b, acs, answer = self.answer(encrypt="none")
        xml = mutate(decode(answer))
        self.refused(self.post_xml(b, acs, answer, xml), reason, b, status)

    def test_baseline_b2_accepted(self):
        b, acs, answer = self.answer(encrypt="none")
        r = self.post_xml(b, acs, answer, decode(answer))
        self.assertEqual(self.accepted_user(b, r), ALICE)

    def test_xsw03_evil_assertion_first(self):
        def mutate(xml):
            a = ASSERTION.search(xml).group(0)
            bad = evil(unsigned(a)).replace(assertion_id(a), "_evil")
            return xml.replace(a, bad + a)
        self.attack(mutate, "deny_assertion_count")

    def test_xsw04_original_inside_evil(self):
        def mutate(xml):
            a = ASSERTION.search(xml).group(0)
            bad = evil(unsigned(a)).replace(assertion_id(a), "_evil")
            bad = bad[:-len("</saml:Assertion>")] + a + "</saml:Assertion>"
            return xml.replace(a, bad)
        self.attack(mutate, "deny_assertion_count")

    def test_xsw05_clean_copy_appended(self):
        def mutate(xml):
            a = ASSERTION.search(xml).group(0)
            bad = evil(a).replace('ID="%s"' % assertion_id(a), 'ID="_evil"')
            return xml.replace(a, bad + unsigned(a))
        self.attack(mutate, "deny_assertion_count")

    def test_xsw05_renamed_copy_refused_by_reference(self):
        def mutate(xml):
            a = ASSERTION.search(xml).group(0)
            bad = evil(a).replace('ID="%s"' % assertion_id(a), 'ID="_evil"')
            kept = unsigned(a).replace("saml:Assertion", "saml:Kept")
            return xml.replace(a, bad + kept)
        self.attack(mutate, "deny_sig_reference")

    def test_xsw06_clean_copy_in_signature(self):
        def mutate(xml):
            a = ASSERTION.search(xml).group(0)
            bad = evil(a).replace('ID="%s"' % assertion_id(a), 'ID="_evil"')
            bad = bad.replace("</ds:Signature>",
                              unsigned(a) + "</ds:Signature>", 1)
            return xml.replace(a, bad)
        self.attack(mutate, "deny_assertion_count")

    def test_xsw07_evil_copy_in_extensions(self):
        def mutate(xml):
            a = ASSERTION.search(xml).group(0)
            ext = ("<samlp:Extensions>" + evil(unsigned(a))
                   + "</samlp:Extensions>")
            return xml.replace("</saml:Issuer>", "</saml:Issuer>" + ext, 1)
        self.attack(mutate, "deny_assertion_count")

    def test_xsw07_renamed_copy_is_a_duplicate_id(self):
        def mutate(xml):
            a = ASSERTION.search(xml).group(0)
            copy = evil(unsigned(a)).replace("saml:Assertion", "saml:Kept")
            ext = "<samlp:Extensions>" + copy + "</samlp:Extensions>"
            return xml.replace("</saml:Issuer>", "</saml:Issuer>" + ext, 1)
        self.attack(mutate, "deny_duplicate_id")

    def test_xsw08_clean_copy_in_object(self):
        def mutate(xml):
            a = ASSERTION.search(xml).group(0)
            bad = evil(a).replace(
                "</ds:Signature>",
                "<ds:Object>" + unsigned(a) + "</ds:Object></ds:Signature>",
                1)
            return xml.replace(a, bad)
        self.attack(mutate, "deny_assertion_count")

    def test_xsw09_clean_copy_in_wrapper(self):
        def mutate(xml):
            a = ASSERTION.search(xml).group(0)
            bad = evil(a).replace('ID="%s"' % assertion_id(a), 'ID="_evil"')
            return xml.replace(a, bad + "<xsw_wrapper>" + unsigned(a)
                               + "</xsw_wrapper>")
        self.attack(mutate, "deny_assertion_count")

    def test_xsw10_unsigned_assertion_appended(self):
        def mutate(xml):
            a = ASSERTION.search(xml).group(0)
            bad = evil(unsigned(a)).replace(assertion_id(a),
                                            assertion_id(a) + "_attack")
            return xml.replace(a, a + bad)
        self.attack(mutate, "deny_assertion_count")

    def test_xsw13_xml_id_decoy(self):
        def mutate(xml):
            a = ASSERTION.search(xml).group(0)
            ext = ('<samlp:Extensions><Foo xml:id="%s"/></samlp:Extensions>'
                   % assertion_id(a))
            return xml.replace("</saml:Issuer>", "</saml:Issuer>" + ext, 1)
        self.attack(mutate, "deny_duplicate_id")

    def test_xsw14_entities_in_a_doctype(self):
        def mutate(xml):
            return xml.replace(
                "?>", '?><!DOCTYPE samlp:Response [<!ENTITY idViaEntity '
                '"_x">]>', 1)
        self.attack(mutate, "bad_xml", 400)

    def test_xsw16_signature_in_another_namespace(self):
        def mutate(xml):
            return xml.replace(
                '<ds:Signature xmlns:ds="%s">' % DSIG,
                '<ds:Signature xmlns:ds="http://evil.test/xmldsig#">', 1)
        self.attack(mutate, "deny_unsigned")


class ResponseWrappingTest(AttackTestCase):
    """XSW on a signed Response (B1): XSW-01, XSW-02, XSW-11."""

    idp_options = "profile=oiosaml3 signed=response"

    def attack(self, mutate, reason):
        b, acs, answer = self.answer(encrypt="none", sign="response")
        xml = mutate(decode(answer))
        self.refused(self.post_xml(b, acs, answer, xml), reason, b)

    @staticmethod
    def root(xml):
        start = xml.index("<samlp:Response ")
        return xml[start:]

    def test_baseline_b1_accepted(self):
        b, acs, answer = self.answer(encrypt="none", sign="response")
        r = self.post_xml(b, acs, answer, decode(answer))
        self.assertEqual(self.accepted_user(b, r), ALICE)

    def test_xsw01_response_inside_signature(self):
        def mutate(xml):
            clone = unsigned(self.root(xml))
            rid = re.search(r'<samlp:Response [^>]*ID="([^"]+)"',
                            xml).group(1)
            out = evil(xml).replace('ID="%s"' % rid, 'ID="_evil"', 1)
            return out.replace("</ds:Signature>", clone + "</ds:Signature>",
                               1)
        self.attack(mutate, "deny_assertion_count")

    def test_xsw02_response_before_signature(self):
        def mutate(xml):
            clone = unsigned(self.root(xml))
            rid = re.search(r'<samlp:Response [^>]*ID="([^"]+)"',
                            xml).group(1)
            out = evil(xml).replace('ID="%s"' % rid, 'ID="_evil"', 1)
            return out.replace("<ds:Signature ", clone + "<ds:Signature ", 1)
        self.attack(mutate, "deny_assertion_count")

    def test_xsw11_original_in_status_detail(self):
        def mutate(xml):
            original = self.root(xml)
            out = evil(unsigned(xml))
            return out.replace(
                "</samlp:Status>",
                "<samlp:StatusDetail>" + original
                + "</samlp:StatusDetail></samlp:Status>", 1)
        self.attack(mutate, "deny_assertion_count")


# ---- B. Keys ---------------------------------------------------------------


class KeyConfusionTest(AttackTestCase):
    """SIG-03 and SIG-05: another trusted IdP's key, KeyInfo swapped."""

    @classmethod
    def http_config(cls):
        d = cls.nginx.dir
        idp_metadata(os.path.join(d, "other.xml"), "https://other.test/",
                     cls.base + "/idp/", ["idp-wrong.crt"])
        line = "oiosaml_idp test metadata=%s/idp.xml %s;" % (
            d, cls.idp_options)
        return super().http_config().replace(
            line, line + "\n        oiosaml_idp other metadata=%s/other.xml "
            "profile=oiosaml3;" % d)

    def test_signed_with_the_other_idps_key(self):
        # key=wrong signs with idp-wrong.key: IdP "other"'s real key
        b, acs, answer = self.answer(idp="test", encrypt="none", key="wrong")
        self.refused(b.post(acs, answer), "deny_signature", b)

    def test_answered_by_the_other_idp(self):
        b, acs, answer = self.answer(idp="test", encrypt="none", key="wrong",
                                     issuer="https://other.test/")
        self.refused(b.post(acs, answer), "deny_issuer", b)

    def test_key_info_names_the_idps_certificate(self):
        b, acs, answer = self.answer(idp="test", encrypt="none", key="wrong")
        xml = decode(answer)
        good = open(cert("idp.crt")).read()
        good = "".join(good.strip().splitlines()[1:-1])
        xml = re.sub(r"<ds:X509Certificate>[^<]*</ds:X509Certificate>",
                     "<ds:X509Certificate>%s</ds:X509Certificate>" % good,
                     xml)
        self.refused(self.post_xml(b, acs, answer, xml), "deny_signature",
                     b)


class KeyRemovalTest(AttackTestCase):
    """SIG-17: a key taken out of the metadata is gone after a reload."""

    idp_certs = ("idp.crt", "idp-next.crt")

    @classmethod
    def http_config(cls):
        c = CERTS
        return super().http_config().replace(
            "key=%s/idp.key cert=%s/idp.crt" % (c, c),
            "key=%s/idp-next.key cert=%s/idp-next.crt" % (c, c))

    def test_removed_key_refused_after_reload(self):
        b, acs, answer = self.answer(encrypt="none")
        self.assertEqual(self.accepted_user(b, b.post(acs, answer)), ALICE)

        idp_metadata(self.metadata, "https://idp.test/", self.base + "/idp/",
                     ["idp.crt"])
        self.nginx.reload()
        self.nginx.new_log()
        b, acs, answer = self.answer(encrypt="none")
        self.refused(b.post(acs, answer), "deny_signature", b)


# ---- C. Protocol: destination, replay and single use -------------------------


class DestinationTest(AttackTestCase):

    def test_prt03_destination_is_not_taken_from_host(self):
        # a response for another vhost, posted with that vhost's Host
        # header: the configured ACS URL decides, not the request
        b, acs, answer = self.answer(
            encrypt="none", destination="https://evil.test/saml/acs",
            recipient="https://evil.test/saml/acs")
        r = b.post(acs, answer, headers={"Host": "evil.test"})
        self.refused(r, "deny_destination", b)


class ReplayTest(AttackTestCase):

    def test_prt07_same_assertion_in_a_new_response(self):
        b, acs, answer = self.answer(encrypt="none")
        pending = dict(b.cookies)
        self.assertEqual(b.post(acs, answer).status, 303)
        xml = decode(answer)
        rid = re.search(r'<samlp:Response [^>]*ID="([^"]+)"', xml).group(1)
        xml = xml.replace(rid, "_a_new_response_id")
        thief = Browser()
        thief.cookies = {k: v for k, v in pending.items()
                         if k.startswith("oiosaml-req-")}
        self.refused(self.post_xml(thief, acs, answer, xml), "deny_replay")

    def test_prt05_request_answered_twice(self):
        # two different assertions for one AuthnRequest: the pending login
        # is used once, also when a copy of its cookie comes back
        b = Browser()
        page = self.start_login(b)
        acs, first = self.idp_answer(b, page, encrypt="none")
        acs, second = self.idp_answer(b, page, encrypt="none")
        self.assertNotEqual(assertion_id(decode(first)),
                            assertion_id(decode(second)))
        pending = {k: v for k, v in b.cookies.items()
                   if k.startswith("oiosaml-req-")}
        self.assertEqual(b.post(acs, first).status, 303)
        thief = Browser()
        thief.cookies = dict(pending)
        line = self.refused(thief.post(acs, second), "deny_replay")
        self.assertIn("was answered before", line)


# ---- D. XML parsing, end to end ----------------------------------------------


class ParsingTest(AttackTestCase):

    def post_raw(self, xml):
        return Browser().post(self.url("/saml/acs"),
                              {"SAMLResponse": encode(xml)})

    def test_xml01_external_entities_fetch_nothing(self):
        canary = Canary()
        try:
            b, acs, answer = self.answer(encrypt="none")
            xml = decode(answer).replace(
                "?>", '?><!DOCTYPE r [<!ENTITY x SYSTEM "http://127.0.0.1:'
                '%d/x"><!ENTITY %% p SYSTEM "http://127.0.0.1:%d/p"> %%p;]>'
                % (canary.port, canary.port), 1)
            xml = NAMEID.sub(r"\1&x;\2", xml, count=1)
            self.refused(self.post_xml(b, acs, answer, xml), "bad_xml", b,
                         status=400)
            r = self.post_raw('<!DOCTYPE r SYSTEM "http://127.0.0.1:%d/d">'
                              '<r/>' % canary.port)
            self.refused(r, "bad_xml", status=400)
        finally:
            self.assertEqual(canary.close(), 0)

    def test_xml02_billion_laughs_is_bounded(self):
        ents = '<!ENTITY l0 "ha">' + "".join(
            '<!ENTITY l%d "%s">' % (i, ("&l%d;" % (i - 1)) * 10)
            for i in range(1, 10))
        xml = ('<!DOCTYPE r [%s]><samlp:Response xmlns:samlp="urn:oasis:'
               'names:tc:SAML:2.0:protocol">&l9;</samlp:Response>' % ents)
        start = time.time()
        r = self.post_raw(xml)
        self.assertLess(time.time() - start, 2 * SLOW)
        self.refused(r, "bad_xml", status=400)

    def test_bnd05_nul_byte_after_the_document(self):
        b, acs, answer = self.answer(encrypt="none")
        raw = base64.b64decode(answer["SAMLResponse"]) + b"\0<evil/>"
        r = b.post(acs, dict(answer, SAMLResponse=encode(raw)))
        self.refused(r, "bad_xml", b, status=400)

    def test_bnd03_data_after_a_dash(self):
        b, acs, answer = self.answer(encrypt="none")
        r = b.post(acs, dict(answer, SAMLResponse=answer["SAMLResponse"]
                             + "-garbage"))
        self.refused(r, "bad_encoding", b, status=400)

    def test_xml03_comment_in_name_id(self):
        full = "alice@corp.example.evil.example"
        b, acs, answer = self.answer(encrypt="none", nameid=full)
        xml = decode(answer).replace(
            ">%s<" % full, ">alice@corp.example<!---->.evil.example<", 1)
        r = self.post_xml(b, acs, answer, xml)
        self.assertEqual(self.accepted_user(b, r), full)


# ---- E. Encryption: one answer for every failure after decryption ---------


class DecryptionOracleTest(AttackTestCase):
    """ENC-04: padding errors, parse errors, wrong content and bad
    signatures in an AES-CBC EncryptedAssertion look the same."""

    def encrypted(self, plain, raw=None):
        key = os.urandom(32)
        iv = os.urandom(16)
        if raw is None:
            pad = 16 - len(plain) % 16
            raw = plain + bytes([pad]) * pad
        enc = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
        ct = iv + enc.update(raw) + enc.finalize()
        pub = x509.load_pem_x509_certificate(
            open(cert("sp.crt"), "rb").read()).public_key()
        wrapped = pub.encrypt(key, padding.OAEP(
            mgf=padding.MGF1(algorithm=hashes.SHA1()),
            algorithm=hashes.SHA1(), label=None))
        return (
            '<saml:EncryptedAssertion><xenc:EncryptedData xmlns:xenc="%s" '
            'Type="%sElement"><xenc:EncryptionMethod Algorithm="%saes256-cbc"'
            '/><ds:KeyInfo xmlns:ds="%s"><xenc:EncryptedKey>'
            '<xenc:EncryptionMethod Algorithm="%srsa-oaep-mgf1p"/>'
            '<xenc:CipherData><xenc:CipherValue>%s</xenc:CipherValue>'
            '</xenc:CipherData></xenc:EncryptedKey></ds:KeyInfo>'
            '<xenc:CipherData><xenc:CipherValue>%s</xenc:CipherValue>'
            '</xenc:CipherData></xenc:EncryptedData>'
            '</saml:EncryptedAssertion>'
            % (XENC, XENC, XENC, DSIG, XENC,
               base64.b64encode(wrapped).decode(),
               base64.b64encode(ct).decode()))

    def test_enc04_no_oracle(self):
        b, acs, answer = self.answer(encrypt="none")
        xml = decode(answer)
        a = ASSERTION.search(xml).group(0)
        # the attacker drops the Response's InResponseTo: no cookie needed
        outer = re.sub(r' InResponseTo="[^"]*"', "", xml.replace(a, "{}"),
                       count=1)
        plains = [
            ("deny_decrypt", None, b"\xff" * 32),          # bad padding
            ("deny_decrypt", b"<saml:Assertion <<<", None),  # not XML
            ("deny_assertion_count", b'<x:Other xmlns:x="urn:x"/>', None),
            ("bad_message", re.sub(r' ID="[^"]*"', "", a, count=1).encode(),
             None),
            ("deny_signature", evil(a).encode(), None),
            ("deny_unsigned", unsigned(a).encode(), None),
        ]
        seen = set()
        for reason, plain, raw in plains:
            r = Browser().post(acs, {"SAMLResponse": encode(
                outer.replace("{}", self.encrypted(plain, raw)))})
            self.refused(r, reason)
            body = re.sub(r"Reference: [0-9-]+", "", r.body)
            seen.add((r.status, body, r.header("content-type")))
        self.assertEqual(len(seen), 1, seen)


# ---- F. Bindings, transport, resources ---------------------------------------


class DeflateBombTest(AttackTestCase):

    def test_bnd07_redirect_deflate_bomb(self):
        data = zlib.compressobj(9, zlib.DEFLATED, -15)
        bomb = data.compress(b"\0" * (5 * 1024 * 1024)) + data.flush()
        q = urllib.parse.quote(base64.b64encode(bomb).decode(), safe="")
        self.assertLess(len(q), 7000)
        start = time.time()
        r = Browser().get(self.url("/saml/sls?SAMLRequest=%s&SigAlg=x&"
                                   "Signature=y" % q))
        self.assertLess(time.time() - start, 2 * SLOW)
        self.refused(r, "bad_too_large", status=413)


class BodyTest(AttackTestCase):
    """BND-01 and BND-02 with nginx's default client_max_body_size (1m)."""

    allowed_errors = ("client intended to send too large",)

    def test_bnd01_oversized_post(self):
        b = Browser()
        r = b.post(self.url("/saml/acs"), "SAMLResponse=" + "A" * 2000000,
                   headers={"Content-Type":
                            "application/x-www-form-urlencoded"})
        self.assertEqual(r.status, 413)
        self.nginx.new_log()

    def test_bnd01_oversized_chunked_post(self):
        r = Browser().post(self.url("/saml/acs"),
                           "SAMLResponse=" + "A" * 1500000,
                           headers={"Transfer-Encoding": "chunked",
                                    "Content-Type":
                                    "application/x-www-form-urlencoded"})
        self.assertEqual(r.status, 413)
        self.nginx.new_log()

    def test_bnd02_two_saml_responses(self):
        b, acs, answer = self.answer(encrypt="none")
        other = self.answer(encrypt="none", user="bob")[2]
        body = "&".join([
            "SAMLResponse=" + urllib.parse.quote(answer["SAMLResponse"]),
            "SAMLResponse=" + urllib.parse.quote(other["SAMLResponse"]),
            "RelayState=" + answer["RelayState"]])
        r = b.post(acs, body, headers={
            "Content-Type": "application/x-www-form-urlencoded"})
        self.refused(r, "bad_message", b)

    def test_bnd02_two_relay_states(self):
        b, acs, answer = self.answer(encrypt="none")
        body = "&".join([
            "SAMLResponse=" + urllib.parse.quote(answer["SAMLResponse"]),
            "RelayState=" + answer["RelayState"],
            "RelayState=" + "B" * 22])
        r = b.post(acs, body, headers={
            "Content-Type": "application/x-www-form-urlencoded"})
        self.refused(r, "bad_message", b)

    def test_bnd02_response_in_the_query_only(self):
        b, acs, answer = self.answer(encrypt="none")
        r = b.post(acs + "?" + urllib.parse.urlencode(answer), {"x": "y"})
        self.refused(r, "bad_message", b)

    def test_bnd04_deflated_post(self):
        b, acs, answer = self.answer(encrypt="none")
        raw = zlib.compressobj(9, zlib.DEFLATED, -15)
        data = raw.compress(base64.b64decode(answer["SAMLResponse"]))
        r = b.post(acs, dict(answer, SAMLResponse=encode(data + raw.flush())))
        self.refused(r, "bad_xml", b, status=400)


class LargeBodyTest(AttackTestCase):
    """BND-01 where nginx would take more: the module's own limit."""

    server_extra = "        client_max_body_size 10m;\n"

    def test_bnd01_over_the_modules_limit(self):
        for headers in ({}, {"Transfer-Encoding": "chunked"}):
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            r = Browser().post(self.url("/saml/acs"),
                               "SAMLResponse=" + "A" * 2000000,
                               headers=headers)
            self.refused(r, "bad_too_large", status=413)


class SpooledBodyTest(AttackTestCase):
    """BND-01: a body nginx keeps in a temporary file still works."""

    server_extra = "        client_body_buffer_size 1k;\n"

    def test_login_with_the_body_in_a_file(self):
        b, acs, answer = self.answer()
        self.assertGreater(len(answer["SAMLResponse"]), 4096)
        self.assertEqual(self.accepted_user(b, b.post(acs, answer)), ALICE)


@skip_with_redis("the zone's own bounds; Redis has no such table")
class ZoneFullTest(AttackTestCase):
    """BND-08: a full zone fails closed and never forgets a used ID."""

    allowed_errors = ("err_store",)

    @classmethod
    def http_config(cls):
        return super().http_config().replace("oiosaml_zone oiosaml:4m;",
                                             "oiosaml_zone oiosaml:32k;")

    def test_full_zone_fails_closed(self):
        first = None
        for i in range(400):
            b, acs, answer = self.answer(encrypt="none")
            if first is None:
                first = (acs, answer, {k: v for k, v in b.cookies.items()
                                       if k.startswith("oiosaml-req-")})
            r = b.post(acs, answer)
            if r.status != 303:
                break
        self.assertEqual(r.status, 503, r.body[:300])
        self.assertNotIn(SESSION, b.cookies)
        self.assertIn("err_store", self.nginx.new_log())
        acs, answer, pending = first
        thief = Browser()
        thief.cookies = dict(pending)
        self.refused(thief.post(acs, answer), "deny_replay")


# ---- G. The web layer ------------------------------------------------------------


EVIL_RETURNS = [
    "///evil.test", "////evil.test", "http:evil.test",
    "https://127.0.0.1@evil.test/", "https://127.0.0.1.evil.test/",
    "data:text/html,<script>alert(1)</script>", " //evil.test",
    "\t//evil.test", "\uff0f\uff0fevil.test", "/\\/evil.test",
    "https:%5c%5cevil.test", "/%5c%5cevil.test",
    "/%0d%0aLocation:%20https://evil.test", "%252F%252Fevil.test",
    "/" + "a" * 5000,
]


class RedirectTest(AttackTestCase):
    """WEB-01: return addresses and RelayState."""

    def test_web01_return_addresses(self):
        for target in EVIL_RETURNS:
            with self.subTest(target=target[:40]):
                q = urllib.parse.quote(target, safe="")
                for ep in ("login", "logout", "choose"):
                    r = Browser().get(self.url("/saml/%s?return=%s"
                                               % (ep, q)))
                    self.assertDenied(r, 400, "deny_return_url")
                    self.assertIsNone(r.header("location"))

    def test_web01_relay_state_is_a_handle(self):
        # the address comes from the sealed cookie, never from RelayState
        for relay in ("https://evil.test/", "//evil.test", "B" * 8192):
            b, acs, answer = self.answer(encrypt="none")
            r = b.post(acs, dict(answer, RelayState=relay))
            self.refused(r, "deny_in_response_to", b)
            self.assertIsNone(r.header("location"))

    def test_web01_relay_state_suffix_goes_nowhere(self):
        b, acs, answer = self.answer(path="/app/here", encrypt="none")
        relay = answer["RelayState"] + ".\r\nLocation: https://evil.test/"
        r = b.post(acs, dict(answer, RelayState=relay))
        self.assertEqual(r.status, 303, r.body)
        self.assertEqual(r.headers["location"], ["/app/here"])


class CookieTest(AttackTestCase):
    """WEB-03 to WEB-05."""

    def test_web03_session_fixation(self):
        b = Browser()
        planted = "A" * 43
        b.cookies[SESSION] = (planted, "/")
        b, r, _ = self.login(b)
        self.assertEqual(r.status, 303)
        self.assertNotEqual(b.cookies[SESSION][0], planted)
        other = Browser()
        other.cookies[SESSION] = (planted, "/")
        self.assertEqual(other.get(self.url("/app/x")).status, 302)

    def test_web04_tampered_pending_cookie(self):
        b, acs, answer = self.answer(encrypt="none")
        name = [k for k in b.cookies if k.startswith("oiosaml-req-")][0]
        value, path = b.cookies[name]
        i = len(value) // 2
        b.cookies[name] = (value[:i] + ("A" if value[i] != "A" else "B")
                           + value[i + 1:], path)
        self.refused(b.post(acs, answer), "bad_cookie", b, status=400)

    def test_web04_pending_cookies_swapped(self):
        # two logins in one browser: each cookie opens only its own relay
        b = Browser()
        page1 = self.start_login(b)
        acs, first = self.idp_answer(b, page1)
        page2 = self.start_login(b)
        names = sorted(k for k in b.cookies if k.startswith("oiosaml-req-"))
        self.assertEqual(len(names), 2)
        mine = "oiosaml-req-" + first["RelayState"]
        other = [n for n in names if n != mine][0]
        b.cookies[mine], b.cookies[other] = b.cookies[other], b.cookies[mine]
        self.refused(b.post(acs, first), "bad_cookie", b, status=400)

    def test_web04_cookie_of_another_purpose(self):
        # the remember-my-choice cookie, and a session ID, as pending cookie
        b = Browser()
        r = b.get(self.url("/saml/choose?return=%2Fapp%2Fx"))
        fields = form_fields(r.body.split('method="post"')[1])
        r = b.post(self.url("/saml/choose"), {
            "csrf": fields["csrf"], "return": "/app/x", "idp": "test",
            "remember": "1"})
        self.assertEqual(r.status, 302)
        choice = b.cookies["oiosaml-idp"][0]
        page = b.get(r.location)
        acs, answer = self.idp_answer(b, page)
        name = "oiosaml-req-" + answer["RelayState"]
        pending = b.cookies[name][0]
        b.cookies[name] = (choice, "/saml/")
        self.refused(b.post(acs, answer), "bad_cookie", status=400)

        b2 = Browser()
        b2.cookies[SESSION] = (pending, "/")
        self.assertEqual(b2.get(self.url("/app/x")).status, 302)

    def test_web04_session_cookie_after_logout(self):
        b, r, _ = self.login()
        value = b.cookies[SESSION][0]
        r = b.get(self.url("/saml/logout?return=/public/bye"))
        self.assertEqual(r.status, 302)
        replay = Browser()
        replay.cookies[SESSION] = (value, "/")
        self.assertEqual(replay.get(self.url("/app/x")).status, 302)

    def test_web05_remember_cookie_garbage(self):
        for value in ("x\r\nSet-Cookie: a=1", '"' * 50, "A" * 4096,
                      "https://evil.test/sso"):
            b = Browser()
            b.cookies["oiosaml-idp"] = (value, "/saml/")
            r = b.get(self.url("/saml/login?return=/app/x"))
            self.assertEqual(r.status, 302)
            self.assertTrue(r.location.startswith(self.url("/idp/sso?"))
                            or r.location.startswith(
                                self.url("/saml/choose?")), r.location)
        self.nginx.new_log()


class CrossServerTest(AttackTestCase):
    """WEB-04 (CVE-2017-6807): a session of one SP is not one of another
    SP in the same nginx, though both share the zone and an IdP name."""

    @classmethod
    def setUpClass(cls):
        cls.port2 = None
        super().setUpClass()

    @classmethod
    def http_config(cls):
        if cls.port2 is None:
            cls.port2 = free_port()
        c = CERTS
        d = cls.nginx.dir
        return super().http_config() + f"""
    server {{
        listen 127.0.0.1:{cls.port2} ssl;
        ssl_certificate {c}/tls.crt;
        ssl_certificate_key {c}/tls.key;

        oiosaml_sp https://sp-b.test/ url=https://127.0.0.1:{cls.port2}/saml/;
        oiosaml_sp_key {c}/sp.key {c}/sp.crt;
        oiosaml_cookie_secret {c}/cookie.key;
        oiosaml_idp test metadata={d}/idp.xml profile=oiosaml3;
        oiosaml_login_limit off;

        location /app/ {{
            oiosaml on;
            proxy_pass http://127.0.0.1:{cls.up_port};
        }}
    }}
"""

    def test_session_of_another_sp_is_no_session(self):
        b, r, _ = self.login()
        self.assertEqual(r.status, 303)
        self.assertEqual(b.get(self.url("/app/x")).status, 200)
        # the browser sends the same cookie to the other server's host
        r = b.get("https://127.0.0.1:%d/app/x" % self.port2)
        self.assertEqual(r.status, 302, r.body[:200])
        self.assertIn("/saml/login?", r.location)
        # and the session still works where it was opened
        self.assertEqual(b.get(self.url("/app/x")).status, 200)


class HeaderSpoofingTest(AttackTestCase):
    """WEB-06 with underscores_in_headers: "X_OIOSAML_RID" is the same
    name as X-OIOSAML-RID to CGI, FastCGI and $http_x_oiosaml_rid."""

    http_extra = "    underscores_in_headers on;\n"

    def test_web06_underscore_and_duplicate_headers(self):
        evil_headers = [
            "X_OIOSAML_RID: 1234", "X_OIOSAML_User: admin",
            "x_oiosaml_evil: 1", "X-OIOSAML_CVR: 99999999",
            "X-OIOSAML-User: admin", "X-OIOSAML-User: admin2",
        ]
        b, r, _ = self.login()
        for path, user in (("/app/x", ALICE), ("/public/x", "")):
            r = self.raw_get(path, b, evil_headers)
            e = self.echo(r)
            self.assertEqual(e["User"], user, path)
            self.assertEqual(e["RID"], "", path)
            self.assertEqual(e["Evil"], "", path)
            self.assertEqual(e["CVR"], "12345678" if user else "", path)

    def raw_get(self, path, b, extra):
        """A request with header lines pycurl would not send as they are."""
        ctx = ssl.create_default_context(cafile=cert("tls.crt"))
        s = ctx.wrap_socket(socket.create_connection(("127.0.0.1",
                                                      self.port)),
                            server_hostname="127.0.0.1")
        lines = ["GET %s HTTP/1.1" % path, "Host: 127.0.0.1:%d" % self.port,
                 "Accept: text/html", "Connection: close",
                 "Cookie: " + b.cookie_header(self.url(path))] + extra
        s.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        s.close()
        head, _, body = data.partition(b"\r\n\r\n")
        self.assertIn(b" 200 ", head.split(b"\r\n")[0], head)
        return body.decode()


class HeaderInjectionTest(AttackTestCase):
    """WEB-07: signed values with CR LF, and role delimiters."""

    @classmethod
    def setUpClass(cls):
        os.makedirs(os.path.join(BUILD, "tmp"), exist_ok=True)
        cls.users = os.path.join(BUILD, "tmp", "attack-users-%d.conf"
                                 % os.getpid())
        with open(USERS) as f:
            text = f.read()
        with open(cls.users, "w") as f:
            f.write(text + """
[mallory]
description = privileges that try to break out of the role JSON
nameid = mallory
attr https://data.gov.dk/model/core/specVersion = OIO-SAML-3.0
attr https://data.gov.dk/concept/core/nsis/loa = Substantial
group urn:dk:gov:saml:cvrNumberIdentifier:12345678 = http://x.dk/r"],"urn:x":["http://admin.dk/1
""")
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        os.unlink(cls.users)

    @classmethod
    def http_config(cls):
        conf = super().http_config().replace("users=" + USERS,
                                             "users=" + cls.users)
        return conf.replace(
            "Evil=$http_x_oiosaml_evil",
            "Evil=$http_x_oiosaml_evil\\nRoles=$http_x_oiosaml_roles")

    def test_web07_crlf_in_the_name_id(self):
        b, acs, answer = self.answer(
            encrypt="none", nameid="alice\r\nX-OIOSAML-Evil: 1\r\n")
        r = b.post(acs, answer)
        self.assertEqual(r.status, 303, r.body)
        e = self.echo(b.get(self.url("/app/x")).body)
        self.assertEqual(e["User"], "alice%0D%0AX-OIOSAML-Evil: 1%0D%0A")
        self.assertEqual(e["Evil"], "")

    def test_web07_role_delimiters(self):
        import json
        b, r, _ = self.login(user="mallory")
        self.assertEqual(r.status, 303, r.body)
        e = self.echo(b.get(self.url("/app/x")).body)
        roles = json.loads(e["Roles"] or "{}")
        self.assertNotIn("urn:x", roles)
        for scope, values in roles.items():
            self.assertNotIn("http://admin.dk/1", values)
        self.nginx.new_log()


PATH_LOCATIONS = """
        location / {
            proxy_pass http://127.0.0.1:$UP;
        }

        location /go/ {
            proxy_pass http://127.0.0.1:$UP/accel/;
        }

        location /err/ {
            error_page 404 = /app/err;
            return 404;
        }

        location /ssi/ {
            ssi on;
            default_type text/html;
            return 200 '<!--#include virtual="/app/inc" -->';
        }
"""


class PathTest(AttackTestCase):
    """WEB-08: paths reach a protected location only through its check."""

    server_extra = PATH_LOCATIONS

    @classmethod
    def http_config(cls):
        conf = super().http_config().replace("$UP", str(cls.up_port))
        # the upstream sends one response that redirects inside nginx
        return conf.replace(
            "        location / {\n            default_type text/plain;",
            "        location /accel/ {\n"
            "            add_header X-Accel-Redirect /app/secret;\n"
            "            return 200 \"x\";\n"
            "        }\n\n"
            "        location / {\n            default_type text/plain;")

    def raw(self, method, path, cookies="", extra=()):
        """(status, headers, body) of a request sent byte for byte."""
        ctx = ssl.create_default_context(cafile=cert("tls.crt"))
        s = ctx.wrap_socket(socket.create_connection(("127.0.0.1",
                                                      self.port)),
                            server_hostname="127.0.0.1")
        lines = ["%s %s HTTP/1.1" % (method, path),
                 "Host: 127.0.0.1:%d" % self.port, "Accept: " + HTML,
                 "Connection: close"] + list(extra)
        if cookies:
            lines.append("Cookie: " + cookies)
        s.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        s.close()
        head, _, body = data.partition(b"\r\n\r\n")
        status = int(head.split(b" ")[1])
        headers = {}
        for line in head.decode("latin-1").split("\r\n")[1:]:
            k, _, v = line.partition(":")
            headers[k.strip().lower()] = v.strip()
        return status, headers, body.decode("utf-8", "replace")

    def test_web08_normalised_paths_need_a_login(self):
        for path in ("/public/../app/x", "/public/%2e%2e/app/x",
                     "/public/..%2Fapp/x", "/app%2Fx", "//app/x",
                     "/app/./x", "/public/%2E%2E/app/x"):
            status, headers, _ = self.raw("GET", path)
            self.assertEqual(status, 302, path)
            self.assertIn("/saml/login?", headers["location"], path)

    def test_web08_other_spellings_carry_no_identity(self):
        # not the protected location for nginx: served without identity,
        # whatever a case-insensitive or ";"-stripping backend makes of it
        b, r, _ = self.login()
        cookies = b.cookie_header(self.url("/app/x"))
        for path in ("/APP/x", "/App/x", "/app;x/y", "/app%3Bx/y",
                     "/public/%252e%252e/app/x"):
            status, _, body = self.raw("GET", path, cookies,
                                       ["X-OIOSAML-User: admin"])
            self.assertEqual(status, 200, path)
            self.assertEqual(self.echo(body)["User"], "", path)

    def test_web08_head_and_paos(self):
        status, headers, body = self.raw("HEAD", "/app/x")
        self.assertEqual(status, 302)
        status, headers, body = self.raw(
            "GET", "/app/x", extra=["PAOS: ver=\"urn:liberty:paos:2003-08\""
                                    ";\"urn:oasis:names:tc:SAML:2.0:"
                                    "profiles:SSO:ecp\""])
        self.assertEqual(status, 302)
        r = Browser().get(self.url("/app/x"), headers={
            "Accept": "application/vnd.paos+xml", "PAOS": "ver=x"})
        self.assertEqual(r.status, 401)
        self.assertNotIn("User=", r.body)

    def test_web08_internal_redirects_are_checked(self):
        for path in ("/go/x", "/err/x"):
            r = Browser().get(self.url(path))
            self.assertEqual(r.status, 302, path)
            self.assertIn("/saml/login?", r.location, path)
            self.assertNotIn("User=", r.body)
        # with a session the same redirect reaches the app, with identity
        b, r, _ = self.login()
        r = b.get(self.url("/go/x"))
        self.assertEqual(r.status, 200)
        self.assertEqual(self.echo(r.body)["User"], ALICE)

    def test_web08_subrequest_needs_the_session(self):
        # nginx runs no access phase for subrequests: an SSI include of a
        # protected location from a public page is refused without a
        # session (the page itself is public)
        self.nginx.new_log()
        r = Browser().get(self.url("/ssi/x"),
                          headers={"Accept": HTML, "X-OIOSAML-User": "admin"})
        self.assertEqual(r.status, 200)
        self.assertNotIn("User=", r.body)
        self.assertIn('subrequest to protected "/app/inc" refused: no '
                      'session', self.nginx.new_log())

        # with one, it is included, never with a client's identity header
        b, r, _ = self.login()
        r = b.get(self.url("/ssi/x"),
                  headers={"Accept": HTML, "X-OIOSAML-User": "admin"})
        self.assertEqual(r.status, 200)
        self.assertIn("User=", r.body)
        self.assertNotIn("admin", r.body)


class XssTest(AttackTestCase):
    """WEB-09: nothing from a SAML message or a query is echoed raw."""

    def test_web09_status_message_and_issuer_not_echoed(self):
        b, acs, answer = self.answer(encrypt="none")
        xml = decode(answer).replace(
            '<samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:'
            'Success"/>',
            '<samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:'
            'Responder"/><samlp:StatusMessage>&lt;script&gt;alert(1)'
            '&lt;/script&gt;</samlp:StatusMessage>', 1)
        r = self.post_xml(b, acs, answer, xml)
        self.refused(r, "deny_status", b)
        self.assertNotIn("<script>", r.body)
        self.assertNotIn("alert(1)", r.body)

        b, acs, answer = self.answer(encrypt="none",
                                     issuer="<script>alert(2)</script>")
        r = b.post(acs, answer)
        self.refused(r, "deny_issuer", b)
        self.assertNotIn("alert(2)", r.body)

    def test_web09_choice_page_escapes(self):
        r = Browser().get(self.url(
            "/saml/choose?return=" + urllib.parse.quote(
                '/app/"><script>alert(3)</script>', safe="")
            + "&q=" + urllib.parse.quote("<script>alert(4)</script>")))
        self.assertEqual(r.status, 200)
        self.assertNotIn("<script>alert", r.body)
        self.assertIn("&lt;script&gt;alert(4)", r.body)


class SingleLogoutTest(AttackTestCase):
    """WEB-10 and BND-06 on the HTTP-Redirect binding."""

    def idp_logout_query(self, b, nameid):
        r = b.get(self.url("/idp/logout_user?nameid="
                           + urllib.parse.quote(nameid)))
        self.assertEqual(r.status, 302, r.body)
        return urllib.parse.urlsplit(r.location).query

    def test_web10_logout_of_another_user(self):
        b, r, _ = self.login()
        q = self.idp_logout_query(b, "C=DK,O=1,CN=Somebody Else")
        r = b.get(self.url("/saml/sls?" + q))
        self.assertEqual(r.status, 302, r.body)
        self.assertEqual(b.get(self.url("/app/x")).status, 200)

    def test_prt07_logout_request_acts_once(self):
        b, r, _ = self.login()
        q = self.idp_logout_query(b, ALICE)
        r = b.get(self.url("/saml/sls?" + q))
        self.assertEqual(r.status, 302, r.body)
        self.assertEqual(b.get(self.url("/app/x")).status, 302)
        # logged in again, the same signed message ends nothing
        b, r, _ = self.login()
        self.refused(b.get(self.url("/saml/sls?" + q)), "deny_replay")
        self.assertEqual(b.get(self.url("/app/x")).status, 200)

    def test_bnd06_parameters_in_another_order(self):
        b, r, _ = self.login()
        q = self.idp_logout_query(b, ALICE)
        parts = q.split("&")
        r = b.get(self.url("/saml/sls?" + "&".join(reversed(parts))))
        self.assertEqual(r.status, 302, r.body)
        self.assertEqual(b.get(self.url("/app/x")).status, 302)

    def test_bnd06_hmac_and_sha1_sigalg(self):
        b, r, _ = self.login()
        q = self.idp_logout_query(b, ALICE)
        params = dict(p.split("=", 1) for p in q.split("&"))
        for alg in ("http://www.w3.org/2000/09/xmldsig#hmac-sha1",
                    "http://www.w3.org/2001/04/xmldsig-more#hmac-sha256",
                    "http://www.w3.org/2000/09/xmldsig#rsa-sha1"):
            params["SigAlg"] = urllib.parse.quote(alg, safe="")
            r = b.get(self.url("/saml/sls?" + "&".join(
                "%s=%s" % kv for kv in params.items())))
            self.refused(r, "deny_sig_algorithm")
        self.assertEqual(b.get(self.url("/app/x")).status, 200)

    def test_bnd06_re_encoded_values(self):
        b, r, _ = self.login()
        q = self.idp_logout_query(b, ALICE)
        # the same values, percent-encoded differently: not what was signed
        lower = re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), q)
        self.assertNotEqual(lower, q)
        self.refused(b.get(self.url("/saml/sls?" + lower)),
                     "deny_signature")
        double = q.replace("%", "%25", 1)
        r = b.get(self.url("/saml/sls?" + double))
        self.assertIn(r.status, (400, 403))
        self.nginx.new_log()
        self.assertEqual(b.get(self.url("/app/x")).status, 200)

    def test_web10_malformed_logout_requests(self):
        b, r, _ = self.login()
        for q in ("SAMLRequest=%%%&SigAlg=x&Signature=y",
                  "SAMLRequest=" + base64.b64encode(b"junk").decode()
                  + "&SigAlg=x&Signature=y",
                  "SAMLRequest=&SigAlg=&Signature=", "SAMLRequest"):
            r = b.get(self.url("/saml/sls?" + q))
            self.assertIn(r.status, (400, 403), q)
        self.nginx.new_log()
        self.assertEqual(b.get(self.url("/app/x")).status, 200)

    def test_web10_logout_response_ends_no_session(self):
        a, r, _ = self.login()
        b, r, _ = self.login()
        r = a.get(self.url("/saml/logout?return=/public/bye"))
        idp = a.get(r.location)
        self.assertTrue(idp.location.startswith(self.url("/saml/sls?")))
        # the signed LogoutResponse, delivered to another browser
        r = b.get(idp.location)
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(b.get(self.url("/app/x")).status, 200)
        self.nginx.new_log()


# ---- H. Configuration --------------------------------------------------------


class ConfigAttackTest(AttackTestCase):
    """CFG-01 to CFG-03 and WEB-09's metadata endpoints: nginx -t."""

    def check(self, metadata=None, env=None):
        n = Nginx(self.__class__.__name__ + "-t", "")
        try:
            conf = self.http_config()
            if metadata is not None:
                path = os.path.join(n.dir, "bad.xml")
                with open(path, "w") as f:
                    f.write(metadata)
                conf = conf.replace(self.metadata, path)
            n.write(conf)
            return n.check(env)
        finally:
            n.cleanup()

    def test_cfg01_lasso_flags(self):
        for flag in ("no-verify-signature", "pem-public-key"):
            rc, out = self.check(env={"LASSO_FLAG": flag})
            self.assertNotEqual(rc, 0, out)
            self.assertIn("LASSO_FLAG", out)

    def test_cfg02_no_usable_signing_key(self):
        md = open(self.metadata).read()
        for bad, why in (
                (md.replace('use="signing"', 'use="encryption"'),
                 "no signing certificate"),
                (re.sub(r"<ds:X509Certificate>[^<]*<",
                        "<ds:X509Certificate><", md), "")):
            rc, out = self.check(bad)
            self.assertNotEqual(rc, 0, out)
            self.assertIn(why, out)

    def test_web09_metadata_endpoints(self):
        md = open(self.metadata).read()
        sso = self.base + "/idp/sso"
        for url in ("javascript:alert(1)", sso + "&#13;&#10;Set-Cookie: x=1"):
            rc, out = self.check(md.replace('"%s"' % sso, '"%s"' % url))
            self.assertNotEqual(rc, 0, out)
            self.assertIn("HTTP-Redirect", out)

    def test_cfg03_crypto_that_cannot_start(self):
        # OpenSSL with only the null provider: no key loads, nginx -t fails
        # on the module's directive (no TLS here to fail first)
        n = Nginx(self.__class__.__name__ + "-t", "")
        cnf = os.path.join(n.dir, "null-openssl.cnf")
        with open(cnf, "w") as f:
            f.write("openssl_conf = init\n[init]\nproviders = prov\n"
                    "[prov]\nnull = null_sect\n[null_sect]\nactivate = 1\n")
        try:
            n.write(f"""
    oiosaml_zone z:1m;
    server {{
        listen 127.0.0.1:1;
        oiosaml_sp https://sp.test/ url=https://sp.test/saml/;
        oiosaml_sp_key {CERTS}/sp.key {CERTS}/sp.crt;
        oiosaml_idp t metadata={self.metadata};
        location / {{ oiosaml on; }}
    }}
""")
            rc, out = n.check()
            self.assertEqual(rc, 0, out)
            rc, out = n.check({"OPENSSL_CONF": cnf})
        finally:
            n.cleanup()
        self.assertNotEqual(rc, 0, out)
        self.assertIn("[emerg]", out)
        self.assertIn("oiosaml_sp_key", out)
