#!/bin/sh
# Apache + mod_auth_mellon as a SAML SP on a loopback port, for
# bench/login: its own ServerRoot, PidFile and logs in DIR, not the
# system service.
#
#   mellon.sh start DIR PORT CERTS IDP_ENTITY_ID [CACHE_SIZE]
#   mellon.sh stop DIR
#
# CERTS holds the test keys of certs/make-certs.sh: the SP key and
# certificate (sp.key, sp.crt: signing and decryption, as for nginx) and
# the IdP's signing certificate (idp.crt), the only key trusted.  The SP
# is http://127.0.0.1:PORT/mellon/metadata with its ACS at
# http://127.0.0.1:PORT/mellon/postResponse.  Needs apache2 and
# libapache2-mod-auth-mellon (tools/install-deps.sh).

set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
moddir=/usr/lib/apache2/modules

b64() {
    openssl x509 -in "$1" -outform DER | openssl base64 -A
}

start() {
    dir=$1 port=$2 certs=$3 idp=$4 cache=${5:-100}
    base=http://127.0.0.1:$port/mellon

    [ -x /usr/sbin/apache2 ] && [ -f "$moddir/mod_auth_mellon.so" ] || {
        echo "mellon.sh: needs apache2 and libapache2-mod-auth-mellon" >&2
        exit 1
    }

    mkdir -p "$dir/htdocs"
    chmod 755 "$dir"

    # the workers read these after dropping privileges (test keys only)
    cp "$certs/sp.key" "$certs/sp.crt" "$dir/"
    chmod 644 "$dir/sp.key" "$dir/sp.crt"

    cert=$(b64 "$certs/sp.crt")
    cat > "$dir/sp-metadata.xml" <<XML
<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"
    xmlns:ds="http://www.w3.org/2000/09/xmldsig#"
    entityID="$base/metadata">
  <md:SPSSODescriptor AuthnRequestsSigned="true" WantAssertionsSigned="true"
      protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing">
      <ds:KeyInfo><ds:X509Data><ds:X509Certificate>$cert</ds:X509Certificate></ds:X509Data></ds:KeyInfo>
    </md:KeyDescriptor>
    <md:KeyDescriptor use="encryption">
      <ds:KeyInfo><ds:X509Data><ds:X509Certificate>$cert</ds:X509Certificate></ds:X509Data></ds:KeyInfo>
    </md:KeyDescriptor>
    <md:SingleLogoutService
        Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
        Location="$base/logout"/>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName</md:NameIDFormat>
    <md:AssertionConsumerService index="0" isDefault="true"
        Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
        Location="$base/postResponse"/>
  </md:SPSSODescriptor>
</md:EntityDescriptor>
XML

    "$root/certs/make-idp-metadata.sh" "$idp" "$idp"sso "$idp"slo \
        "$certs/idp.crt" > "$dir/idp-metadata.xml"
    chmod 644 "$dir"/*.xml

    user=$(id -un) group=$(id -gn)
    if [ "$(id -u)" = 0 ] && id www-data >/dev/null 2>&1; then
        user=www-data group=www-data
    fi

    sed -e "s|@DIR@|$dir|g" -e "s|@PORT@|$port|g" \
        -e "s|@MODDIR@|$moddir|g" -e "s|@USER@|$user|g" \
        -e "s|@GROUP@|$group|g" -e "s|@CACHE_SIZE@|$cache|g" \
        "$here/httpd.conf.in" > "$dir/httpd.conf"

    /usr/sbin/apache2 -t -f "$dir/httpd.conf" 2>&1 | grep -v "Syntax OK" \
        >&2 || true
    /usr/sbin/apache2 -f "$dir/httpd.conf" -k start

    i=0
    while [ ! -s "$dir/httpd.pid" ]; do
        i=$((i + 1))
        if [ $i -gt 100 ]; then
            echo "mellon.sh: apache did not start:" >&2
            cat "$dir/error.log" >&2
            exit 1
        fi
        sleep 0.1
    done
}

stop() {
    dir=$1
    [ -s "$dir/httpd.pid" ] || return 0
    pid=$(cat "$dir/httpd.pid")
    /usr/sbin/apache2 -f "$dir/httpd.conf" -k stop 2>/dev/null \
        || kill "$pid" 2>/dev/null || true
    i=0
    while kill -0 "$pid" 2>/dev/null; do
        i=$((i + 1))
        if [ $i -gt 100 ]; then
            kill -9 "$pid" 2>/dev/null || true
            break
        fi
        sleep 0.1
    done
}

case "${1:-}" in
    start) shift; start "$@" ;;
    stop)  shift; stop "$@" ;;
    *)     echo "usage: $0 start DIR PORT CERTS IDP_ENTITY_ID [CACHE_SIZE]" \
                "| stop DIR" >&2
           exit 2 ;;
esac
