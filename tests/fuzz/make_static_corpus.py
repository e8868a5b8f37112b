#!/usr/bin/python3
"""Writes the committed, key-independent seeds in tests/fuzz/corpus/.

    tests/fuzz/make_static_corpus.py        (re)writes tests/fuzz/corpus

Unsigned and malformed messages, attack shapes that fail before any key
is used, return addresses, garbage cookies and '*' plaintexts, metadata
with throwaway certificates (made here with openssl; the keys are thrown
away), and page templates (the built-in one is read from
lib/oiosaml_choice.c).  Seeds signed or sealed with the test keys are made
at replay time by make_corpus.c instead.  Files that the script does not
write (crash reproducers) are kept.
"""

import ast
import base64
import os
import re
import subprocess
import tempfile
import urllib.parse
import zlib

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(ROOT, "tests", "fuzz", "corpus")

SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
MD = "urn:oasis:names:tc:SAML:2.0:metadata"
DS = "http://www.w3.org/2000/09/xmldsig#"
XENC = "http://www.w3.org/2001/04/xmlenc#"
REDIRECT = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
SP = "https://sp.test/"
ACS = "https://sp.test/saml/acs"
SLS = "https://sp.test/saml/sls"
IDP = "https://idp.test/"
REQ = "_00112233445566778899aabbccddeeff00112233"
NOW = "2026-11-22T10:00:00Z"
LATER = "2026-11-22T10:05:00Z"
EID = "https://data.gov.dk/model/core/eid/"


def write(target, name, data):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def attr(name, *values):
    v = "".join(f"<saml:AttributeValue>{x}</saml:AttributeValue>"
                for x in values)
    return (f'<saml:Attribute Name="{name}" NameFormat="urn:oasis:names:tc:'
            f'SAML:2.0:attrname-format:uri">{v}</saml:Attribute>')


OIO3_ATTRS = "".join([
    attr("https://data.gov.dk/concept/core/nsis/loa", "Substantial"),
    attr("https://data.gov.dk/model/core/specVersion", "OIO-SAML-3.0"),
    attr(EID + "professional/cvr", "12345678"),
    attr(EID + "fullName", "Alice \u00c6r\u00f8"),
    attr(EID + "email", "alice@example.dk"),
    attr(EID + "professional/orgName", "Demo Kommune"),
    attr(EID + "professional/uuid/persistent",
         "urn:uuid:3a5c5e36-7d2e-4b5a-9f43-2d6f0b1c9e11"),
    attr(EID + "professional/rid", "4711"),
    attr(EID + "privilegesIntermediate", "PGJwcD48L2JwcD4="),
    attr(EID + "bootstrapToken", "c2VjcmV0"),
    attr("urn:x:role", "admin", "r&amp;d = 1"),
])

OIO2_ATTRS = "".join([
    attr("dk:gov:saml:attribute:AssuranceLevel", "3"),
    attr("dk:gov:saml:attribute:SpecVer", "DK-SAML-2.0"),
    attr("dk:gov:saml:attribute:CvrNumberIdentifier", "87654321"),
    attr("urn:oid:2.5.4.3", "Bob B\u00e6k"),
    attr("urn:oid:0.9.2342.19200300.100.1.3", "bob@example.dk"),
    attr("dk:gov:saml:attribute:Privileges_intermediate", "PGJwcDIvPg=="),
])

SIGNATURE = (
    f'<ds:Signature xmlns:ds="{DS}"><ds:SignedInfo>'
    '<ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/'
    'xml-exc-c14n#"/><ds:SignatureMethod Algorithm="http://www.w3.org/2001/'
    '04/xmldsig-more#rsa-sha256"/><ds:Reference URI="#{id}"><ds:Transforms>'
    '<ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-'
    'signature"/><ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-'
    'c14n#"/></ds:Transforms><ds:DigestMethod Algorithm="http://www.w3.org/'
    '2001/04/xmlenc#sha256"/><ds:DigestValue>'
    'BGE3vZNxEMa0zCc7PAdZB9cVvgiO3nfj55Ws0phx68U=</ds:DigestValue>'
    '</ds:Reference></ds:SignedInfo><ds:SignatureValue>'
    + base64.b64encode(bytes(range(256))).decode() +
    '</ds:SignatureValue></ds:Signature>')


