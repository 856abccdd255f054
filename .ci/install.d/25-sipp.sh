# sipis-call's incoming-call end-to-end test and bench-incoming.sh use SIPp (Debian sip-tester)
# as the caller, through the Kamailio proxy installed by 20-kamailio.sh.
apt-get install -y --no-install-recommends sip-tester
