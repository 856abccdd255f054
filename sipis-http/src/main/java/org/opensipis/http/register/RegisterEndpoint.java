package org.opensipis.http.register;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.opensipis.core.crypto.SealedDataException;
import org.opensipis.core.crypto.SipisKey;
import org.opensipis.core.instance.DeviceToken;
import org.opensipis.core.instance.InstanceRecord;
import org.opensipis.core.instance.InstanceStore;
import org.opensipis.core.instance.StoreBusyException;
import org.opensipis.core.instance.StoreUnavailableException;
import org.opensipis.core.shard.Backend;
import org.opensipis.core.shard.Lb2Settings;
import org.opensipis.core.shard.Shard;
import org.opensipis.http.abuse.RegistrationGate;
import org.opensipis.http.route.Endpoint;
import org.opensipis.http.route.HttpCall;
import org.opensipis.http.route.HttpReply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /sipis/register} (and {@code /sipis/unregister}, {@code /sipis/refresh},
 * {@code /sipis/tokens}, or the same verbs in the body's {@code action} field): validates the
 * app's registration, stores it through {@link InstanceStore} and names the owning server.
 * Any process accepts any selector; the owner picks the change up through the store.
 */
public final class RegisterEndpoint {

    /** The authenticated context of sealed bodies: {@code SipisKey.seal(json, SEAL_CONTEXT)}. */
    public static final String SEAL_CONTEXT = "sipis-register";
    /** Content type of a sealed body (the body is the envelope text). */
    public static final String SEALED_TYPE = "application/x-sipis-sealed";

    private static final Logger LOG = LoggerFactory.getLogger(RegisterEndpoint.class);

    private final InstanceStore store;
    private final Optional<SipisKey> key;
    private final boolean acceptPlain;
    private final Optional<Lb2Settings> lb2;
    private final Shard shard;
    private final Clock clock;
    private final RegistrationGate gate;

    /**
     * @param key         sipis.key to open sealed bodies; empty = only plain JSON
     * @param acceptPlain {@code DataProtection[AcceptPlainRegistrations]}
     * @param lb2         LB2 settings to name the owner; empty = this process owns everything
     * @param shard       this process's shard (says whether it owns the selector)
     * @param gate        registrar target check, quotas and audit of {@code register}
     */
    public RegisterEndpoint(InstanceStore store, Optional<SipisKey> key, boolean acceptPlain,
                            Optional<Lb2Settings> lb2, Shard shard, Clock clock, RegistrationGate gate) {
        this.store = Objects.requireNonNull(store, "store");
        this.key = Objects.requireNonNull(key, "key");
        this.acceptPlain = acceptPlain;
        this.lb2 = Objects.requireNonNull(lb2, "lb2");
        this.shard = Objects.requireNonNull(shard, "shard");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.gate = Objects.requireNonNull(gate, "gate");
    }

    /** The endpoint whose default action is {@code register}, {@code unregister}, {@code refresh} or {@code tokens}. */
    public Endpoint endpoint(String action) {
        Action a = Action.parse(action).orElseThrow(() -> new IllegalArgumentException("unknown action " + action));
        return call -> handle(call, a);
    }

    /** The verbs, for routing: {@code /sipis/<verb>}. */
    public static List<String> verbs() {
        return Action.names();
    }

    private CompletionStage<HttpReply> handle(HttpCall call, Action pathAction) {
        String json;
        String type = call.mediaType();
        if (type.equals(SEALED_TYPE)) {
            if (key.isEmpty()) {
                return done(HttpReply.error(415, "this server has no sipis.key, so it cannot open "
                        + SEALED_TYPE + " bodies; send application/json"));
            }
            try {
                json = key.get().openString(call.bodyText().trim(), SEAL_CONTEXT);
            } catch (SealedDataException e) {
                return done(HttpReply.error(400, "sealed body cannot be opened: " + e.getMessage()));
            }
        } else if (type.equals("application/json") || type.isEmpty()) {
            if (!acceptPlain) {
                return done(HttpReply.error(403, "plain registrations are disabled "
                        + "(DataProtection[AcceptPlainRegistrations]=No); seal the body with sipis.key and send "
                        + SEALED_TYPE));
            }
            json = call.bodyText();
        } else {
            return done(HttpReply.error(415, "Content-Type must be application/json or " + SEALED_TYPE
                    + ", was \"" + type + "\""));
        }
        JsonNode body;
        try {
            body = HttpReply.mapper().readTree(json);
        } catch (JacksonException e) {
            return done(HttpReply.error(400, "body is not valid JSON: " + describe(e)));
        }
        if (body == null || !body.isObject()) {
            return done(HttpReply.error(400, "body must be a JSON object (see docs/http-api.md)"));
        }
        FieldErrors err = new FieldErrors();
        RegistrationParser.Parsed p = RegistrationParser.parse(body, pathAction, clock.instant(), err);
        if (!err.isEmpty()) {
            return done(err.toReply());
        }
        return switch (p.action()) {
            case REGISTER -> register(call, p.record().orElseThrow());
            case UNREGISTER -> store.delete(p.selector()).thenApply(existed -> existed
                    ? reply("unregistered", p.selector(), p.appId().orElse(null))
                    : notRegistered(p.selector())).exceptionally(e -> unavailable(p.selector(), e));
            case REFRESH, TOKENS -> update(p);
        };
    }

    /** A new or replaced registration: the registrar must be allowed, the quotas must hold. */
    private CompletionStage<HttpReply> register(HttpCall call, InstanceRecord r) {
        return gate.checkTarget(r).thenCompose(refused -> refused.isPresent() ? done(refused.get())
                : gate.admit(call, r).thenApply(a -> a.isStored() ? reply("registered", r.selector(), r.appId())
                        : gate.quotaRefused(r, a)).exceptionally(e -> unavailable(r.selector(), e)));
    }

    private CompletionStage<HttpReply> update(RegistrationParser.Parsed p) {
        return store.find(p.selector()).thenCompose(found -> {
            if (found.isEmpty()) {
                return done(notRegistered(p.selector()));
            }
            InstanceRecord r = found.get();
            InstanceRecord updated = new InstanceRecord(r.selector(), r.appId(), r.premium(), r.account(),
                    r.appSecret(), p.action() == Action.TOKENS ? withAppId(p.tokens(), r.appId()) : r.tokens(),
                    clock.instant(),
                    p.foreground().orElse(r.appForeground()));
            return store(updated, p.action() == Action.TOKENS ? "tokens updated" : "refreshed");
        }).exceptionally(e -> unavailable(p.selector(), e));
    }

    /** Tokens sent without an appId belong to the instance's app. */
    private static List<DeviceToken> withAppId(List<DeviceToken> tokens, String appId) {
        return tokens.stream().map(t -> t.appId().isEmpty()
                ? new DeviceToken(t.platform(), t.kind(), appId, t.token(), t.lastSeen()) : t).toList();
    }

    private CompletionStage<HttpReply> store(InstanceRecord r, String result) {
        return store.saveRegistration(r).thenApply(v -> reply(result, r.selector(), r.appId()))
                .exceptionally(e -> unavailable(r.selector(), e));
    }

    private HttpReply reply(String result, String selector, String appId) {
        ObjectNode n = HttpReply.mapper().createObjectNode();
        n.put("result", result);
        n.put("selector", selector);
        n.put("answeredBy", shard.serverName());
        Optional<Backend> route = lb2.flatMap(l -> l.route(selector, appId));
        if (lb2.isEmpty()) {
            n.putObject("owner").put("name", shard.serverName()).putNull("address");
        } else if (lb2.get().backends().isEmpty()) {
            n.putObject("owner").putNull("name").put("address", Lb2Settings.DEFAULT_ROUTE.toString());
        } else if (route.isPresent()) {
            ObjectNode o = n.putObject("owner");
            route.get().name().ifPresentOrElse(name -> o.put("name", name), () -> o.putNull("name"));
            o.put("address", route.get().address().toString());
        } else {
            n.putNull("owner");
        }
        n.put("ownedByThisServer", shard.owns(selector, appId));
        return HttpReply.json(200, n);
    }

    private static String describe(JacksonException e) {
        String msg = String.valueOf(e.getOriginalMessage());
        if (msg.length() > 200) {
            msg = msg.substring(0, 200) + "…";
        }
        var loc = e.getLocation();
        return loc == null ? msg : msg + " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
    }

    private static HttpReply notRegistered(String selector) {
        return HttpReply.error(404, "selector " + selector + " is not registered; send action \"register\" first");
    }

    /**
     * A store call failed: 503 in every case (nothing was stored), but a saturated store
     * ("busy", retry in 1 s) is told apart from an unreachable database (retry in 5 s). Neither is
     * logged per request (the store logs an outage once); anything else is a WARN.
     */
    private static HttpReply unavailable(String selector, Throwable e) {
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        if (cause instanceof StoreBusyException) {
            LOG.debug("store busy for {}: {}", selector, cause.getMessage());
            return HttpReply.error(503, "the server is busy, nothing was stored for " + selector
                    + "; retry in a second").withHeader("Retry-After", "1");
        }
        if (cause instanceof StoreUnavailableException) {
            LOG.debug("database unavailable for {}: {}", selector, cause.getMessage());
        } else {
            LOG.warn("cannot store the registration of {}: {}", selector, cause.toString());
        }
        return HttpReply.error(503, "the database is unavailable, nothing was stored for " + selector
                + "; retry later").withHeader("Retry-After", "5");
    }

    private static CompletionStage<HttpReply> done(HttpReply r) {
        return CompletableFuture.completedFuture(r);
    }
}