def assertion(aid="_a1", nameid=EID + "professional/uuid/persistent/alice",
              attrs=OIO3_ATTRS, signature="", classref="urn:x",
              extra="", ns=f' xmlns:saml="{SAML}"', now=NOW, later=LATER,
              recipient=ACS, audience=SP, irt=REQ, issuer=IDP,
              method="urn:oasis:names:tc:SAML:2.0:cm:bearer"):
    return (
        f'<saml:Assertion{ns} ID="{aid}" Version="2.0" IssueInstant="{now}">'
        f'<saml:Issuer>{issuer}</saml:Issuer>{signature.replace("{id}", aid)}'
        f'<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:2.0:'
        f'nameid-format:persistent">{nameid}</saml:NameID>'
        f'<saml:SubjectConfirmation Method="{method}">'
        f'<saml:SubjectConfirmationData NotOnOrAfter="{later}" '
        f'Recipient="{recipient}" InResponseTo="{irt}"/>'
        f'</saml:SubjectConfirmation></saml:Subject><saml:Conditions '
        f'NotBefore="{now}" NotOnOrAfter="{later}"><saml:AudienceRestriction>'
        f'<saml:Audience>{audience}</saml:Audience></saml:AudienceRestriction>'
        f'</saml:Conditions><saml:AuthnStatement AuthnInstant="{now}" '
        f'SessionIndex="_s1" SessionNotOnOrAfter="{later}">'
        f'<saml:AuthnContext><saml:AuthnContextClassRef>{classref}'
        f'</saml:AuthnContextClassRef></saml:AuthnContext>'
        f'</saml:AuthnStatement>{extra}<saml:AttributeStatement>{attrs}'
        f'</saml:AttributeStatement></saml:Assertion>')


# valid at any "now" of the fuzz targets (signed in the target, mode '$')
PAST = "2000-01-01T00:00:00Z"
FUTURE = "2099-12-31T23:59:59.999Z"


def wide(**kw):
    kw.setdefault("now", PAST)
    kw.setdefault("later", FUTURE)
    return assertion(**kw)


def signed_mode():
    t = "fuzz_response"
    ok = response(wide())
    write(t, "signed-ok.xml", "$" + ok)
    write(t, "signed-oiosaml2.xml", "$" + response(wide(
        nameid="C=DK,O=87654321,CN=Bob,Serial=CVR:87654321-RID:1234",
        attrs=OIO2_ATTRS)))
    write(t, "signed-expired.xml", "$" + response(wide(
        later="2001-01-01T00:00:00Z")))
    write(t, "signed-not-yet.xml", "$" + response(wide(
        now="2098-01-01T00:00:00+14:00")))
    write(t, "signed-bad-time.xml", "$" + response(wide(later="tomorrow")))
    write(t, "signed-audience.xml", "$" + response(wide(
        audience="https://evil.test/")))
    write(t, "signed-recipient.xml", "$" + response(wide(
        recipient="https://evil.test/acs")))
    write(t, "signed-in-response-to.xml", "$" + response(wide(irt="_evil")))
    write(t, "signed-holder-of-key.xml", "$" + response(wide(
        method="urn:oasis:names:tc:SAML:2.0:cm:holder-of-key")))
    write(t, "signed-issuer.xml", "$" + response(wide(
        issuer="https://evil.test/")))
    write(t, "signed-unsolicited.xml", "$" + response(wide(irt="")).replace(
        ' InResponseTo=""', "").replace(f' InResponseTo="{REQ}"', ""))
    two = wide().replace(
        "<saml:SubjectConfirmation ",
        '<saml:SubjectConfirmation Method="urn:x"/><saml:SubjectConfirmation '
        ' ', 1)
    write(t, "signed-two-confirmations.xml", "$" + response(two))
    write(t, "signed-two-audiences.xml", "$" + response(wide().replace(
        "</saml:Conditions>", "<saml:AudienceRestriction><saml:Audience>"
        "https://other.test/</saml:Audience></saml:AudienceRestriction>"
        "</saml:Conditions>")))
    write(t, "signed-no-conditions.xml", "$" + response(re.sub(
        "<saml:Conditions.*?</saml:Conditions>", "", wide())))
    write(t, "signed-two-authn.xml", "$" + response(wide(
        extra="<saml:AuthnStatement AuthnInstant=\"" + PAST + "\"/>")))
    write(t, "signed-loa-high.xml", "$" + response(wide(attrs=attr(
        "https://data.gov.dk/concept/core/nsis/loa", "High"))))
    write(t, "signed-status-nested.xml", "$" + response(wide()).replace(
        "status:Success\"/>", "status:Success\"><samlp:StatusCode Value="
        "\"urn:x\"/></samlp:StatusCode>"))


def response(body, rid="_r1", signature="", status="Success", head=""):
    return (
        f'{head}<samlp:Response xmlns:samlp="{SAMLP}" xmlns:saml="{SAML}" '
        f'ID="{rid}" Version="2.0" IssueInstant="{NOW}" Destination="{ACS}" '
        f'InResponseTo="{REQ}"><saml:Issuer>{IDP}</saml:Issuer>'
        f'{signature.replace("{id}", rid)}<samlp:Status><samlp:StatusCode '
        f'Value="urn:oasis:names:tc:SAML:2.0:status:{status}"/>'
        f'</samlp:Status>{body}</samlp:Response>')


