package org.opensipis.sip.registration;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.opensipis.core.instance.SipAccount;
import org.opensipis.core.instance.SipAccount.Transport;
import org.opensipis.core.settings.Secret;
import org.opensipis.core.testing.FakeClock;
import org.opensipis.sip.dns.DnsLookup;
import org.opensipis.sip.dns.Rfc3263Resolver;
import org.opensipis.sip.dns.Target;

/** The target cache honours the chain's DNS TTL within its bounds; a fake clock and a fake DNS. */
class TargetsTest {

    private final FakeClock clock = new FakeClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final TtlDns dns = new TtlDns();
    private final List<Runnable> pending = new ArrayList<>();
    private boolean queueLookups;
    private final Targets targets = new Targets(new Rfc3263Resolver(dns, new Random(1)),
            r -> {
                if (queueLookups) {
                    pending.add(r);
                } else {
                    r.run();
                }
            }, clock, org.opensipis.core.abuse.TargetPolicy.defaults());

    @Test
    void theLowestTtlOfTheNaptrSrvAddressChainDecides() throws Exception {
        dns.naptr("example.com", 600, new DnsLookup.Naptr(10, 10, "s", "SIP+D2U", "_sip._udp.example.com."));
        dns.srv("_sip._udp.example.com", 120, new DnsLookup.Srv(10, 0, 5060, "sip.example.com."));
        dns.addr("sip.example.com", 900, "192.0.2.1");
        assertThat(ips(targets.resolve(account("example.com", 0)))).containsExactly("192.0.2.1:5060");
        int queries = dns.queries.size();

        dns.addr("sip.example.com", 900, "192.0.2.2"); // the zone changes; we keep the answer for 120 s
        clock.advance(Duration.ofSeconds(119));
        assertThat(ips(targets.resolve(account("example.com", 0)))).containsExactly("192.0.2.1:5060");
        assertThat(dns.queries).hasSize(queries);

        clock.advance(Duration.ofSeconds(1));
        assertThat(ips(targets.resolve(account("example.com", 0)))).containsExactly("192.0.2.2:5060");
        assertThat(dns.queries).hasSize(2 * queries);
    }

    @Test
    void aShortAddressTtlWinsOverLongSrvAndNaptrTtls() throws Exception {
        dns.srv("_sip._tcp.example.org", 3000, new DnsLookup.Srv(1, 0, 5060, "a.example.org"),
                new DnsLookup.Srv(2, 0, 5060, "b.example.org"));
        dns.addr("a.example.org", 3000, "192.0.2.10");
        dns.addr("b.example.org", 45, "192.0.2.11");
        assertThat(cachedFor("example.org", 0, Transport.TCP)).isEqualTo(Duration.ofSeconds(45));
    }

