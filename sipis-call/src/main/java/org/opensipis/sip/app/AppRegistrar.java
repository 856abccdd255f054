package org.opensipis.sip.app;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.opensipis.core.instance.InstanceRecord;
import org.opensipis.sip.message.HeaderParams;
import org.opensipis.sip.message.SipMessage;
import org.opensipis.sip.message.SipParseException;
import org.opensipis.sip.owner.Owner;
import org.opensipis.sip.owner.Owners;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registrar for apps (docs/app-protocol.md section 3): finds the instance, checks shard and
 * digest, keeps each selector's binding and its lapse timer, and tells {@link AppPresence}.
 * A selector's binding and timer are touched only on the owner of that selector (so the
 * presence calls run there too); {@link #binding} reads the published map from any thread.
 */
final class AppRegistrar {

    private static final Logger LOG = LoggerFactory.getLogger(AppRegistrar.class);
    static final String REGISTER_FIRST = "Warning: 399 sipis \"register at sipisRegServer first\"";

    private final AppLegConfig cfg;
    private final AppDirectory directory;
    private final AppPresence presence;
    private final Owners owners;
    private final Clock clock;
    private final AppLegStats stats;
    private final DigestVerifier verifier;
    private final FailureLimiter limiter;
    private final Map<String, AppBinding> bindings = new ConcurrentHashMap<>();
    private final Map<String, Owner.Cancellable> lapseTimers = new ConcurrentHashMap<>();

    AppRegistrar(AppLegConfig cfg, AppDirectory directory, AppPresence presence, Owners owners, Clock clock,
                 AppLegStats stats) {
        this.cfg = cfg;
        this.directory = directory;
        this.presence = presence;
        this.owners = owners;
        this.clock = clock;
        this.stats = stats;
        this.verifier = new DigestVerifier(cfg.realm(), cfg.nonceLifetime(), clock);
        this.limiter = new FailureLimiter(clock, cfg.authFailuresPerMinute(), 100_000);
    }

    Optional<AppBinding> binding(String selector) {
        return Optional.ofNullable(bindings.get(selector));
    }

    /** One parsed message from a flow; contains its own failures (they close only that flow). */
    void onMessage(AppFlow flow, SipMessage m) {
        try {
            dispatch(flow, m);
        } catch (RuntimeException e) {
            stats.malformed.incrementAndGet();
            LOG.warn("Closing {}: cannot handle {}: {}", flow, m, e.toString());
            flow.close();
        }
    }

    private void dispatch(AppFlow flow, SipMessage m) {
        String selector = flow.anyAuthenticated();
        if (m.isResponse()) {
            if (selector == null || !presence.message(selector, flow, m)) {
                stats.droppedResponses.incrementAndGet();
                LOG.debug("Dropping {} on {}: no transaction claims it", m, flow);
            }
            return;
        }
        switch (m.method()) {
            case "REGISTER":
                register(flow, m);
                return;
            case "ACK":
                if (selector != null) {
                    presence.message(selector, flow, m);
                }
                return;
            case "OPTIONS":
                if (selector == null || !presence.message(selector, flow, m)) {
                    flow.send(Responses.response(m, 200, "OK", "Allow: REGISTER, OPTIONS", "Supported: outbound"));
                }
                return;
            default:
                if (selector == null) {
                    flow.send(Responses.response(m, 403, "Forbidden", "X-Sipis-Reason: Not-Authenticated",
                            "Warning: 399 sipis \"REGISTER on this flow first\""));
                } else if (!presence.message(selector, flow, m)) {
                    stats.notImplemented.incrementAndGet();
                    flow.send(Responses.response(m, 501, "Not Implemented"));
                }
        }
    }

    private void register(AppFlow flow, SipMessage m) {
        String selector;
        try {
            selector = RequestFacts.selector(m);
        } catch (IllegalArgumentException e) {
            flow.send(Responses.response(m, 400, "Bad Request", "X-Sipis-Reason: Bad-Selector",
                    "Warning: 399 sipis \"" + e.getMessage().replace('"', '\'') + "\""));
            return;
        }
        Optional<InstanceRecord> record = directory.find(selector);
        if (!directory.owns(selector, record.map(InstanceRecord::appId).orElse(RequestFacts.appId(m)))) {
            stats.notInShard.incrementAndGet();
            flow.send(Responses.response(m, 403, "Forbidden", "X-Sipis-Reason: Not-In-Shard"));
            return;
        }
        if (record.isEmpty()) {
            stats.unknownSelector.incrementAndGet();
            flow.send(Responses.response(m, 404, "Not Found", "X-Sipis-Reason: Unknown-Selector", REGISTER_FIRST));
            return;
        }
        String source = flow.remote().getAddress().getHostAddress() + " " + selector;
        if (!limiter.allowed(source)) {
            stats.rateLimited.incrementAndGet();
            flow.send(Responses.response(m, 403, "Forbidden", "X-Sipis-Reason: Too-Many-Auth-Failures", "Retry-After: 60"));
            return;
        }
        DigestCredentials credentials = credentials(m);
        if (credentials == null) {
            challenge(flow, m, selector, false);
            return;
        }
        DigestVerifier.Result result = usernameMatches(credentials.username(), selector)
                ? verifier.verify(credentials, selector, "REGISTER", record.get().appSecret().reveal())
                : DigestVerifier.Result.BAD_CREDENTIALS;
        switch (result) {
            case OK:
                accept(flow, m, selector);
                return;
            case STALE:
            case BAD_NONCE:
                challenge(flow, m, selector, true);
                return;
            default:
                limiter.failed(source);
                stats.authFailures.incrementAndGet();
                try (org.opensipis.core.log.LogContext lc = org.opensipis.core.log.LogContext.instance(selector, null)) {
                    LOG.info("App authentication failed for selector {} from {}", selector, flow.remote());
                }
                flow.send(Responses.response(m, 403, "Forbidden", "X-Sipis-Reason: Bad-Credentials"));
        }
    }

    private DigestCredentials credentials(SipMessage m) {
        for (String h : m.headers("authorization")) {
            DigestCredentials c = DigestCredentials.parse(h);
            if (c != null && c.realm().equals(verifier.realm())) {
                return c;
            }
        }
        return null;
    }

    private static boolean usernameMatches(String username, String selector) {
        return RequestFacts.percentDecode(username).equalsIgnoreCase(selector);
    }

    private void challenge(AppFlow flow, SipMessage m, String selector, boolean stale) {
        stats.challenges.incrementAndGet();
        flow.send(Responses.response(m, 401, "Unauthorized", "WWW-Authenticate: " + verifier.challenge(selector, stale)));
    }

    private void accept(AppFlow flow, SipMessage m, String selector) {
        Owner owner = owners.of(selector);
        Owners.check(owner, "AppRegistrar.accept", selector);
        List<String> contacts = m.headers("contact");
        flow.authenticated(selector);
        if (contacts.isEmpty()) { // a query: report the current binding
            AppBinding b = bindings.get(selector);
            List<String> extra = new ArrayList<>();
            if (b != null && b.foreground()) {
                long left = Math.max(0, (b.expires().toEpochMilli() - clock.millis()) / 1000);
                extra.add("Contact: <" + b.contact() + ">;expires=" + left);
            }
            flow.send(Responses.response(m, 200, "OK", extra.toArray(new String[0])));
            presence.progress(selector, RequestFacts.pairingId(m));
            return;
        }
        String contact = contacts.get(0);
        boolean star = contact.trim().equals("*");
        int expires;
        try {
            expires = star ? 0 : RequestFacts.expires(m, contact);
        } catch (IllegalArgumentException | SipParseException e) {
            flow.send(Responses.response(m, 400, "Bad Request", "Warning: 399 sipis \"" + e.getMessage().replace('"', '\'') + "\""));
            return;
        }
        if (expires > 0 && expires < cfg.minExpires()) {
            flow.send(Responses.response(m, 423, "Interval Too Brief", "Min-Expires: " + cfg.minExpires()));
            return;
        }
        expires = Math.min(expires, cfg.maxExpires());
        Owner.Cancellable old = lapseTimers.remove(selector);
        if (old != null) {
            old.cancel();
        }
        Instant now = clock.instant();
        AppBinding previous = bindings.get(selector);
        String uri = star ? (previous == null ? "*" : previous.contact()) : HeaderParams.uri(contact);
        Optional<String> instance = star ? Optional.empty() : Optional.ofNullable(HeaderParams.param(contact, "+sip.instance"));
        if (expires > 0) {
            AppBinding b = new AppBinding(selector, uri, instance, flow, now.plusSeconds(expires), true);
            bindings.put(selector, b);
            lapseTimers.put(selector, owner.schedule(() -> lapse(b), expires * 1000L + cfg.grace().toMillis()));
            List<String> extra = new ArrayList<>();
            extra.add("Contact: " + RequestFacts.contactWithExpires(contact, expires));
            if (RequestFacts.outbound(contact)) {
                extra.add("Supported: outbound");
                if (instance.isPresent() && HeaderParams.param(contact, "reg-id") != null
                        && RequestFacts.supports(m, "outbound")) {
                    extra.add("Require: outbound");
                }
            }
            stats.registered.incrementAndGet();
            flow.send(Responses.response(m, 200, "OK", extra.toArray(new String[0])));
            try (org.opensipis.core.log.LogContext lc = org.opensipis.core.log.LogContext.instance(selector, null)) {
                LOG.info("App for selector {} registered for {} s on {}", selector, expires, flow);
            }
            presence.foreground(selector);
            String appId = directory.find(selector).map(InstanceRecord::appId).orElse("");
            PushContact.of(uri, appId, now).ifPresent(t -> presence.pushToken(selector, t));
        } else {
            bindings.put(selector, new AppBinding(selector, uri, instance, flow, now, false));
            stats.unregistered.incrementAndGet();
            flow.send(Responses.response(m, 200, "OK"));
            try (org.opensipis.core.log.LogContext lc = org.opensipis.core.log.LogContext.instance(selector, null)) {
                LOG.info("App for selector {} unregistered on {}", selector, flow);
            }
            presence.background(selector);
        }
        presence.progress(selector, RequestFacts.pairingId(m));
    }

    private void lapse(AppBinding b) {
        Owners.check(owners.of(b.selector()), "AppRegistrar.lapse", b.selector());
        if (bindings.get(b.selector()) != b) {
            return;
        }
        lapseTimers.remove(b.selector());
        bindings.put(b.selector(), new AppBinding(b.selector(), b.contact(), b.instanceId(), b.flow(), b.expires(), false));
        stats.lapsed.incrementAndGet();
        LOG.info("App for selector {} did not refresh its registration (expired {}): SIPIS takes over", b.selector(), b.expires());
        presence.background(b.selector());
    }
}
