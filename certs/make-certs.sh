#!/bin/sh
# Makes the demo and test keys in DIR (default: this directory).
#
#   sp.key sp.crt             our SP key, RSA-3072 (signing + encryption)
#   sp-next.key sp-next.crt   the next SP key, for rollover tests
#   idp.key idp.crt           the test IdP's signing key, RSA-2048
#   idp-next.key idp-next.crt the test IdP's next key
#   idp-wrong.key idp-wrong.crt  an attacker's key, trusted by nobody
#   tls.key tls.crt           HTTPS for 127.0.0.1 and localhost
#   cookie.key                the cookie sealing secret
#
# Existing files are kept; delete them to make new ones.  Keys are never
# committed (see .gitignore).

set -eu

dir=${1:-$(dirname "$0")}
mkdir -p "$dir"
cd "$dir"
umask 077

pair() {    # name bits subject days
    [ -s "$1.key" ] && [ -s "$1.crt" ] && return 0
    openssl req -x509 -newkey "rsa:$2" -nodes -sha256 -days "$4" \
        -subj "$3" -keyout "$1.key" -out "$1.crt" 2>/dev/null
    chmod 644 "$1.crt"
}

pair sp 3072 "/C=DK/O=Demo Kommune/CN=oiosaml-nginx SP" 1095
pair sp-next 3072 "/C=DK/O=Demo Kommune/CN=oiosaml-nginx SP (next)" 1460
pair idp 2048 "/C=DK/O=Test IdP/CN=oiosaml-nginx test IdP" 1095
pair idp-next 2048 "/C=DK/O=Test IdP/CN=oiosaml-nginx test IdP (next)" 1460
pair idp-wrong 2048 "/C=DK/O=Mallory/CN=not trusted" 1095

if [ ! -s tls.key ] || [ ! -s tls.crt ]; then
    openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 825 \
        -subj "/CN=127.0.0.1" \
        -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
        -keyout tls.key -out tls.crt 2>/dev/null
    chmod 644 tls.crt
fi

if [ ! -s cookie.key ]; then
    openssl rand -base64 48 > cookie.key
fi

chmod 600 ./*.key
