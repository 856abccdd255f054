package org.opensipis.push.pnm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.opensipis.core.push.PushOutcome;
import org.opensipis.core.push.PushRequest;
import org.opensipis.core.push.Verb;
import org.opensipis.core.settings.PushRoute;
import org.opensipis.push.HttpDeadline;
import org.opensipis.push.PushFields;
import org.opensipis.push.PushProvider;

/**
 * POSTs {@code {"verb", "AppId", "DeviceToken", "Selector", …}} to the gateway of a
 * {@code <NotificationServer>} entry. The gateway answers HTTP 2xx with
 * {@code {"code": 200, "response": "…"}}; code or status 404 means the token is dead.
 */
public final class PnmProvider implements PushProvider {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI gateway;
    private final HttpClient client;
    private final ExecutorService executor;
    private final Duration timeout;

    private PnmProvider(URI gateway, HttpClient client, ExecutorService executor, Duration timeout) {
        this.gateway = gateway;
        this.client = client;
        this.executor = executor;
        this.timeout = timeout;
    }

    /** A provider for this entry, with a 10 s request timeout (monotonic, see {@link HttpDeadline}). */
    public static PnmProvider create(PushRoute.Pnm route) {
        return create(route, Duration.ofSeconds(10));
    }

    public static PnmProvider create(PushRoute.Pnm route, Duration timeout) {
        Objects.requireNonNull(route, "route");
        AtomicInteger n = new AtomicInteger();
        ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "sipis-push-pnm-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        // no JDK timeouts: they run on the wall clock (see HttpDeadline); each exchange is bounded in send()
        HttpClient client = HttpClient.newBuilder().executor(executor).build();
        return new PnmProvider(route.gateway(), client, executor, timeout);
    }

    @Override
    public PushRoute.Kind kind() {
        return PushRoute.Kind.PNM;
    }

    /** The Acrobits verb for ours; the expiry, off and test names are ours (see docs/push.md). */
    static String pnmVerb(PushRequest r) {
        switch (r.verb()) {
            case INCOMING_CALL:
                return "NotifyIncomingCall";
            case MISSED_CALL:
                return "NotifyIncomingCallMissed";
            case ANSWERED_ELSEWHERE:
                return "NotifyIncomingCallAnsweredElsewhere";
            case TEXT_MESSAGE:
                return r.messageText().isPresent() ? "NotifyGenericTextMessage" : "NotifyTextMessage";
            case ABOUT_TO_EXPIRE_SILENT:
                return "NotifyAboutToExpireSilent";
            case ABOUT_TO_EXPIRE_INTRUSIVE:
                return "NotifyAboutToExpire";
            case INSTANCE_OFF:
                return "NotifyInstanceOff";
            default:
                return "NotifyPushTest";
        }
    }

    static ObjectNode body(PushRequest r) {
        ObjectNode b = JSON.createObjectNode();
        b.put("verb", pnmVerb(r));
        b.put("AppId", r.appId());
        b.put("DeviceToken", r.target().token());
        b.put("Selector", r.selector());
        r.callId().ifPresent(v -> b.put("CallId", v));
        r.pairingId().ifPresent(v -> b.put("PairingId", v));
        r.callerName().ifPresent(v -> b.put("UserDisplayName", v));
        r.callerUri().ifPresent(v -> b.put("UserName", v));
        b.put("SendTime", r.sendTime().toEpochMilli());
        r.badge().ifPresent(v -> b.put("Badge", v));
        if (r.verb() != Verb.INCOMING_CALL && !PushFields.text(r).isEmpty()) {
            b.put("Message", PushFields.text(r));
        }
        PushFields.collapseKey(r).ifPresent(v -> b.put("Id", v));
        return b;
    }

    @Override
    public CompletableFuture<PushOutcome> send(PushRequest request) {
        byte[] body;
        try {
            body = JSON.writeValueAsBytes(body(request));
        } catch (IOException e) {
            return CompletableFuture.completedFuture(PushOutcome.Rejected.of("cannot encode PNM request: " + e));
        }
        HttpRequest http = HttpRequest.newBuilder(gateway)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        return HttpDeadline.within(client.sendAsync(http, HttpResponse.BodyHandlers.ofString()), timeout)
                .handleAsync((resp, e) -> e != null
                        ? PushOutcome.Failed.transientFailure("PNM gateway " + gateway.getHost() + " unreachable: " + e)
                        : outcome(resp.statusCode(), resp.body()), executor);
    }

    static PushOutcome outcome(int status, String body) {
        int code = status;
        String text = body == null ? "" : body;
        if (status / 100 == 2) {
            try {
                JsonNode json = JSON.readTree(text);
                if (json != null && json.has("code")) {
                    code = json.get("code").asInt();
                    text = json.path("response").asText("");
                } else {
                    code = 200;
                }
            } catch (IOException e) {
                code = 200;
            }
        }
        if (code == 200) {
            return new PushOutcome.Accepted(text.length() > 200 ? text.substring(0, 200) : text);
        }
        String reason = "PNM " + code + (text.isBlank() ? "" : ": " + abbreviate(text));
        if (code == 404) {
            return PushOutcome.Rejected.deadToken(reason, Optional.empty());
        }
        if (code == 429 || code >= 500) {
            return PushOutcome.Failed.transientFailure(reason);
        }
        return PushOutcome.Rejected.of(reason);
    }

    private static String abbreviate(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "…" : s;
    }

    @Override
    public CompletableFuture<Void> close() {
        executor.shutdown();
        return CompletableFuture.completedFuture(null);
    }
}
