package org.opensipis.sip.dns;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Lookup;
import org.xbill.DNS.NAPTRRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * {@link DnsLookup} over dnsjava with the system's resolver configuration. Blocking; thread-safe.
 * Each query uses a temporary dnsjava cache, so the TTLs reported are those the resolver served
 * (already counted down by a recursive resolver) and the only cache is the engine's, which
 * honours them.
 */
public final class DnsjavaLookup implements DnsLookup {

    private final Resolver resolver;

    /** With the system's resolvers. */
    public DnsjavaLookup() {
        this(null);
    }

    /** With the given resolver (tests); null = dnsjava's default. */
    DnsjavaLookup(Resolver resolver) {
        this.resolver = resolver;
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

    @Override
    public Answer<Naptr> naptrAnswer(String domain) {
        List<Naptr> out = new ArrayList<>();
        Record[] rs = query(domain, Type.NAPTR);
        for (Record r : rs) {
            NAPTRRecord n = (NAPTRRecord) r;
            out.add(new Naptr(n.getOrder(), n.getPreference(), n.getFlags(), n.getService(), n.getReplacement().toString()));
        }
        return new Answer<>(out, minTtl(rs, UNKNOWN_TTL));
    }

    @Override
    public Answer<Srv> srvAnswer(String name) {
        List<Srv> out = new ArrayList<>();
        Record[] rs = query(name, Type.SRV);
        for (Record r : rs) {
            SRVRecord s = (SRVRecord) r;
            out.add(new Srv(s.getPriority(), s.getWeight(), s.getPort(), s.getTarget().toString()));
        }
        return new Answer<>(out, minTtl(rs, UNKNOWN_TTL));
    }

    @Override
    public Answer<InetAddress> addressAnswer(String host) {
        if (Rfc3263Resolver.isIpLiteral(host)) {
            try {
                return new Answer<>(List.of(InetAddress.getByName(host)), UNKNOWN_TTL);
            } catch (UnknownHostException e) {
                return new Answer<>(List.of(), UNKNOWN_TTL);
            }
        }
        List<InetAddress> out = new ArrayList<>();
        Record[] a = query(host, Type.A);
        for (Record r : a) {
            out.add(((ARecord) r).getAddress());
        }
        Record[] aaaa = query(host, Type.AAAA);
        for (Record r : aaaa) {
            out.add(((AAAARecord) r).getAddress());
        }
        if (out.isEmpty() && host.equalsIgnoreCase("localhost")) {
            out.add(InetAddress.getLoopbackAddress());
        }
        return new Answer<>(out, minTtl(aaaa, minTtl(a, UNKNOWN_TTL)));
    }

    private static long minTtl(Record[] rs, long start) {
        long min = start;
        for (Record r : rs) {
            min = min == UNKNOWN_TTL ? r.getTTL() : Math.min(min, r.getTTL());
        }
        return min;
    }

    private Record[] query(String name, int type) {
        try {
            Lookup l = new Lookup(name, type);
            l.setCache(null); // temporary: TTLs as served, no second cache under the engine's
            if (resolver != null) {
                l.setResolver(resolver);
            }
            Record[] r = l.run();
            return r == null ? new Record[0] : r;
        } catch (TextParseException e) {
            return new Record[0];
        }
    }
}
