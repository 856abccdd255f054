package org.opensipis.sip.message.bench;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.opensipis.sip.message.SipMessage;

/**
 * Parser micro-benchmark: the messages the hot paths read (a REGISTER 200 listing three
 * bindings, a 401 challenge, an INVITE from a proxy, an OPTIONS probe), parsed as datagrams
 * again and again on one thread. Prints the median of 7 rounds in thread CPU ns per message (and
 * wall ns) and the bytes allocated per message. Not a test: run by scripts/bench-parser.sh.
 */
public final class ParserBench {

    private static final String INVITE = "INVITE sip:sABCDEF-01@192.0.2.10:5061 SIP/2.0\r\n"
            + "Via: SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bK776asdhds;rport\r\n"
            + "Via: SIP/2.0/UDP 203.0.113.1:5060;branch=z9hG4bKnashds8;received=203.0.113.1\r\n"
            + "Max-Forwards: 69\r\n"
            + "To: <sip:alice@example.com>\r\n"
            + "From: \"Bob Smith\" <sip:bob@example.org>;tag=1928301774\r\n"
            + "Call-ID: a84b4c76e66710@pc33.example.org\r\n"
            + "CSeq: 314159 INVITE\r\n"
            + "Contact: <sip:bob@203.0.113.1:5060>\r\n"
            + "Record-Route: <sip:198.51.100.7;lr>\r\n"
            + "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, MESSAGE\r\n"
            + "Content-Type: application/sdp\r\n"
            + "Content-Length: 131\r\n\r\n"
            + "v=0\r\no=bob 2890844526 2890844526 IN IP4 203.0.113.1\r\ns=-\r\nc=IN IP4 203.0.113.1\r\n"
            + "t=0 0\r\nm=audio 49172 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";

    private static final String OPTIONS = "OPTIONS sip:sipis@192.0.2.10:5061 SIP/2.0\r\n"
            + "Via: SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bKping1\r\n"
            + "Max-Forwards: 70\r\n"
            + "To: <sip:sipis@192.0.2.10>\r\n"
            + "From: <sip:ping@198.51.100.7>;tag=p1\r\n"
            + "Call-ID: ping-1@198.51.100.7\r\n"
            + "CSeq: 1 OPTIONS\r\n"
            + "Content-Length: 0\r\n\r\n";

    private ParserBench() {
    }

    public static void main(String[] args) throws Exception {
        Path fixtures = Path.of(args.length > 0 ? args[0] : "sipis-sip-wire/src/test/resources/sip");
        long perRound = args.length > 1 ? Long.parseLong(args[1]) : 400_000;
        List<byte[]> messages = new ArrayList<>();
        messages.add(crlf(Files.readString(fixtures.resolve("200-multiple-contacts-compact.txt"))));
        messages.add(crlf(Files.readString(fixtures.resolve("kamailio-401-qop.txt"))));
        messages.add(INVITE.getBytes(StandardCharsets.UTF_8));
        messages.add(OPTIONS.getBytes(StandardCharsets.UTF_8));
        for (byte[] m : messages) {
            SipMessage.parse(m); // each must parse
        }
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long sink = 0;
        for (int i = 0; i < 3; i++) {
            sink += round(messages, perRound); // warm-up: JIT
        }
        double[] ns = new double[7];
        double[] cpu = new double[ns.length];
        long allocated = 0;
        for (int r = 0; r < ns.length; r++) {
            long a0 = threads.getCurrentThreadAllocatedBytes();
            long c0 = threads.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            sink += round(messages, perRound);
            ns[r] = (System.nanoTime() - t0) / (double) perRound;
            cpu[r] = (threads.getCurrentThreadCpuTime() - c0) / (double) perRound;
            allocated += threads.getCurrentThreadAllocatedBytes() - a0;
        }
        Arrays.sort(ns);
        Arrays.sort(cpu);
        // thread CPU time is the steadier figure on a shared machine; wall time includes waiting for a core
        System.out.printf("parse: %.0f ns CPU/message (min %.0f, max %.0f), %.0f ns wall/message, median of %d rounds;"
                        + " %d bytes allocated/message (%d messages/round; sink %d)%n", cpu[cpu.length / 2], cpu[0],
                cpu[cpu.length - 1], ns[ns.length / 2], ns.length, allocated / (ns.length * perRound), perRound, sink & 1);
        System.out.println("load average: " + Files.readString(Path.of("/proc/loadavg")).trim());
    }

    private static long round(List<byte[]> messages, long n) {
        long sink = 0;
        int k = messages.size();
        for (long i = 0; i < n; i++) {
            SipMessage m = SipMessage.parse(messages.get((int) (i % k)));
            sink += m.headerCount();
        }
        return sink;
    }

    /** Fixtures are stored with LF line ends; the wire has CRLF. */
    private static byte[] crlf(String text) {
        return text.replace("\r\n", "\n").replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8);
    }
}
