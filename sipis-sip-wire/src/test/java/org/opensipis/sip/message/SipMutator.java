package org.opensipis.sip.message;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Seeded mutations of SIP messages for fuzz tests (test code): bit flips, truncation, huge and
 * duplicated headers, bad Content-Length, NUL and non-UTF-8 bytes, CRLF games and 64 KB bodies,
 * applied to the valid RFC 4475 messages and to typical INVITE/REGISTER/MESSAGE requests.
 */
public final class SipMutator {

    /** Mutation kinds, for reports. */
    public enum Kind { BIT_FLIP, TRUNCATE, HUGE_HEADER, DUPLICATE_HEADER, BAD_CONTENT_LENGTH, NUL, NON_UTF8,
        CRLF_GAMES, BIG_BODY, RANDOM_BYTES, DROP_HEADER, VALID }

    /** One mutated message and how it was made. */
    public record Mutation(Kind kind, byte[] bytes) {
        public String text() {
            return new String(bytes, StandardCharsets.ISO_8859_1);
        }
    }

    private final List<String> seeds = new ArrayList<>();

    /** @param extraSeeds messages of the system under test (e.g. an INVITE to a known instance) */
    public SipMutator(List<String> extraSeeds) {
        for (Rfc4475.Case c : Rfc4475.CASES) {
            if (c.parse() == Rfc4475.Parse.VALID) {
                seeds.add(new String(c.bytes(), StandardCharsets.ISO_8859_1));
            }
        }
        seeds.addAll(extraSeeds);
        seeds.add(request("INVITE", "sip:sABCDEF01@127.0.0.1:5060", "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"));
        seeds.add(request("REGISTER", "sip:sipis.example.com", ""));
        seeds.add(request("MESSAGE", "sip:sABCDEF01@127.0.0.1", "hello"));
        seeds.add("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKr\r\nFrom: <sip:a@b>;tag=1\r\n"
                + "To: <sip:a@b>;tag=2\r\nCall-ID: r@x\r\nCSeq: 1 REGISTER\r\nContact: <sip:s1@127.0.0.1>;expires=60\r\n"
                + "Content-Length: 0\r\n\r\n");
    }

    static String request(String method, String uri, String body) {
        return method + " " + uri + " SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKfz;rport\r\n"
                + "From: \"Fuzz\" <sip:fuzz@example.org>;tag=f1\r\nTo: <sip:alice@example.org>\r\nCall-ID: fz@x\r\n"
                + "CSeq: 1 " + method + "\r\nMax-Forwards: 70\r\nContact: <sip:fuzz@127.0.0.1:5070>\r\n"
                + (body.isEmpty() ? "" : "Content-Type: text/plain\r\n") + "Content-Length: " + body.length() + "\r\n\r\n"
                + body;
    }

