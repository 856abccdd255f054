package org.opensipis.sip.incoming.text;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.opensipis.core.call.CallLog;
import org.opensipis.core.call.TextMessage;
import org.opensipis.core.instance.DeviceToken;
import org.opensipis.core.instance.InstanceRecord;
import org.opensipis.core.push.PushRequest;
import org.opensipis.core.push.PushService;
import org.opensipis.core.push.Verb;
import org.opensipis.core.settings.TextMessageFilter;
import org.opensipis.sip.message.HeaderParams;
import org.opensipis.sip.message.Printable;
import org.opensipis.sip.message.SipMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides what happens to a MESSAGE for an instance: the first matching
 * {@code IncomingTextMessage} filter wins (AcceptAndDrop → 200, nothing kept;
 * AcceptAndDoNotPush → stored, 202; Reject → its code); with no match the message is stored
 * as undelivered, answered 202 Accepted, and every notice token of the instance is pushed
 * with the text and the new badge.
 */
public final class TextMessages {

    private static final Logger LOG = LoggerFactory.getLogger(TextMessages.class);
    private static final int PUSH_TEXT_MAX = 200;
    private static final List<String> KEPT_HEADERS = List.of("date", "subject", "imdn-message-id",
            "disposition-notification", "p-asserted-identity");

    /**
     * What to answer.
     *
     * @param code    the final response code
     * @param phrase  its reason phrase
     * @param outcome for counters: stored-and-pushed, stored-not-pushed, dropped, rejected, failed
     */
    public record Reply(int code, String phrase, String outcome) {
    }

    private final List<TextMessageFilter> filters;
    private final PushService push;
    private final CallLog log;
    private final Clock clock;

    public TextMessages(List<TextMessageFilter> filters, PushService push, CallLog log, Clock clock) {
        this.filters = List.copyOf(filters);
        this.push = Objects.requireNonNull(push, "push");
        this.log = Objects.requireNonNull(log, "log");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Handles one MESSAGE for an instance. The future completes with the reply once the message
     * is stored (pushes go on in the background); it never completes exceptionally.
     */
    public CompletableFuture<Reply> handle(InstanceRecord instance, SipMessage m) {
        TextMessageFilter.Action action = null;
        TextMessageFilter matched = null;
        for (TextMessageFilter f : filters) {
            if (f.matches(name -> header(m, name))) {
                action = f.action();
                matched = f;
                break;
            }
        }
        if (action == TextMessageFilter.Action.ACCEPT_AND_DROP) {
            return CompletableFuture.completedFuture(new Reply(200, "OK", "dropped"));
        }
        if (action == TextMessageFilter.Action.REJECT) {
            var rw = matched.rejectWith().orElse(new org.opensipis.core.settings.RejectWith(403, "Forbidden"));
            return CompletableFuture.completedFuture(new Reply(rw.code(), rw.phrase(), "rejected"));
        }
        boolean pushIt = action == null;
        String selector = instance.selector();
        Instant now = clock.instant();
        String contentType = m.header("content-type").orElse("");
        // no control character reaches the database raw (PostgreSQL refuses NUL; the wire refuses raw
        // ones, but RFC 3261 allows them as quoted-pairs, and a body is opaque)
        TextMessage tm = new TextMessage(m.callId() + ":" + m.cseq(), Printable.escapeKeepingLines(m.header("from").orElse("")),
                Printable.escapeKeepingLines(contentType), Printable.escapeKeepingLines(m.body()), keptHeaders(m), now);
        return log.recordTextMessage(selector, tm).handle((badge, e) -> {
            if (e != null) {
                LOG.warn("Could not store text message {} for {}: {}", tm.msgId(), selector, e.toString());
                return new Reply(500, "Server Internal Error", "failed");
            }
            if (pushIt) {
                pushAll(instance, m, badge, now);
                return new Reply(202, "Accepted", "stored-and-pushed");
            }
            return new Reply(202, "Accepted", "stored-not-pushed");
        });
    }

    private void pushAll(InstanceRecord instance, SipMessage m, int badge, Instant now) {
        String from = m.header("from").orElse("");
        String text = previewText(m);
        for (DeviceToken token : org.opensipis.sip.call.Tokens.forNotice(instance.tokens())) {
            PushRequest.Builder b = PushRequest.builder(instance.selector(), token, Verb.TEXT_MESSAGE, now)
                    .callId(m.callId()).callerUri(HeaderParams.uri(from)).badge(badge).deadline(now.plusSeconds(60));
            int lt = from.indexOf('<');
            if (lt > 0) {
                String name = HeaderParams.unquote(from.substring(0, lt).trim());
                if (!name.isEmpty()) {
                    b.callerName(name);
                }
            }
            if (text != null) {
                b.messageText(text);
            }
            push.push(b.build()).whenComplete((o, e) -> {
                if (o == null || !o.accepted()) {
                    LOG.debug("Text push to {} for {} not accepted: {}", token.shortForm(), instance.selector(),
                            o != null ? o : e);
                }
            });
        }
    }

    /** The first characters of a text/plain body; other types are fetched by the app. */
    static String previewText(SipMessage m) {
        String ct = m.header("content-type").orElse("text/plain").toLowerCase(Locale.ROOT);
        if (!ct.startsWith("text/plain") || m.body().isEmpty()) {
            return null;
        }
        String body = m.body();
        body = Printable.escapeKeepingLines(body);
        return body.length() > PUSH_TEXT_MAX ? body.substring(0, PUSH_TEXT_MAX) + "…" : body;
    }

    private static String keptHeaders(SipMessage m) {
        StringBuilder b = new StringBuilder();
        for (String h : KEPT_HEADERS) {
            m.header(h).ifPresent(v -> b.append(h).append(": ").append(Printable.escape(v)).append('\n'));
        }
        return b.toString();
    }

    /** A header for the filters; Content-Length falls back to the body's size. */
    static String header(SipMessage m, String name) {
        String n = name.toLowerCase(Locale.ROOT);
        String v = m.header(n).orElse(null);
        if (v == null && n.equals("content-length")) {
            return Integer.toString(m.body().getBytes(StandardCharsets.UTF_8).length);
        }
        return v;
    }
}
