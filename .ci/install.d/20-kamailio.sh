# sipis-sip interop tests, sipis-server's hand-over test and the registration benchmark run a
# real Kamailio registrar
# (auth_db over db_text, usrloc, TLS) on loopback; openssl makes its self-signed certificate.
apt-get install -y --no-install-recommends kamailio kamailio-tls-modules kamailio-extra-modules \
  kamailio-utils-modules openssl
