package org.opensipis.sip.dns;

import java.net.InetAddress;
import java.util.List;

/** The DNS queries RFC 3263 needs; blocking. {@link DnsjavaLookup} is the real one. */
public interface DnsLookup {

    /** NAPTR records of a domain. */
    List<Naptr> naptr(String domain);

    /** SRV records of a name like {@code _sip._udp.example.com}. */
    List<Srv> srv(String name);

    /** A and AAAA addresses of a host (empty when none). */
    List<InetAddress> addresses(String host);

    record Naptr(int order, int preference, String flags, String service, String replacement) {
    }

    record Srv(int priority, int weight, int port, String target) {
    }
}
