# sipis-drills (*IT): fault drills with real processes. Debian PostgreSQL 15 for the primary and
# its streaming standby, iproute2 for the multi-host drill's network namespaces, libfaketime to
# step the clock of one sipis JVM, Patroni + etcd for automatic failover (curl asks Patroni
# which node leads), tcpdump to count REGISTERs on the wire. Kamailio and SIPp come from 20-kamailio.sh and 25-sipp.sh.
apt-get install -y --no-install-recommends postgresql-15 postgresql-client-15 iproute2 faketime libfaketime \
  patroni etcd-server etcd-client curl tcpdump
