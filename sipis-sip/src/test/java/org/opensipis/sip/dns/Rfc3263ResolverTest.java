package org.opensipis.sip.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.opensipis.core.instance.SipAccount.Transport;

/** RFC 3263 resolution against a hand-written DNS fake (no network). */
class Rfc3263ResolverTest {

    private final FakeDns dns = new FakeDns();
    private final Rfc3263Resolver resolver = new Rfc3263Resolver(dns, new Random(1));

    @Test
    void naptrLeadsToSrvLeadsToAddressesInPriorityOrder() throws Exception {
        dns.naptr.put("example.com", List.of(
                new DnsLookup.Naptr(10, 10, "s", "SIPS+D2T", "_sips._tcp.example.com."),
                new DnsLookup.Naptr(20, 10, "s", "SIP+D2U", "_sip._udp.example.com.")));
        dns.srv.put("_sip._udp.example.com", List.of(
                new DnsLookup.Srv(20, 0, 5070, "backup.example.com."),
                new DnsLookup.Srv(10, 0, 5060, "main.example.com.")));
        dns.addr("main.example.com", "192.0.2.1", "2001:db8::1");
        dns.addr("backup.example.com", "192.0.2.2");
        List<Target> t = resolver.resolve("example.com", 0, Transport.UDP);
        assertThat(t).extracting(x -> x.address().getAddress().getHostAddress() + ":" + x.address().getPort())
                .containsExactly("192.0.2.1:5060", "2001:db8:0:0:0:0:0:1:5060", "192.0.2.2:5070");
        assertThat(t.get(0).serverName()).isEqualTo("main.example.com");
    }

    @Test
    void withoutNaptrTheTransportsSrvNameIsUsed() throws Exception {
        dns.srv.put("_sips._tcp.example.org", List.of(new DnsLookup.Srv(0, 0, 5061, "tls.example.org")));
        dns.addr("tls.example.org", "192.0.2.9");
        assertThat(resolver.resolve("example.org", 0, Transport.TLS)).singleElement()
                .satisfies(x -> assertThat(x.address().getPort()).isEqualTo(5061));
    }

    @Test
    void withoutSrvTheHostsAddressesOnTheDefaultPort() throws Exception {
        dns.addr("plain.example.net", "192.0.2.7");
        assertThat(resolver.resolve("plain.example.net", 0, Transport.TCP)).singleElement()
                .satisfies(x -> assertThat(x.address().getPort()).isEqualTo(5060));
    }

    @Test
    void explicitPortOrIpLiteralBypassesNaptrAndSrv() throws Exception {
        dns.srv.put("_sip._udp.proxy.example.com", List.of(new DnsLookup.Srv(0, 0, 9999, "elsewhere")));
        dns.addr("proxy.example.com", "192.0.2.3");
        assertThat(resolver.resolve("proxy.example.com", 5080, Transport.UDP)).singleElement()
                .satisfies(x -> assertThat(x.address().getPort()).isEqualTo(5080));
        assertThat(resolver.resolve("127.0.0.1", 0, Transport.UDP)).singleElement()
                .satisfies(x -> assertThat(x.address().getPort()).isEqualTo(5060));
        assertThat(dns.queries).doesNotContain("srv:_sip._udp.proxy.example.com");
    }

    @Test
    void aFakeWithoutTtlsGivesAnUnknownTtlAndAnIpLiteralNeedsNoDns() throws Exception {
        dns.addr("plain.example.net", "192.0.2.7");
        assertThat(resolver.resolveWithTtl("plain.example.net", 0, Transport.UDP).ttlSeconds())
                .isEqualTo(DnsLookup.UNKNOWN_TTL);
        assertThat(resolver.resolveWithTtl("192.0.2.8", 0, Transport.UDP).ttlSeconds())
                .isEqualTo(Rfc3263Resolver.Resolution.NO_DNS);
    }

    @Test
    void weightedChoiceKeepsEveryTargetOnce() {
        List<DnsLookup.Srv> in = List.of(new DnsLookup.Srv(1, 60, 1, "a"), new DnsLookup.Srv(1, 30, 2, "b"),
                new DnsLookup.Srv(1, 10, 3, "c"), new DnsLookup.Srv(1, 0, 4, "."));
        assertThat(resolver.orderSrv(in)).extracting(DnsLookup.Srv::target).containsExactlyInAnyOrder("a", "b", "c");
    }

    private static final class FakeDns implements DnsLookup {
        final Map<String, List<Naptr>> naptr = new HashMap<>();
        final Map<String, List<Srv>> srv = new HashMap<>();
        final Map<String, List<InetAddress>> addresses = new HashMap<>();
        final List<String> queries = new ArrayList<>();

        void addr(String host, String... ips) throws UnknownHostException {
            List<InetAddress> l = new ArrayList<>();
            for (String ip : ips) {
                l.add(InetAddress.getByName(ip));
            }
            addresses.put(host, l);
        }

        @Override
        public List<Naptr> naptr(String domain) {
            queries.add("naptr:" + domain);
            return naptr.getOrDefault(domain, List.of());
        }

        @Override
        public List<Srv> srv(String name) {
            queries.add("srv:" + name);
            return srv.getOrDefault(name, List.of());
        }

        @Override
        public List<InetAddress> addresses(String host) {
            queries.add("a:" + host);
            if (host.equals("127.0.0.1")) {
                return List.of(InetAddress.getLoopbackAddress());
            }
            return addresses.getOrDefault(host, List.of());
        }
    }
}
