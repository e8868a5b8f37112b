#!/bin/sh
# Writes IdP metadata for a test IdP to stdout:
#
#   make-idp-metadata.sh ENTITY_ID SSO_URL SLO_URL CERT [CERT...]
#
# One KeyDescriptor use="signing" per certificate (PEM).

set -eu

if [ $# -lt 4 ]; then
    echo "usage: $0 ENTITY_ID SSO_URL SLO_URL CERT [CERT...]" >&2
    exit 2
fi

entity=$1 sso=$2 slo=$3
shift 3

cat <<HEAD
<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"
    xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="$entity">
  <md:IDPSSODescriptor
      protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"
      WantAuthnRequestsSigned="true">
HEAD

for cert in "$@"; do
    b64=$(openssl x509 -in "$cert" -outform DER | openssl base64 -A)
    cat <<KEY
    <md:KeyDescriptor use="signing">
      <ds:KeyInfo><ds:X509Data><ds:X509Certificate>$b64</ds:X509Certificate></ds:X509Data></ds:KeyInfo>
    </md:KeyDescriptor>
KEY
done

cat <<TAIL
    <md:SingleLogoutService
        Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
        Location="$slo"/>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>
    <md:SingleSignOnService
        Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
        Location="$sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>
TAIL
