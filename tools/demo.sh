#!/bin/sh
# Starts or stops the demo: tools/demo.sh start|stop
# (make demo builds first and then runs "tools/demo.sh start").

set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
dir=$root/build/demo
objs=$root/build/nginx/objs
certs=$root/certs

stop() {
    if [ -f "$dir/nginx.pid" ]; then
        nginx -p "$dir" -c "$dir/nginx.conf" -s quit 2>/dev/null || true
        sleep 1
    fi
}

case "${1:-start}" in
stop)
    stop
    echo "demo stopped"
    exit 0
    ;;
start)
    ;;
*)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac

stop
"$certs/make-certs.sh" "$certs"
mkdir -p "$dir/tmp"

# one test IdP per persona (docs/test-idp.md): id, entityID
while read -r id entity; do
    "$certs/make-idp-metadata.sh" "$entity" \
        "https://127.0.0.1:8443/idp/$id/sso" \
        "https://127.0.0.1:8443/idp/$id/slo" \
        "$certs/idp.crt" > "$dir/idp-$id.xml"
done <<'IDPS'
demo https://saml.n2adgangsstyring.demo.example/runtime
nemlogin https://saml.nemlog-in.demo.example/
eksempel http://adfs.eksempel-kommune.example/adfs/services/trust
korsbaek http://adfs.korsbaek.example/adfs/services/trust
borgen https://idp.borgen-kommune.example/
gammel https://idp.gammel-kommune.example/
IDPS

sed -e "s|@DIR@|$dir|g" -e "s|@ROOT@|$root|g" -e "s|@CERTS@|$certs|g" \
    -e "s|@OBJS@|$objs|g" "$root/conf/demo/nginx.conf.in" > "$dir/nginx.conf"

nginx -t -q -p "$dir" -c "$dir/nginx.conf"
nginx -p "$dir" -c "$dir/nginx.conf"

cat <<MSG

  The demo runs.  Open  https://127.0.0.1:8443/
  (the certificate is self-signed: $certs/tls.crt)

  Portfolio:       /aula/ /sapa/ /ky/ /flis/ with roles (conf/portfolio/)
  SP metadata:     https://127.0.0.1:8443/saml/metadata
  Test IdPs:       one per persona, on the choice page (docs/test-idp.md)
                   /idp/demo/      Context Handler 2
                   /idp/nemlogin/  NemLog-in3
                   /idp/eksempel/  AD FS, multipleauthn
                   /idp/korsbaek/  AD FS, level in the RelayState
                   /idp/borgen/    OIOSAML 2 (NIST levels)
                   /idp/gammel/    OIOSAML 2 without a level
  Scenarios:       curl -k -d switch=down https://127.0.0.1:8443/idp/demo/admin
  Test users:      alice (Substantial, most roles), bob (Low, FLIS admin
                   steps up), carl (Eksempel Kommune, KY), dorte (no roles
                   here), hanne (High, Aula admin); conf/demo/users.conf
  Log:             $dir/error.log
  Stop:            make demo-stop

MSG
