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

"$certs/make-idp-metadata.sh" https://idp.demo-kommune.example/ \
    https://127.0.0.1:8443/idp/demo/sso https://127.0.0.1:8443/idp/demo/slo \
    "$certs/idp.crt" > "$dir/idp-demo.xml"
"$certs/make-idp-metadata.sh" https://adfs.eksempel-kommune.example/ \
    https://127.0.0.1:8443/idp/eksempel/sso \
    https://127.0.0.1:8443/idp/eksempel/slo \
    "$certs/idp-next.crt" > "$dir/idp-eksempel.xml"

sed -e "s|@DIR@|$dir|g" -e "s|@ROOT@|$root|g" -e "s|@CERTS@|$certs|g" \
    -e "s|@OBJS@|$objs|g" "$root/conf/demo/nginx.conf.in" > "$dir/nginx.conf"

nginx -t -q -p "$dir" -c "$dir/nginx.conf"
nginx -p "$dir" -c "$dir/nginx.conf"

cat <<MSG

  The demo runs.  Open  https://127.0.0.1:8443/
  (the certificate is self-signed: $certs/tls.crt)

  Portfolio:       /aula/ /sapa/ /ky/ /flis/ with roles (conf/portfolio/)
  SP metadata:     https://127.0.0.1:8443/saml/metadata
  Test IdPs:       Demo Kommune (OIOSAML 3, encrypts)   /idp/demo/
                   Eksempel Kommune (OIOSAML 2)         /idp/eksempel/
  Test users:      alice (Substantial, most roles), bob (Low, FLIS admin
                   steps up), carl (OIOSAML 2, KY), dorte (no roles here)
  Log:             $dir/error.log
  Stop:            make demo-stop

MSG