    @Test
    void tinyTtlsAreRaisedToTheMinimumAndHugeOnesCappedAtTheMaximum() throws Exception {
        dns.addr("tiny.example.net", 1, "192.0.2.20");
        dns.addr("huge.example.net", 86_400, "192.0.2.21");
        assertThat(cachedFor("tiny.example.net", 5060, Transport.UDP)).isEqualTo(Duration.ofSeconds(30));
        assertThat(cachedFor("huge.example.net", 5060, Transport.UDP)).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void anUnknownTtlIsKeptFiveMinutesAndAnIpLiteralAnHour() throws Exception {
        dns.addr("legacy.example.net", DnsLookup.UNKNOWN_TTL, "192.0.2.30");
        assertThat(cachedFor("legacy.example.net", 5060, Transport.UDP)).isEqualTo(Duration.ofMinutes(5));
        assertThat(cachedFor("192.0.2.31", 0, Transport.UDP)).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void noAddressIsCachedShortlyThenAskedAgain() throws Exception {
        CompletableFuture<List<Target>> failed = targets.resolve(account("missing.example.net", 0));
        assertThat(failed).isCompletedExceptionally();
        assertThat(failed.handle((v, e) -> e.getCause().getMessage()).join())
                .isEqualTo("DNS: no address for registrar missing.example.net (UDP)");
        int queries = dns.queries.size();

        dns.addr("missing.example.net", 600, "192.0.2.40");
        clock.advance(Duration.ofSeconds(29));
        assertThat(targets.resolve(account("missing.example.net", 0))).isSameAs(failed);
        assertThat(dns.queries).hasSize(queries);

        clock.advance(Duration.ofSeconds(1));
        assertThat(ips(targets.resolve(account("missing.example.net", 0)))).containsExactly("192.0.2.40:5060");
    }

    @Test
    void aLookupInFlightIsSharedWhateverTheClockSays() throws Exception {
        dns.addr("slow.example.net", 60, "192.0.2.50");
        queueLookups = true;
        CompletableFuture<List<Target>> first = targets.resolve(account("slow.example.net", 5060));
        clock.advance(Duration.ofHours(2));
        assertThat(targets.resolve(account("slow.example.net", 5060))).isSameAs(first);
        assertThat(pending).hasSize(1);
        pending.remove(0).run();
        assertThat(ips(first)).containsExactly("192.0.2.50:5060");
        // the TTL counts from when the answer came, not from when it was asked
        clock.advance(Duration.ofSeconds(59));
        assertThat(targets.resolve(account("slow.example.net", 5060))).isSameAs(first);
        clock.advance(Duration.ofSeconds(1));
        assertThat(targets.resolve(account("slow.example.net", 5060))).isNotSameAs(first);
    }

    @Test
    void boundsAreThoseDocumented() {
        assertThat(Targets.cacheSeconds(DnsLookup.UNKNOWN_TTL)).isEqualTo(300);
        assertThat(Targets.cacheSeconds(0)).isEqualTo(30);
        assertThat(Targets.cacheSeconds(29)).isEqualTo(30);
        assertThat(Targets.cacheSeconds(31)).isEqualTo(31);
        assertThat(Targets.cacheSeconds(3601)).isEqualTo(3600);
        assertThat(Targets.cacheSeconds(Rfc3263Resolver.Resolution.NO_DNS)).isEqualTo(3600);
        assertThat(Targets.NEGATIVE_TTL_SECONDS).isEqualTo(30);
    }

    /** How long the first resolution of this registrar is served from the cache. */
    private Duration cachedFor(String host, int port, Transport t) {
        CompletableFuture<List<Target>> first = targets.resolve(account(host, port, t));
        assertThat(first).isCompleted();
        long seconds = 0;
        while (targets.resolve(account(host, port, t)) == first) {
            clock.advance(Duration.ofSeconds(1));
            seconds++;
        }
        return Duration.ofSeconds(seconds);
    }

    private static List<String> ips(CompletableFuture<List<Target>> f) {
        return f.join().stream().map(x -> x.address().getAddress().getHostAddress() + ":" + x.address().getPort()).toList();
    }

    private static SipAccount account(String host, int port) {
        return account(host, port, Transport.UDP);
    }

    private static SipAccount account(String host, int port, Transport t) {
        return new SipAccount("alice", "alice", Secret.of("pw"), "example.com", Optional.of(host), port, t, "Alice",
                Optional.empty());
    }

    /** A DNS fake that tells TTLs, implementing the plain queries too (as older fakes do). */
    private static final class TtlDns implements DnsLookup {
        final Map<String, Answer<Naptr>> naptr = new HashMap<>();
        final Map<String, Answer<Srv>> srv = new HashMap<>();
        final Map<String, Answer<InetAddress>> addresses = new HashMap<>();
        final List<String> queries = new ArrayList<>();

        void naptr(String domain, long ttl, Naptr... records) {
            naptr.put(domain, new Answer<>(List.of(records), ttl));
        }

        void srv(String name, long ttl, Srv... records) {
            srv.put(name, new Answer<>(List.of(records), ttl));
        }

        void addr(String host, long ttl, String... ips) throws UnknownHostException {
            List<InetAddress> l = new ArrayList<>();
            for (String ip : ips) {
                l.add(InetAddress.getByName(ip));
            }
            addresses.put(host, new Answer<>(l, ttl));
        }

        @Override
        public Answer<Naptr> naptrAnswer(String domain) {
            queries.add("naptr:" + domain);
            return naptr.getOrDefault(domain, new Answer<>(List.of(), UNKNOWN_TTL));
        }

        @Override
        public Answer<Srv> srvAnswer(String name) {
            queries.add("srv:" + name);
            return srv.getOrDefault(name, new Answer<>(List.of(), UNKNOWN_TTL));
        }

        @Override
        public Answer<InetAddress> addressAnswer(String host) {
            queries.add("a:" + host);
            if (host.startsWith("192.0.2.")) {
                try {
                    return new Answer<>(List.of(InetAddress.getByName(host)), UNKNOWN_TTL);
                } catch (UnknownHostException e) {
                    throw new IllegalStateException(e);
                }
            }
            return addresses.getOrDefault(host, new Answer<>(List.of(), UNKNOWN_TTL));
        }

        @Override
        public List<Naptr> naptr(String domain) {
            return naptrAnswer(domain).records();
        }

        @Override
        public List<Srv> srv(String name) {
            return srvAnswer(name).records();
        }

        @Override
        public List<InetAddress> addresses(String host) {
            return addressAnswer(host).records();
        }
    }
}