def encrypted(alg="http://www.w3.org/2009/xmlenc11#aes256-gcm",
              kt=XENC + "rsa-oaep-mgf1p"):
    junk = base64.b64encode(bytes(range(0, 256, 3)) * 4).decode()
    key = base64.b64encode(bytes(384)).decode()
    return (
        f'<saml:EncryptedAssertion><xenc:EncryptedData xmlns:xenc="{XENC}" '
        f'Type="{XENC}Element"><xenc:EncryptionMethod Algorithm="{alg}"/>'
        f'<ds:KeyInfo xmlns:ds="{DS}"><xenc:EncryptedKey>'
        f'<xenc:EncryptionMethod Algorithm="{kt}"><ds:DigestMethod '
        f'Algorithm="{DS}sha1"/><xenc:OAEPparams>AAEC</xenc:OAEPparams>'
        f'</xenc:EncryptionMethod><xenc:CipherData><xenc:CipherValue>{key}'
        f'</xenc:CipherValue></xenc:CipherData></xenc:EncryptedKey>'
        f'</ds:KeyInfo><xenc:CipherData><xenc:CipherValue>{junk}'
        f'</xenc:CipherValue></xenc:CipherData></xenc:EncryptedData>'
        f'</saml:EncryptedAssertion>')


def responses():
    t = "fuzz_response"
    plain = response(assertion())
    write(t, "unsigned.xml", plain)
    write(t, "unsigned-signature-shape.xml",
          response(assertion(signature=SIGNATURE)))
    write(t, "response-signature-shape.xml",
          response(assertion(), signature=SIGNATURE))
    write(t, "encrypted-shape.xml", response(encrypted()))
    write(t, "encrypted-cbc-oaep11.xml", response(encrypted(
        XENC + "aes128-cbc", "http://www.w3.org/2009/xmlenc11#rsa-oaep")))
    write(t, "encrypted-rsa15.xml", response(encrypted(
        kt=XENC + "rsa-1_5")))
    write(t, "two-assertions.xml",
          response(assertion() + assertion("_a2", "mallory")))
    write(t, "assertion-in-extensions.xml", response(
        assertion(), head="").replace(
            "<samlp:Status>", "<samlp:Extensions>" + assertion("_a2")
            + "</samlp:Extensions><samlp:Status>", 1))
    write(t, "status-responder.xml", response(
        "", status="Responder").replace(
            '/></samlp:Status>', '><samlp:StatusCode Value="urn:oasis:names:'
            'tc:SAML:2.0:status:AuthnFailed"/></samlp:StatusCode>'
            '<samlp:StatusMessage>no &amp; no</samlp:StatusMessage>'
            '</samlp:Status>'))
    write(t, "no-status.xml", f'<samlp:Response xmlns:samlp="{SAMLP}" '
          f'Version="2.0" Destination="{ACS}"/>')
    write(t, "not-a-response.xml", f'<samlp:AuthnRequest xmlns:samlp='
          f'"{SAMLP}" ID="_x" Version="2.0"/>')
    write(t, "wrong-namespace.xml", plain.replace(SAML, SAML + "#", 1))
    write(t, "default-namespace.xml", plain.replace(
        f'xmlns:samlp="{SAMLP}"', f'xmlns="{SAMLP}" xmlns:samlp="{SAMLP}"'))
    write(t, "doctype.xml", '<?xml version="1.0"?>\n<!DOCTYPE samlp:Response'
          ' [<!ENTITY who "mallory">]>\n'
          + plain.replace("persistent/alice", "persistent/&who;"))
    write(t, "entity-expansion.xml", '<?xml version="1.0"?>\n<!DOCTYPE lolz '
          '[<!ENTITY lol "lol">'
          + "".join(f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 or "")) * 10}">'
                    for i in range(1, 10))
          + ']>\n' + plain.replace("Demo Kommune", "&lol9;"))
    write(t, "external-entity.xml", '<?xml version="1.0"?>\n<!DOCTYPE r '
          '[<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
          + plain.replace("Demo Kommune", "&x;"))
    write(t, "external-dtd.xml", '<!DOCTYPE r SYSTEM "http://evil.test/x.dtd">'
          + plain)
    write(t, "deep-nesting.xml", response("<a>" * 600 + "</a>" * 600))
    write(t, "latin1.xml", ('<?xml version="1.0" encoding="ISO-8859-1"?>'
                            + plain).encode("latin-1", "replace"))
    write(t, "utf16.xml", ('<?xml version="1.0" encoding="UTF-16"?>'
                           + plain).encode("utf-16"))
    write(t, "huge-attribute.xml", response(assertion(
        attrs=attr("urn:x:big", "x" * 66000))))
    write(t, "cdata-comment-pi.xml", plain.replace(
        "Demo Kommune", "<![CDATA[Demo]]><!-- c --><?pi x?> Kommune"))
    write(t, "empty.xml", "")
    write(t, "not-xml.xml", "<samlp:Response")

    # the raw form value
    b64 = base64.b64encode(plain.encode()).decode()
    write(t, "raw-unsigned.b64", "!" + b64)
    write(t, "raw-wrapped.b64", "!" + "\r\n".join(
        b64[i:i + 76] for i in range(0, len(b64), 76)))
    write(t, "raw-bad.b64", "!" + b64[:100] + "*" + b64[101:200])
    write(t, "raw-padding.b64", "!QUJD=REVG")
    write(t, "raw-empty.b64", "!")

    # the SP that takes either signature and IdP-initiated logins
    write(t, "either-unsolicited.xml", "?" + plain.replace(
        f' InResponseTo="{REQ}"', ""))

    # assertions alone, as if signed: attributes and levels
    write(t, "assertion-oiosaml3.xml", "@" + assertion())
    write(t, "assertion-oiosaml2.xml", "@" + assertion(
        nameid="C=DK,O=87654321,CN=Bob,Serial=CVR:87654321-RID:1234",
        attrs=OIO2_ATTRS))
    write(t, "assertion-adfs.xml", "@" + assertion(
        classref="http://schemas.microsoft.com/claims/multipleauthn",
        attrs=attr("http://schemas.microsoft.com/ws/2008/06/identity/claims/"
                   "authenticationmethod",
                   "http://schemas.microsoft.com/claims/multipleauthn")
        + attr("dk:gov:saml:attribute:AssuranceLevel", "4")))
    for loa in ("Low", "Substantial", "High", "high", "", "Bogus"):
        write(t, f"assertion-loa-{loa or 'empty'}.xml", "@" + assertion(
            attrs=attr("https://data.gov.dk/concept/core/nsis/loa", loa)))
    for nist in ("1", "2", "3", "4", "5", "-1", "3 "):
        write(t, f"assertion-nist-{nist.strip()}{'s' * (nist != nist.strip())}"
              ".xml", "@" + assertion(attrs=attr(
                  "dk:gov:saml:attribute:AssuranceLevel", nist)))
    write(t, "assertion-huge-attribute.xml", "@" + assertion(
        attrs=attr("urn:x:big", "x" * 66000)))
    write(t, "assertion-many-attributes.xml", "@" + assertion(
        attrs="".join(attr(f"urn:x:a{i}", str(i)) for i in range(300))))
    write(t, "assertion-many-values.xml", "@" + assertion(
        attrs=attr("urn:x:role", *[f"r{i}" for i in range(300)])))
    write(t, "assertion-long-nameid.xml", "@" + assertion(nameid="n" * 1100))
    write(t, "assertion-empty-nameid.xml", "@" + assertion(nameid=""))
    write(t, "assertion-no-subject.xml", "@" + assertion().replace(
        "<saml:Subject>", "<saml:X>").replace("</saml:Subject>", "</saml:X>"))
    write(t, "assertion-nested-values.xml", "@" + assertion(
        attrs=attr("urn:x:n", "<b>bold</b> text", "<saml:NameID>x"
                   "</saml:NameID>", "")))
    write(t, "assertion-duplicate-names.xml", "@" + assertion(
        attrs=OIO3_ATTRS + OIO3_ATTRS + OIO2_ATTRS))


