package org.opensipis.sip.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.NAPTRRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TSIG;

/** dnsjava answers carry their TTLs through to our answers; a canned resolver, no network. */
class DnsjavaLookupTest {

    private final List<Record> zone = new ArrayList<>();
    private final List<String> asked = new ArrayList<>();
    private final DnsjavaLookup lookup = new DnsjavaLookup(new CannedResolver());

    @Test
    void naptrSrvAndAddressAnswersReportTheirLowestTtl() throws Exception {
        Name example = Name.fromString("example.com.");
        zone.add(new NAPTRRecord(example, DClass.IN, 700, 10, 10, "s", "SIP+D2U", "",
                Name.fromString("_sip._udp.example.com.")));
        zone.add(new NAPTRRecord(example, DClass.IN, 650, 20, 10, "s", "SIP+D2T", "",
                Name.fromString("_sip._tcp.example.com.")));
        Name srv = Name.fromString("_sip._udp.example.com.");
        zone.add(new SRVRecord(srv, DClass.IN, 240, 10, 0, 5060, Name.fromString("sip.example.com.")));
        Name host = Name.fromString("sip.example.com.");
        zone.add(new ARecord(host, DClass.IN, 90, InetAddress.getByName("192.0.2.1")));
        zone.add(new AAAARecord(host, DClass.IN, 60, InetAddress.getByName("2001:db8::1")));

        assertThat(lookup.naptrAnswer("example.com").ttlSeconds()).isEqualTo(650);
        assertThat(lookup.naptrAnswer("example.com").records()).hasSize(2);
        assertThat(lookup.srvAnswer("_sip._udp.example.com").ttlSeconds()).isEqualTo(240);
        DnsLookup.Answer<InetAddress> a = lookup.addressAnswer("sip.example.com");
        assertThat(a.records()).hasSize(2);
        assertThat(a.ttlSeconds()).isEqualTo(60);

        Rfc3263Resolver.Resolution r = new Rfc3263Resolver(lookup, new java.util.Random(1))
                .resolveWithTtl("example.com", 0, org.opensipis.core.instance.SipAccount.Transport.UDP);
        assertThat(r.targets()).hasSize(2);
        assertThat(r.ttlSeconds()).isEqualTo(60);
    }

    @Test
    void everyQueryAsksTheResolverSoTheTtlIsNotCountedTwice() throws Exception {
        zone.add(new ARecord(Name.fromString("once.example.com."), DClass.IN, 300, InetAddress.getByName("192.0.2.5")));
        lookup.addressAnswer("once.example.com");
        lookup.addressAnswer("once.example.com");
        assertThat(asked).filteredOn(q -> q.equals("once.example.com./A")).hasSize(2);
    }

    @Test
    void nothingFoundIsAnEmptyAnswer() {
        assertThat(lookup.srvAnswer("_sips._tcp.nowhere.example").records()).isEmpty();
        assertThat(lookup.addressAnswer("nowhere.example").records()).isEmpty();
    }

    /** Answers from {@link #zone}; NXDOMAIN when the name has nothing of that type. */
    private final class CannedResolver implements Resolver {
        @Override
        public CompletionStage<Message> sendAsync(Message query) {
            Record q = query.getQuestion();
            asked.add(q.getName() + "/" + org.xbill.DNS.Type.string(q.getType()));
            Message m = new Message(query.getHeader().getID());
            m.getHeader().setFlag(Flags.QR);
            m.getHeader().setFlag(Flags.RA);
            m.addRecord(q, Section.QUESTION);
            for (Record r : zone) {
                if (r.getName().equals(q.getName()) && r.getType() == q.getType()) {
                    m.addRecord(r, Section.ANSWER);
                }
            }
            if (m.getSection(Section.ANSWER).isEmpty()) {
                m.getHeader().setRcode(Rcode.NXDOMAIN);
            }
            return CompletableFuture.completedFuture(m);
        }

        @Override
        public CompletionStage<Message> sendAsync(Message query, Executor executor) {
            return sendAsync(query);
        }

        @Override
        public void setPort(int port) {
        }

        @Override
        public void setTCP(boolean flag) {
        }

        @Override
        public void setIgnoreTruncation(boolean flag) {
        }

        @Override
        public void setEDNS(int version, int payloadSize, int flags, List<EDNSOption> options) {
        }

        @Override
        public void setTSIGKey(TSIG key) {
        }

        @Override
        public void setTimeout(Duration timeout) {
        }
    }
}
