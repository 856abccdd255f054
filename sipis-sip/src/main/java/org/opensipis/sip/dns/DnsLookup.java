package org.opensipis.sip.dns;

import java.net.InetAddress;
import java.util.List;

/**
 * The DNS queries RFC 3263 needs; blocking. {@link DnsjavaLookup} is the real one. The
 * {@code ...Answer} forms add the answer's TTL; by default they wrap the plain queries with
 * {@link #UNKNOWN_TTL}, so a lookup that only implements the plain ones (a test fake) still works.
 */
public interface DnsLookup {

    /** TTL of an answer whose TTL is not known: the resolver's cache uses its default then. */
    long UNKNOWN_TTL = -1;

    /** NAPTR records of a domain. */
    List<Naptr> naptr(String domain);

    /** SRV records of a name like {@code _sip._udp.example.com}. */
    List<Srv> srv(String name);

    /** A and AAAA addresses of a host (empty when none). */
    List<InetAddress> addresses(String host);

    /** {@link #naptr} with the lowest TTL of the records. */
    default Answer<Naptr> naptrAnswer(String domain) {
        return new Answer<>(naptr(domain), UNKNOWN_TTL);
    }

    /** {@link #srv} with the lowest TTL of the records. */
    default Answer<Srv> srvAnswer(String name) {
        return new Answer<>(srv(name), UNKNOWN_TTL);
    }

    /** {@link #addresses} with the lowest TTL of the A and AAAA records. */
    default Answer<InetAddress> addressAnswer(String host) {
        return new Answer<>(addresses(host), UNKNOWN_TTL);
    }

    record Naptr(int order, int preference, String flags, String service, String replacement) {
    }

    record Srv(int priority, int weight, int port, String target) {
    }

    /**
     * Records of one query and how long they may be cached.
     *
     * @param records    the records (empty = a negative answer)
     * @param ttlSeconds the lowest TTL among them, or {@link #UNKNOWN_TTL}; meaningless when empty
     */
    record Answer<T>(List<T> records, long ttlSeconds) {
        public Answer {
            records = List.copyOf(records);
        }
    }
}