def deflate(data):
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


def query(param, xml, relay=None, alg=None, sig=None, raw=False):
    msg = base64.b64encode(xml if raw else deflate(xml)).decode()
    q = f"{param}={urllib.parse.quote(msg, safe='')}"
    if relay is not None:
        q += "&RelayState=" + urllib.parse.quote(relay, safe="")
    if alg is not None:
        q += "&SigAlg=" + urllib.parse.quote(alg, safe="")
    if sig is not None:
        q += "&Signature=" + urllib.parse.quote(sig, safe="")
    return q


def redirects():
    t = "fuzz_redirect"
    sha256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
    sig = base64.b64encode(bytes(256)).decode()
    req = (f'<samlp:LogoutRequest xmlns:samlp="{SAMLP}" xmlns:saml="{SAML}" '
           f'ID="_l1" Version="2.0" IssueInstant="{NOW}" Destination="{SLS}">'
           f'<saml:Issuer>{IDP}</saml:Issuer><saml:NameID>alice'
           f'</saml:NameID><samlp:SessionIndex>_s1</samlp:SessionIndex>'
           f'</samlp:LogoutRequest>').encode()
    resp = (f'<samlp:LogoutResponse xmlns:samlp="{SAMLP}" xmlns:saml="{SAML}"'
            f' ID="_l2" Version="2.0" InResponseTo="_l0" Destination="{SLS}">'
            f'<saml:Issuer>{IDP}</saml:Issuer><samlp:Status><samlp:StatusCode'
            f' Value="urn:oasis:names:tc:SAML:2.0:status:Success"/>'
            f'</samlp:Status></samlp:LogoutResponse>').encode()
    write(t, "request-badsig.txt", query("SAMLRequest", req, "idp-initiated",
                                         sha256, sig))
    write(t, "response-badsig.txt", query("SAMLResponse", resp, "relay",
                                          sha256, sig))
    write(t, "request-unsigned.txt", query("SAMLRequest", req))
    write(t, "request-sha1.txt", query(
        "SAMLRequest", req, None, "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
        sig))
    write(t, "request-sha512.txt", query(
        "SAMLRequest", req, None,
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512", sig))
    write(t, "request-not-deflated.txt", query("SAMLRequest", req, None,
                                               sha256, sig, raw=True))
    write(t, "request-doctype.txt", query(
        "SAMLRequest", b'<!DOCTYPE x [<!ENTITY a "b">]>' + req, None, sha256,
        sig))
    write(t, "request-unknown-issuer.txt", query(
        "SAMLRequest", req.replace(IDP.encode(), b"https://evil.test/"),
        None, sha256, sig))
    write(t, "request-no-issuer.txt", query(
        "SAMLRequest", re.sub(rb"<saml:Issuer>.*?</saml:Issuer>", b"", req),
        None, sha256, sig))
    write(t, "order-signature-first.txt", "Signature=" + urllib.parse.quote(
        sig, safe="") + "&SigAlg=" + urllib.parse.quote(sha256, safe="")
        + "&" + query("SAMLRequest", req))
    write(t, "duplicate-params.txt", query("SAMLRequest", req, "a", sha256,
                                           sig) + "&SAMLRequest=AAAA&SigAlg=x")
    write(t, "empty-values.txt", "SAMLRequest=&RelayState=&SigAlg=&Signature=")
    write(t, "percent-edge.txt", "SAMLRequest=%&SigAlg=%4&Signature=%zz%2")
    write(t, "empty.txt", "")
    write(t, "ampersands.txt", "&&&=&==&SAMLResponse")

    # deflate bombs: 1 MB and 64 MB of 'A' (the limit is 256 kB)
    bomb = deflate(b"A" * (1 << 20))
    write(t, "bomb-1m.txt", query("SAMLRequest", bomb, None, sha256, sig,
                                  raw=True))
    write(t, "bomb-1m.b64", base64.b64encode(bomb))
    big = deflate(b"<a>" + b"A" * (64 << 20) + b"</a>")
    write(t, "bomb-64m.b64", base64.b64encode(big))
    write(t, "bomb-xml.txt", query(
        "SAMLRequest", req.replace(b"alice", b"a" * 300000), None, sha256,
        sig))
    write(t, "inflate-request.b64", base64.b64encode(deflate(req)))
    write(t, "inflate-truncated.b64", base64.b64encode(deflate(req)[:-5]))
    write(t, "inflate-stored.b64", base64.b64encode(
        zlib.compressobj(0, zlib.DEFLATED, -15).compress(req)
        + zlib.compressobj(0, zlib.DEFLATED, -15).flush()))
    write(t, "inflate-zlib-header.b64", base64.b64encode(zlib.compress(req)))
    write(t, "inflate-trailing.b64", base64.b64encode(deflate(req) + b"xyz"))
    write(t, "inflate-empty.b64", base64.b64encode(deflate(b"")))

    # '<': the XML, signed by the target as the IdP would send it, which
    # also puts its clock where the text says @NOW@
    req = req.replace(NOW.encode(), b"@NOW@")
    resp = resp.replace(b' ID="_l2"', b' ID="_l2" IssueInstant="@NOW@"')
    write(t, "signed-request.xml", req)
    write(t, "signed-response.xml", resp)
    write(t, "signed-response-failed.xml", resp.replace(
        b"status:Success", b"status:Requester"))
    write(t, "signed-long-values.xml", req.replace(
        b">alice<", b">" + b"n" * 600 + b"<").replace(
        b">_s1<", b">" + b"s" * 300 + b"<"))
    write(t, "signed-long-id.xml", req.replace(
        b'ID="_l1"', b'ID="_' + b"i" * 200 + b'"'))
    write(t, "signed-long-in-response-to.xml", resp.replace(
        b'InResponseTo="_l0"', b'InResponseTo="_' + b"r" * 200 + b'"'))
    write(t, "signed-no-nameid.xml", re.sub(
        rb"<saml:NameID>.*?</saml:NameID>", b"", req))
    write(t, "signed-nameid-markup.xml", req.replace(
        b">alice<", b">al<!-- c --><![CDATA[i]]>&#99;e<"))
    write(t, "signed-destination.xml", req.replace(
        SLS.encode(), b"https://evil.test/sls"))
    write(t, "signed-no-id.xml", req.replace(b' ID="_l1"', b""))
    write(t, "signed-authn-request.xml", req.replace(
        b"LogoutRequest", b"AuthnRequest"))


EVIL = None


def evil_list():
    src = open(os.path.join(ROOT, "tests", "integration",
                            "test_redirect.py")).read()
    tree = ast.parse(src)
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(
                node.targets[0], "id", "") == "EVIL":
            return ast.literal_eval(node.value)
    raise SystemExit("no EVIL list in tests/integration/test_redirect.py")


def return_urls():
    t = "fuzz_return_url"
    for i, u in enumerate(evil_list()):
        write(t, f"evil-{i:02d}.txt", u)
        write(t, f"evil-{i:02d}-query.txt",
              "x=1&return=" + urllib.parse.quote(u, safe="") + "&loa=high")
    good = ["/", "/app", "/app/ok?x=1&y=%2F", "/a/b/../c", "/%41%42",
            "/x?return=//evil", "/~user/;p?q#frag", "/" + "a" * 2047,
            "/" + "a" * 2048, "/%25", "/%2", "/%%32%46", "/+/", "/a%252F"]
    for i, u in enumerate(good):
        write(t, f"good-{i:02d}.txt", u)
    write(t, "deep-encoding.txt", "/%2525252F%2525252Fevil.test")
    write(t, "query-return.txt", "return=%2Fapp%3Fx%3D1&SAMLRequest=abc")
    write(t, "query-empty-name.txt", "=v&return=&&return=/x")
    write(t, "relay.txt", "RelayRelayRelayRelay01")
    write(t, "relay-level.txt", "RelayRelayRelayRelay01.Substantial")
    write(t, "relay-short.txt", "RelayRelayRelayRelay0")
    write(t, "relay-long.txt", "RelayRelayRelayRelay012")
    write(t, "header-controls.txt", b"a\x00b\r\nSet-Cookie: x=1\x7f\xc3\xa6%")


def cookies():
    t = "fuzz_cookies"
    for name, v in [("empty", ""), ("a", "A"), ("aa", "AA"), ("aaa", "AAA"),
                    ("aaaa", "AAAA"), ("noncanonical", "AB"),
                    ("noncanonical3", "AAB"), ("padding", "AAAA=="),
                    ("std-alphabet", "ab+/cd"), ("spaces", "AAAA AAAA"),
                    ("version-2", base64.urlsafe_b64encode(
                        b"\x02" + bytes(40)).decode().rstrip("=")),
                    ("version-1-zero", base64.urlsafe_b64encode(
                        b"\x01" + bytes(40)).decode().rstrip("=")),
                    ("short", base64.urlsafe_b64encode(
                        b"\x01" + bytes(20)).decode().rstrip("=")),
                    ("too-long", "A" * 20000)]:
        write(t, f"garbage-{name}.txt", v)
    # '*': the rest is sealed here and opened again (the parsers behind
    # the seal)
    for name, v in [
            ("empty", ""), ("one", "1"), ("one-nl", "1\n"),
            ("choice", "1\n1795341600\ntest"),
            ("choice-long-id", "1\n1795341600\n" + "i" * 70),
            ("choice-bad-time", "1\n99999999999999999999999\ntest"),
            ("choice-no-time", "1\n\ntest"),
            ("pending", "1\n1795341600\n5\n" + REQ + "\ntest\n/app?x=1"),
            ("pending-short", "1\n2\n3\n4\n5"),
            ("pending-bad-loa", "1\n1795341600\n99\n_id\ntest\n/"),
            ("pending-negative-loa", "1\n1795341600\n-1\n_id\ntest\n/"),
            ("pending-long-return", "1\n1795341600\n0\n_id\ntest\n/"
             + "r" * 2100),
            ("pending-long-idp", "1\n1795341600\n0\n_id\n" + "i" * 70 + "\n/"),
            ("pending-nul", "1\n1795341600\n0\n_id\x00x\ntest\n/"),
            ("csrf", "1795341600\nfuzz-nonce-0123456789"),
            ("csrf-no-nl", "1795341600"),
            ("csrf-nul", "1795341600\nfuzz-nonce\x000123456789")]:
        write(t, f"plain-{name}.txt", "*" + v)


def openssl_cert(args):
    with tempfile.TemporaryDirectory() as d:
        key, crt = os.path.join(d, "k"), os.path.join(d, "c")
        subprocess.run(["openssl", "req", "-x509", "-nodes", "-days", "36500",
                        "-subj", "/CN=fuzz seed (key thrown away)",
                        "-keyout", key, "-out", crt, "-outform", "DER"]
                       + args, check=True, capture_output=True)
        return base64.b64encode(open(crt, "rb").read()).decode()


def metadata():
    t = "fuzz_metadata"
    rsa = openssl_cert(["-newkey", "rsa:2048"])
    ec = openssl_cert(["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"])
    weak = openssl_cert(["-newkey", "rsa:1024"])

    def kd(cert, use="signing"):
        u = f' use="{use}"' if use else ""
        return (f'<md:KeyDescriptor{u}><ds:KeyInfo xmlns:ds="{DS}">'
                f'<ds:X509Data><ds:X509Certificate>{cert}'
                f'</ds:X509Certificate></ds:X509Data></ds:KeyInfo>'
                f'</md:KeyDescriptor>')

    def svc(name, binding=REDIRECT, loc=IDP + "sso", resp=None):
        r = f' ResponseLocation="{resp}"' if resp else ""
        return (f'<md:{name} Binding="{binding}" Location="{loc}"{r}/>')

    def entity(body, eid=IDP, attrs=""):
        return (f'<md:EntityDescriptor xmlns:md="{MD}" entityID="{eid}"'
                f'{attrs}><md:IDPSSODescriptor protocolSupportEnumeration='
                f'"{SAMLP}">{body}</md:IDPSSODescriptor>'
                f'</md:EntityDescriptor>')

    sso = svc("SingleSignOnService")
    slo = svc("SingleLogoutService", loc=IDP + "slo", resp=IDP + "slor")
    write(t, "rsa.xml", entity(kd(rsa) + slo + sso))
    write(t, "ec.xml", entity(kd(ec) + sso))
    write(t, "rsa1024.xml", entity(kd(weak) + sso))
    write(t, "no-use.xml", entity(kd(rsa, None) + sso))
    write(t, "encryption-only.xml", entity(kd(rsa, "encryption") + sso))
    write(t, "nine-certs.xml", entity(kd(rsa) * 9 + sso))
    write(t, "bad-base64.xml", entity(kd("!!notbase64!!") + sso))
    write(t, "truncated-der.xml", entity(kd(rsa[:200]) + sso))
    write(t, "der-trailing.xml", entity(kd(base64.b64encode(
        base64.b64decode(rsa) + b"\x00").decode()) + sso))
    write(t, "no-sso.xml", entity(kd(rsa) + slo))
    write(t, "post-only.xml", entity(kd(rsa) + svc(
        "SingleSignOnService", "urn:oasis:names:tc:SAML:2.0:bindings:"
        "HTTP-POST")))
    write(t, "javascript-location.xml", entity(kd(rsa) + svc(
        "SingleSignOnService", loc="javascript:alert(1)")))
    write(t, "valid-until-past.xml", entity(
        kd(rsa) + sso, attrs=' validUntil="2001-01-01T00:00:00Z"'))
    write(t, "valid-until-future.xml", entity(
        kd(rsa) + sso, attrs=' validUntil="2099-12-31T23:59:59.999Z"'))
    write(t, "valid-until-bad.xml", entity(
        kd(rsa) + sso, attrs=' validUntil="tomorrow"'))
    write(t, "no-entity-id.xml", entity(kd(rsa) + sso, eid=""))
    write(t, "long-entity-id.xml", entity(kd(rsa) + sso, eid="e" * 1100))
    two = entity(kd(rsa) + sso) + entity(kd(ec) + sso, "https://b.test/")
    write(t, "entities-two.xml", f'<md:EntitiesDescriptor xmlns:md="{MD}" '
          f'validUntil="2090-01-01T00:00:00Z">{two}</md:EntitiesDescriptor>')
    write(t, "entities-one.xml", f'<md:EntitiesDescriptor xmlns:md="{MD}">'
          f'<md:EntityDescriptor entityID="https://sp.test/"/>'
          f'{entity(kd(rsa) + sso)}</md:EntitiesDescriptor>')
    write(t, "sp-only.xml", f'<md:EntityDescriptor xmlns:md="{MD}" entityID='
          f'"{SP}"><md:SPSSODescriptor/></md:EntityDescriptor>')
    write(t, "doctype.xml", '<!DOCTYPE md [<!ENTITY e "x">]>'
          + entity(kd(rsa) + sso))
    write(t, "signed-shape.xml", entity(kd(rsa) + sso).replace(
        "<md:IDPSSODescriptor", SIGNATURE.replace("{id}", "_m")
        + "<md:IDPSSODescriptor", 1))
    write(t, "wrong-root.xml", f'<md:IDPSSODescriptor xmlns:md="{MD}"/>')
    metadata_aggregates(entity(kd(rsa) + sso), entity(kd(ec) + sso,
                                                      "https://b.test/"))


def metadata_aggregates(a, b):
    """Aggregates for entity= (the target also picks https://idp.test/)."""
    t = "fuzz_metadata"

    def agg(body, attrs=""):
        return f'<md:EntitiesDescriptor xmlns:md="{MD}"{attrs}>{body}' \
               '</md:EntitiesDescriptor>'

    write(t, "entities-nested.xml", agg(
        agg(b + agg(a, ' Name="inner"')),
        ' validUntil="2090-01-01T00:00:00Z"'))
    write(t, "entities-duplicate.xml", agg(a + a + b))
    write(t, "entities-deep.xml", "".join(
        [f'<md:EntitiesDescriptor xmlns:md="{MD}">'] * 12) + a
        + "</md:EntitiesDescriptor>" * 12)
    write(t, "entities-signed-shape.xml", agg(
        SIGNATURE.replace("{id}", "_agg") + b + a, ' ID="_agg"'))


def check_inputs():
    """What an operator pastes into oiosamlctl response check."""
    t = "fuzz_check"
    xml = (f'<samlp:Response xmlns:samlp="{SAMLP}" xmlns:saml="{SAML}" '
           f'ID="_r1" Version="2.0" IssueInstant="{NOW}" Destination="{ACS}" '
           f'InResponseTo="{REQ}"><saml:Issuer>{IDP}</saml:Issuer>'
           '<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:'
           '2.0:status:Success"/></samlp:Status><saml:Assertion ID="_a1" '
           f'Version="2.0" IssueInstant="{NOW}"><saml:Issuer>{IDP}'
           '</saml:Issuer><saml:Subject><saml:NameID>alice</saml:NameID>'
           '<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:'
           'cm:bearer"><saml:SubjectConfirmationData Recipient="' + ACS
           + f'" NotOnOrAfter="{LATER}" InResponseTo="{REQ}"/>'
           '</saml:SubjectConfirmation></saml:Subject><saml:Conditions '
           f'NotBefore="{NOW}" NotOnOrAfter="{LATER}"><saml:'
           f'AudienceRestriction><saml:Audience>{SP}</saml:Audience>'
           '</saml:AudienceRestriction></saml:Conditions><saml:'
           f'AuthnStatement AuthnInstant="{NOW}"/></saml:Assertion>'
           '</samlp:Response>')
    b64 = base64.b64encode(xml.encode()).decode()
    write(t, "unsigned.xml", xml)
    write(t, "unsigned.b64", b64)
    write(t, "unsigned-wrapped.b64", "\n".join(
        b64[i:i + 76] for i in range(0, len(b64), 76)) + "\n")
    write(t, "form-percent.txt", "RelayState=abc.Substantial&SAMLResponse="
          + urllib.parse.quote(b64, safe=""))
    write(t, "form-raw.txt", "SAMLResponse=" + b64 + "&RelayState=x")
    write(t, "form-no-response.txt", "RelayState=abc&x=1")
    write(t, "form-bad-percent.txt", "SAMLResponse=%ZZ%2&RelayState=%")
    write(t, "bom-xml.xml", "\ufeff" + xml)
    write(t, "empty.txt", " \r\n")
    write(t, "not-saml.xml", "<x/>")
    write(t, "encrypted-shape.xml", xml.replace(
        "<saml:Assertion", '<saml:EncryptedAssertion><xenc:EncryptedData '
        'xmlns:xenc="http://www.w3.org/2001/04/xmlenc#"><xenc:'
        'EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#'
        'aes256-cbc"/></xenc:EncryptedData></saml:EncryptedAssertion>'
        "<saml:Assertion", 1))


def templates():
    t = "fuzz_template"
    src = open(os.path.join(ROOT, "lib", "oiosaml_choice.c"),
               encoding="utf-8").read()
    m = re.search(r"oiosaml_choice_default\[\] =\n(.*?);\n", src, re.S)
    if not m:
        raise SystemExit("no oiosaml_choice_default in lib/oiosaml_choice.c")
    builtin = b"".join(ast.literal_eval("b" + s) for s in
                       re.findall(r'"(?:\\.|[^"\\])*"', m.group(1)))
    write(t, "builtin-choice.html", builtin)
    for name, v in [
            ("vars", "<p>{{lang}} {{title}} {{evil}} {{unset}} {{empty}}</p>"),
            ("sections", "{{#idps}}<li>{{id}} {{label}}{{#unavailable}} (na)"
                         "{{/unavailable}}{{#tags}}[{{label}}]{{/tags}}</li>"
                         "{{/idps}}{{^idps}}none{{/idps}}"),
            ("nested-same", "{{#idps}}{{#idps}}{{#idps}}{{id}}{{/idps}}"
                            "{{/idps}}{{/idps}}"),
            ("depth-8", "{{#a}}" * 8 + "x" + "{{/a}}" * 8),
            ("depth-9", "{{#a}}" * 9 + "x" + "{{/a}}" * 9),
            ("inverted", "{{^none}}empty{{/none}}{{^empty}}e{{/empty}}"
                         "{{^title}}t{{/title}}"),
            ("open", "{{"), ("close", "}}"), ("empty-tag", "{{}}"),
            ("unclosed", "{{#idps}}x"), ("stray-end", "x{{/idps}}"),
            ("mismatch", "{{#a}}{{/b}}"), ("upper", "{{Title}}"),
            ("space", "{{ lang }}"), ("long-name", "{{" + "n" * 33 + "}}"),
            ("name-32", "{{" + "n" * 32 + "}}"), ("triple", "{{{lang}}}"),
            ("braces", "{{{{}}}}"), ("nul", "a\x00{{lang}}\x00b"),
            ("many-tags", "{{lang}}" * 2000)]:
        write(t, f"{name}.tmpl", v)


def main():
    responses()
    signed_mode()
    redirects()
    return_urls()
    cookies()
    metadata()
    check_inputs()
    templates()


if __name__ == "__main__":
    main()
