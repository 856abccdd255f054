# sipis-call app leg: a stock SIP UA (baresip) registers with SIPIS as the app (BaresipAppTest) and
# answers and hangs up a relayed call from SIPp through Kamailio (BaresipCallThroughKamailioTest).
apt-get install -y --no-install-recommends baresip-core
