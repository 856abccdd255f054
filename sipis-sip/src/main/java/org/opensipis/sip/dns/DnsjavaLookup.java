package org.opensipis.sip.dns;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.Lookup;
import org.xbill.DNS.NAPTRRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/** {@link DnsLookup} over dnsjava with the system's resolver configuration. Blocking; thread-safe. */
public final class DnsjavaLookup implements DnsLookup {

    @Override
    public List<Naptr> naptr(String domain) {
        List<Naptr> out = new ArrayList<>();
        for (Record r : query(domain, Type.NAPTR)) {
            NAPTRRecord n = (NAPTRRecord) r;
            out.add(new Naptr(n.getOrder(), n.getPreference(), n.getFlags(), n.getService(), n.getReplacement().toString()));
        }
        return out;
    }

    @Override
    public List<Srv> srv(String name) {
        List<Srv> out = new ArrayList<>();
        for (Record r : query(name, Type.SRV)) {
            SRVRecord s = (SRVRecord) r;
            out.add(new Srv(s.getPriority(), s.getWeight(), s.getPort(), s.getTarget().toString()));
        }
        return out;
    }

    @Override
    public List<InetAddress> addresses(String host) {
        if (Rfc3263Resolver.isIpLiteral(host)) {
            try {
                return List.of(InetAddress.getByName(host));
            } catch (UnknownHostException e) {
                return List.of();
            }
        }
        List<InetAddress> out = new ArrayList<>();
        for (Record r : query(host, Type.A)) {
            out.add(((ARecord) r).getAddress());
        }
        for (Record r : query(host, Type.AAAA)) {
            out.add(((AAAARecord) r).getAddress());
        }
        if (out.isEmpty() && host.equalsIgnoreCase("localhost")) {
            out.add(InetAddress.getLoopbackAddress());
        }
        return out;
    }

    private static Record[] query(String name, int type) {
        try {
            Record[] r = new Lookup(name, type).run();
            return r == null ? new Record[0] : r;
        } catch (TextParseException e) {
            return new Record[0];
        }
    }
}
