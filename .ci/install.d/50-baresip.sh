# sipis-sip app leg: a stock SIP UA (baresip) registers with SIPIS as the app (BaresipAppTest).
apt-get install -y --no-install-recommends baresip-core
