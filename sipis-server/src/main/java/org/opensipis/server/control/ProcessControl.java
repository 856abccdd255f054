package org.opensipis.server.control;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Predicate;
import org.opensipis.core.instance.DeviceToken;
import org.opensipis.core.instance.InstanceRecord;
import org.opensipis.core.instance.RegistrationState;
import org.opensipis.core.instance.SipAccount;
import org.opensipis.core.settings.RegistrationSettings;
import org.opensipis.http.control.ControlPlane;
import org.opensipis.http.control.ControlViews;
import org.opensipis.http.control.ControlViews.ActionResult;
import org.opensipis.http.control.InstanceQuery;
import org.opensipis.server.instances.InstanceDirectory;
import org.opensipis.server.instances.InstanceDirectory.Known;
import org.opensipis.server.logging.LogLevels;
import org.opensipis.sip.registration.EngineControl;
import org.opensipis.sip.registration.InstanceDiagnostics;
import org.opensipis.sip.registration.RegistrationEngine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control API over the live components: lists and details from the instance directory plus
 * what the engine reports from each instance's owner, actions handed to their owners, log levels
 * through {@link LogLevels}. Nothing here holds instance state of its own.
 */
public final class ProcessControl implements ControlPlane {

    private static final Logger LOG = LoggerFactory.getLogger(ProcessControl.class);

    /** The parts of the process the control API reaches. */
    public record Parts(String serverName, InstanceDirectory directory, RegistrationEngine engine,
                        RegistrationSettings registration, RegistrarErrors errors, PushTester pushTester,
                        Function<String, CompletableFuture<?>> unregisterAndDelete, Predicate<String> appFlowBound,
                        Optional<LogLevels> logLevels) {
    }

    private final Parts p;

    public ProcessControl(Parts parts) {
        this.p = parts;
    }

    @Override
    public CompletionStage<ControlViews.InstanceListing> instances(InstanceQuery q) {
        List<Known> page = new ArrayList<>(q.limit());
        long[] matching = {0};
        p.directory().scan(q.prefix(), k -> {
            if (matches(q, k)) {
                if (matching[0] >= q.offset() && page.size() < q.limit()) {
                    page.add(k);
                }
                matching[0]++;
            }
            return true;
        });
        List<CompletableFuture<Optional<InstanceDiagnostics>>> diags = new ArrayList<>(page.size());
        for (Known k : page) {
            diags.add(p.engine().control().inspect(k.record().selector()));
        }
        return CompletableFuture.allOf(diags.toArray(CompletableFuture[]::new)).thenApply(v -> {
            List<ControlViews.InstanceSummary> rows = new ArrayList<>(page.size());
            for (int i = 0; i < page.size(); i++) {
                rows.add(summary(page.get(i), diags.get(i).join()));
            }
            return new ControlViews.InstanceListing(matching[0], q.offset() / q.limit() + 1, q.limit(), rows);
        });
    }

    private static boolean matches(InstanceQuery q, Known k) {
        SipAccount a = k.record().account();
        return q.state().map(s -> s == k.state()).orElse(true)
                && q.registrar().map(r -> r.equalsIgnoreCase(a.registrarHost())).orElse(true)
                && q.user().map(u -> u.equals(a.user())).orElse(true);
    }

    private static ControlViews.InstanceSummary summary(Known k, Optional<InstanceDiagnostics> d) {
        SipAccount a = k.record().account();
        return new ControlViews.InstanceSummary(k.record().selector(), a.user(), a.domain(), a.registrarHost(),
                state(d.map(InstanceDiagnostics::state).orElse(k.state())), d.map(InstanceDiagnostics::reason).orElse(k.reason()),
                d.map(InstanceDiagnostics::lastResponse).orElse(""), time(d.flatMap(InstanceDiagnostics::lastResponseAt)),
                time(d.flatMap(InstanceDiagnostics::nextAttemptAt)), d.map(InstanceDiagnostics::disabled).orElse(false));
    }

    @Override
    public CompletionStage<Optional<ControlViews.InstanceDetail>> instance(String selector) {
        Optional<Known> known = p.directory().known(selector);
        if (known.isEmpty()) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        Known k = known.get();
        return p.engine().control().inspect(selector).thenApply(d -> Optional.of(detail(k, d)));
    }

    private ControlViews.InstanceDetail detail(Known k, Optional<InstanceDiagnostics> d) {
        InstanceRecord r = k.record();
        SipAccount a = r.account();
        ControlViews.Account account = new ControlViews.Account(a.user(), a.authUser(), a.domain(), a.proxy().orElse(null),
                a.port(), a.transport().name(), a.displayName(), a.expires().map(java.time.Duration::toSeconds).orElse(null));
        List<ControlViews.Token> tokens = new ArrayList<>();
        for (DeviceToken t : r.tokens()) {
            tokens.add(new ControlViews.Token(t.platform().name(), t.kind().name(), t.appId(), tokenEnd(t.token()),
                    t.lastSeen().toString()));
        }
        return new ControlViews.InstanceDetail(r.selector(), p.serverName(), r.appId(), r.premium(), r.appForeground(),
                r.lastAppContact().toString(), account, a.registrarHost(), tokens,
                state(d.map(InstanceDiagnostics::state).orElse(k.state())), d.map(InstanceDiagnostics::reason).orElse(k.reason()),
                d.map(InstanceDiagnostics::lastResponse).orElse(""), time(d.flatMap(InstanceDiagnostics::lastResponseAt)),
                time(d.flatMap(InstanceDiagnostics::nextAttemptAt)), time(d.flatMap(InstanceDiagnostics::registeredUntil)),
                d.map(InstanceDiagnostics::inFlight).orElse(false), d.map(InstanceDiagnostics::failures).orElse(0),
                d.map(InstanceDiagnostics::disabled).orElse(false), d.map(InstanceDiagnostics::callId).orElse(""),
                d.map(InstanceDiagnostics::cseq).orElse(0L), d.map(InstanceDiagnostics::flow).orElse(""),
                p.appFlowBound().test(r.selector()));
    }

