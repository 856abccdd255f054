package org.opensipis.sip.call;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import org.opensipis.core.call.InMemoryCallLog;
import org.opensipis.core.instance.DeviceToken;
import org.opensipis.core.instance.InstanceRecord;
import org.opensipis.core.instance.SipAccount;
import org.opensipis.core.settings.IncomingCallSettings;
import org.opensipis.core.settings.RejectWith;
import org.opensipis.core.settings.Secret;
import org.opensipis.core.settings.TextMessageFilter;
import org.opensipis.core.testing.FakeClock;
import org.opensipis.sip.owner.ManualOwner;

/** IncomingRequests on a manual owner and a fake clock, with fake push and peers. */
final class CallHarness {

    static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
    static final Duration T1 = Duration.ofSeconds(120);
    static final Duration T2 = Duration.ofSeconds(60);

    final FakeClock clock = new FakeClock(START);
    final ManualOwner owner = new ManualOwner(clock);
    final FakePush push = new FakePush();
    final InMemoryCallLog log = new InMemoryCallLog();
    final Map<String, InstanceRecord> instances = new ConcurrentHashMap<>();
    final IncomingRequests incoming;

    CallHarness(int maxPending) {
        CallConfig cfg = new CallConfig(new IncomingCallSettings(T1, T2, new RejectWith(480, "Nobody Home")),
                defaultFilters(), "SIPIS-test/1.0", Optional.of("10.0.0.7"), clock, new Random(3), 500, maxPending, 7);
        Directory dir = user -> {
            if (!user.startsWith("s")) {
                return Optional.empty();
            }
            InstanceRecord r = instances.get(user.substring(1));
            return r == null ? Optional.empty() : Optional.of(new Directory.Callee(r.selector(), r, owner));
        };
        incoming = new IncomingRequests(cfg, dir, push, log, IncomingListener.NONE);
    }

    CallHarness() {
        this(100);
    }

    static List<TextMessageFilter> defaultFilters() {
        return List.of(
                new TextMessageFilter(TextMessageFilter.Action.ACCEPT_AND_DROP, true, "Content-Type",
                        TextMessageFilter.Condition.EQUAL, "application/im-iscomposing+xml", Optional.empty()),
                new TextMessageFilter(TextMessageFilter.Action.ACCEPT_AND_DO_NOT_PUSH, true, "Content-Type",
                        TextMessageFilter.Condition.CONTAINS, ";imdn", Optional.empty()),
                new TextMessageFilter(TextMessageFilter.Action.REJECT, true, "Content-Length",
                        TextMessageFilter.Condition.UINT_GT, "4194304",
                        Optional.of(new RejectWith(413, "Request Entity Too Large"))));
    }

    void add(String selector, DeviceToken... tokens) {
        SipAccount a = new SipAccount("alice", "alice", Secret.of("pw"), "example.org", Optional.empty(), 0,
                SipAccount.Transport.UDP, "Alice", Optional.empty());
        instances.put(selector, new InstanceRecord(selector, "com.example.app", false, a, Secret.of("s"),
                List.of(tokens), START, false));
    }

    static DeviceToken token(DeviceToken.Platform p, DeviceToken.Kind k, String t) {
        return new DeviceToken(p, k, "com.example.app", t, START);
    }

    /** As the transport does: parses, answers what the wire layer refuses, hands the rest on. */
    void receive(String text, Peer peer) {
        org.opensipis.sip.message.SipMessage m;
        try {
            m = org.opensipis.sip.message.SipMessage.parse(text);
        } catch (org.opensipis.sip.message.SipParseException e) {
            byte[] answer = org.opensipis.sip.message.WireResponses.error(e);
            if (answer != null) {
                peer.send(answer);
            }
            return;
        }
        incoming.receive(m, peer);
        owner.runReady();
    }

    void advance(Duration d) {
        owner.advance(d);
    }

    static String invite(String selector, String callId, String branch) {
        return "INVITE sip:s" + selector + "@127.0.0.1:5099 SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=" + branch + "\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKcaller;rport\r\n"
                + "Record-Route: <sip:127.0.0.1:5060;lr>\r\n"
                + "From: \"Bob Caller\" <sip:bob@example.org>;tag=from1\r\n"
                + "To: <sip:alice@example.org>\r\n"
                + "Call-ID: " + callId + "\r\n"
                + "CSeq: 1 INVITE\r\n"
                + "Contact: <sip:bob@127.0.0.1:5070>\r\n"
                + "Max-Forwards: 69\r\n"
                + "Content-Type: application/sdp\r\n"
                + "Content-Length: 4\r\n\r\nv=0\n";
    }

    static String cancel(String selector, String callId, String branch, String reason) {
        return "CANCEL sip:s" + selector + "@127.0.0.1:5099 SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=" + branch + "\r\n"
                + "From: \"Bob Caller\" <sip:bob@example.org>;tag=from1\r\n"
                + "To: <sip:alice@example.org>\r\n"
                + "Call-ID: " + callId + "\r\n"
                + "CSeq: 1 CANCEL\r\n"
                + (reason == null ? "" : "Reason: " + reason + "\r\n")
                + "Max-Forwards: 69\r\n"
                + "Content-Length: 0\r\n\r\n";
    }

    static String ack(String selector, String callId, String branch, String toTag) {
        return "ACK sip:s" + selector + "@127.0.0.1:5099 SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=" + branch + "\r\n"
                + "From: \"Bob Caller\" <sip:bob@example.org>;tag=from1\r\n"
                + "To: <sip:alice@example.org>;tag=" + toTag + "\r\n"
                + "Call-ID: " + callId + "\r\n"
                + "CSeq: 1 ACK\r\n"
                + "Max-Forwards: 69\r\n"
                + "Content-Length: 0\r\n\r\n";
    }

    static String message(String selector, String branch, String contentType, String body, String contentLength) {
        return "MESSAGE sip:s" + selector + "@127.0.0.1:5099 SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=" + branch + "\r\n"
                + "From: \"Bob\" <sip:bob@example.org>;tag=m1\r\n"
                + "To: <sip:alice@example.org>\r\n"
                + "Call-ID: msg-" + branch + "\r\n"
                + "CSeq: 1 MESSAGE\r\n"
                + "Max-Forwards: 69\r\n"
                + "Content-Type: " + contentType + "\r\n"
                + "Content-Length: " + (contentLength != null ? contentLength : Integer.toString(body.length()))
                + "\r\n\r\n" + body;
    }
}