    public Mutation next(Random rnd) {
        String seed = seeds.get(rnd.nextInt(seeds.size()));
        byte[] b = seed.getBytes(StandardCharsets.ISO_8859_1);
        Kind kind = Kind.values()[rnd.nextInt(Kind.values().length)];
        switch (kind) {
            case BIT_FLIP:
                for (int i = 1 + rnd.nextInt(4); i > 0; i--) {
                    int at = rnd.nextInt(b.length);
                    b[at] ^= (byte) (1 << rnd.nextInt(8));
                }
                return new Mutation(kind, b);
            case TRUNCATE:
                return new Mutation(kind, java.util.Arrays.copyOf(b, rnd.nextInt(b.length)));
            case HUGE_HEADER:
                return new Mutation(kind, insertLine(seed, rnd, "X-Huge: " + "h".repeat(1000 + rnd.nextInt(40_000))));
            case DUPLICATE_HEADER: {
                List<String> lines = headerLines(seed);
                String line = lines.get(rnd.nextInt(lines.size()));
                int times = 1 + rnd.nextInt(rnd.nextInt(10) == 0 ? 200 : 3);
                return new Mutation(kind, insertLine(seed, rnd, (line + "\r\n").repeat(times).trim()));
            }
            case BAD_CONTENT_LENGTH: {
                String[] bad = {"-1", "-999", "99999", "4294967296", "abc", "", "1 2", "0x10", "00000000000000000001",
                    Integer.toString(rnd.nextInt(500))};
                String v = bad[rnd.nextInt(bad.length)];
                String s = seed.replaceAll("(?im)^(Content-Length|l)[ \\t]*:[^\\r\\n]*", "Content-Length: " + v);
                if (s.equals(seed)) {
                    return new Mutation(kind, insertLine(seed, rnd, "Content-Length: " + v));
                }
                return new Mutation(kind, s.getBytes(StandardCharsets.ISO_8859_1));
            }
            case NUL:
                return new Mutation(kind, insertByte(b, rnd, (byte) 0));
            case NON_UTF8:
                return new Mutation(kind, insertByte(b, rnd, (byte) (0x80 + rnd.nextInt(0x7f))));
            case CRLF_GAMES: {
                String[] from = {"\r\n", "\r\n", "\r\n\r\n", ":"};
                String[] to = {"\n", "\r", "\r\n\r\n", "\r\n"};
                int g = rnd.nextInt(from.length + 2);
                if (g == from.length) {
                    return new Mutation(kind, ("\r\n".repeat(1 + rnd.nextInt(5)) + seed).getBytes(StandardCharsets.ISO_8859_1));
                }
                if (g == from.length + 1) {
                    return new Mutation(kind, seed.replace("\r\n", "\n").getBytes(StandardCharsets.ISO_8859_1));
                }
                return new Mutation(kind, replaceOne(seed, rnd, from[g], to[g]).getBytes(StandardCharsets.ISO_8859_1));
            }
            case BIG_BODY: {
                int n = 60_000 + rnd.nextInt(5_000);
                String s = seed.replaceAll("(?im)^(Content-Length|l)[ \\t]*:[^\\r\\n]*", "Content-Length: " + n);
                int blank = s.indexOf("\r\n\r\n");
                String head = blank < 0 ? s : s.substring(0, blank + 4);
                return new Mutation(kind, (head + "b".repeat(n)).getBytes(StandardCharsets.ISO_8859_1));
            }
            case RANDOM_BYTES: {
                byte[] r = new byte[rnd.nextInt(400)];
                rnd.nextBytes(r);
                return new Mutation(kind, r);
            }
            case DROP_HEADER: {
                List<String> lines = headerLines(seed);
                String line = lines.get(rnd.nextInt(lines.size()));
                return new Mutation(kind, seed.replace(line + "\r\n", "").getBytes(StandardCharsets.ISO_8859_1));
            }
            default:
                return new Mutation(Kind.VALID, b);
        }
    }

    private static List<String> headerLines(String seed) {
        int blank = seed.indexOf("\r\n\r\n");
        String head = blank < 0 ? seed : seed.substring(0, blank);
        String[] lines = head.split("\r\n");
        List<String> out = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            out.add(lines[i]);
        }
        if (out.isEmpty()) {
            out.add(lines[0]);
        }
        return out;
    }

    private static byte[] insertLine(String seed, Random rnd, String line) {
        List<Integer> starts = new ArrayList<>();
        int blank = seed.indexOf("\r\n\r\n");
        int end = blank < 0 ? seed.length() : blank;
        for (int i = seed.indexOf("\r\n"); i >= 0 && i < end; i = seed.indexOf("\r\n", i + 2)) {
            starts.add(i + 2);
        }
        int at = starts.isEmpty() ? seed.length() : starts.get(rnd.nextInt(starts.size()));
        return (seed.substring(0, at) + line + "\r\n" + seed.substring(at)).getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] insertByte(byte[] b, Random rnd, byte v) {
        int at = rnd.nextInt(b.length + 1);
        ByteArrayOutputStream out = new ByteArrayOutputStream(b.length + 1);
        out.write(b, 0, at);
        out.write(v);
        out.write(b, at, b.length - at);
        return out.toByteArray();
    }

    private static String replaceOne(String s, Random rnd, String from, String to) {
        List<Integer> at = new ArrayList<>();
        for (int i = s.indexOf(from); i >= 0; i = s.indexOf(from, i + 1)) {
            at.add(i);
        }
        if (at.isEmpty()) {
            return s;
        }
        int i = at.get(rnd.nextInt(at.size()));
        return s.substring(0, i) + to + s.substring(i + from.length());
    }
}