    /** The last 8 characters: enough to tell devices apart, useless to push with. */
    static String tokenEnd(String token) {
        return token.length() <= 8 ? "…" : "…" + token.substring(token.length() - 8);
    }

    @Override
    public CompletionStage<ControlViews.RegistrarReport> registrars() {
        Map<String, long[]> counts = new TreeMap<>();
        Map<String, String> shown = new LinkedHashMap<>();
        p.directory().scan("", k -> {
            String host = k.record().account().registrarHost();
            String key = RegistrarErrors.key(host);
            shown.putIfAbsent(key, host);
            counts.computeIfAbsent(key, x -> new long[RegistrationState.values().length])[k.state().ordinal()]++;
            return true;
        });
        List<ControlViews.RegistrarStatus> list = new ArrayList<>(counts.size());
        for (Map.Entry<String, long[]> e : counts.entrySet()) {
            Map<String, Long> states = new LinkedHashMap<>();
            long total = 0;
            for (RegistrationState s : RegistrationState.values()) {
                long n = e.getValue()[s.ordinal()];
                total += n;
                if (n > 0) {
                    states.put(state(s), n);
                }
            }
            list.add(new ControlViews.RegistrarStatus(shown.get(e.getKey()), total, states,
                    p.errors().last(e.getKey())));
        }
        var stats = p.engine().stats();
        RegistrationSettings rs = p.registration();
        return p.engine().control().throttleHosts().thenApply(hosts -> new ControlViews.RegistrarReport(list,
                new ControlViews.Throttle(stats.throttleQueue(), stats.inFlight(), rs.globalRate(), rs.perRegistrarRate(),
                        rs.maxInFlight(), hosts.stream().map(h -> new ControlViews.ThrottleHost(h.address(), h.queued(),
                                h.granted(), Math.round(h.grantedPerSecond() * 100) / 100.0)).toList())));
    }

    @Override
    public CompletionStage<ActionResult> act(String selector, Action action) {
        if (p.directory().known(selector).isEmpty()) {
            return CompletableFuture.completedFuture(new ActionResult(selector, action.path(), "not found",
                    "this process does not serve the instance"));
        }
        LOG.info("administrator action {} on instance {}", action.path(), selector);
        EngineControl c = p.engine().control();
        return switch (action) {
            case REFRESH -> c.refreshNow(selector).thenApply(r -> switch (r) {
                case STARTED -> result(selector, action, "started", "a REGISTER is on its way (through the throttle)");
                case ALREADY_IN_FLIGHT -> result(selector, action, "in flight", "a REGISTER is already under way");
                case IDLE -> result(selector, action, "idle", "the instance is Idle (app in front, or disabled): nothing to refresh");
                case NOT_FOUND -> result(selector, action, "not found", "the registration engine does not hold it");
            });
            case DISABLE -> c.disable(selector).thenApply(ok -> ok
                    ? result(selector, action, "disabled", "binding removed; stays Idle until enabled or the process restarts")
                    : result(selector, action, "not found", "the registration engine does not hold it"));
            case ENABLE -> c.enable(selector).thenApply(ok -> ok
                    ? result(selector, action, "enabled", "registers again (unless its app is in front)")
                    : result(selector, action, "not found", "the registration engine does not hold it"));
            case UNREGISTER -> p.unregisterAndDelete().apply(selector).thenApply(v -> result(selector, action,
                    "unregistered", "binding removed and the instance deleted, as the app's own unregister does"));
            case PUSH_TEST -> p.pushTester().test(selector).thenApply(d -> result(selector, action, "sent", d));
        };
    }

    private static ActionResult result(String selector, Action action, String result, String detail) {
        return new ActionResult(selector, action.path(), result, detail);
    }

    @Override
    public Map<String, String> logLevels() {
        return p.logLevels().map(LogLevels::levels).orElse(Map.of());
    }

    @Override
    public ControlViews.LogLevelChange setLogLevel(String logger, String level) {
        LogLevels l = p.logLevels().orElseThrow(() -> new IllegalArgumentException("logging is not done by logback here"));
        String previous = l.set(logger, level);
        return new ControlViews.LogLevelChange(logger, level.trim().toLowerCase(Locale.ROOT), previous);
    }

    static String state(RegistrationState s) {
        return s.name().toLowerCase(Locale.ROOT);
    }

    private static String time(Optional<Instant> t) {
        return t.map(Instant::toString).orElse(null);
    }
}
