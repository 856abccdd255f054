package org.opensipis.server.instances;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.opensipis.core.instance.InstanceStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.opensipis.core.instance.InstanceRecord;
import org.opensipis.core.shard.Shard;
import org.opensipis.push.lifecycle.InstanceLifecycle;
import org.opensipis.sip.app.AppDirectory;
import org.opensipis.sip.app.AppPresence;
import org.opensipis.sip.app.AppFlow;
import org.opensipis.sip.message.SipMessage;
import org.opensipis.sip.owner.Owner;
import org.opensipis.sip.owner.Owners;
import org.opensipis.sip.relay.CallProgress;
import org.opensipis.sip.relay.CallRelay;
import org.opensipis.sip.registration.RegistrationEngine;

/**
 * The foreground/background hand-over between the app leg and the registration engine: while
 * the app is registered with SIPIS it is in the foreground and registers at its provider
 * itself, so the instance is Idle; when it unregisters (or lapses) SIPIS takes the upstream
 * registration over, throttled like any other. Presence calls repeat on every app REGISTER;
 * only changes reach the engine. Progress and the app's in-call messages go to the
 * {@link CallRelay}.
 *
 * <p>Threading: an instance's foreground flag is read and changed only on the owner of its
 * selector (the engine's {@link Owners}), the same executor that holds its registration, so a
 * foreground and an adoption (or a background) of one instance are ordered without locks. The
 * presence calls may come from any thread; they hop onto the owner unless already on it.
 */
public final class AppHandOver implements AppPresence, AppDirectory {

    private static final Logger LOG = LoggerFactory.getLogger(AppHandOver.class);

    private final InstanceDirectory directory;
    private final java.util.function.Supplier<Shard> shard;
    private final RegistrationEngine engine;
    private final InstanceLifecycle lifecycle;
    private final CallRelay relay;
    private final CallProgress progress;
    private final Clock clock;
    private final InstanceStore store;
    private final Owners owners;
    /** Selectors whose app is in the foreground; each entry touched only on its selector's owner. */
    private final Set<String> foreground = ConcurrentHashMap.newKeySet();

    /** How often at most an instance's app-leg contacts are written to {@code instances.last_app_contact}. */
    static final Duration PERSIST_APP_CONTACT_EVERY = Duration.ofMinutes(5);

    public AppHandOver(InstanceDirectory directory, Shard shard, RegistrationEngine engine, InstanceLifecycle lifecycle,
                CallRelay relay, CallProgress progress, Clock clock, InstanceStore store) {
        this(directory, () -> shard, engine, lifecycle, relay, progress, clock, store);
    }

    /** With the shard of the LB2 file read last (a reload changes it). */
    public AppHandOver(InstanceDirectory directory, java.util.function.Supplier<Shard> shard, RegistrationEngine engine,
                       InstanceLifecycle lifecycle, CallRelay relay, CallProgress progress, Clock clock,
                       InstanceStore store) {
        this.store = store;
        this.directory = directory;
        this.shard = shard;
        this.engine = engine;
        this.lifecycle = lifecycle;
        this.relay = relay;
        this.progress = progress;
        this.clock = clock;
        this.owners = engine.owners();
    }

    // ---- AppDirectory ----

    @Override
    public Optional<InstanceRecord> find(String selector) {
        return directory.record(selector);
    }

    @Override
    public boolean owns(String selector, String appId) {
        return shard.get().owns(selector, appId);
    }

    // ---- AppPresence ----

    @Override
    public void foreground(String selector) {
        onOwner(selector, () -> {
            Owners.check(owners.of(selector), "AppHandOver.foreground", selector);
            if (foreground.add(selector)) {
                engine.setIdleOnOwner(selector);
            }
        });
    }

    @Override
    public void background(String selector) {
        onOwner(selector, () -> {
            Owners.check(owners.of(selector), "AppHandOver.background", selector);
            if (foreground.remove(selector)) {
                directory.record(selector).ifPresent(r -> engine.registerOnOwner(withForeground(r, false), engine.state(selector)));
            }
        });
    }

    /** Runs at once when already on the selector's owner (the app leg's calls), else hops onto it. */
    private void onOwner(String selector, Runnable task) {
        Owner owner = owners.of(selector);
        if (owner.inOwner()) {
            task.run();
        } else {
            owner.execute(task);
        }
    }

    /**
     * Hands a stored registration to the engine, on the selector's owner, as the engine should
     * see it given what the app leg knows: an app in the foreground keeps it Idle. Reading the
     * flag and registering in one owner task leaves no window for a foreground in between.
     */
    void adopt(InstanceRecord record, Optional<org.opensipis.core.instance.InstanceState> previous) {
        String selector = record.selector();
        onOwner(selector, () -> {
            Owners.check(owners.of(selector), "AppHandOver.adopt", selector);
            engine.registerOnOwner(effective(record), previous);
        });
    }

    @Override
    public void pushToken(String selector, org.opensipis.core.instance.DeviceToken token) {
        directory.record(selector).ifPresent(r -> {
            InstanceRecord updated = PushTokens.with(r, token);
            if (updated != r) {
                store.saveRegistration(updated).whenComplete((v, e) -> {
                    if (e != null) {
                        LOG.warn(
                                "Could not store the push token {} of {} from its REGISTER: {}", token.shortForm(), selector,
                                e.toString());
                    }
                });
            }
        });
    }

    @Override
    public void progress(String selector, Optional<String> pairingId) {
        appContact(selector); // every authenticated app-leg REGISTER, refreshes and Expires 0 included
        progress.progress(selector, pairingId);
    }

    @Override
    public boolean message(String selector, AppFlow flow, SipMessage message) {
        appContact(selector);
        return relay.message(selector, flow, message);
    }

    /**
     * Contact from the app through the app leg restarts its age, as an HTTP registration does:
     * the life cycle's timeline, /stats Age (the directory) and, at most every
     * {@link #PERSIST_APP_CONTACT_EVERY}, {@code instances.last_app_contact} so that a restart keeps it.
     */
    private void appContact(String selector) {
        Instant now = clock.instant();
        directory.record(selector).ifPresent(r -> lifecycle.contact(selector, now, r.premium()));
        if (directory.appContact(selector, now, PERSIST_APP_CONTACT_EVERY)) {
            store.recordAppContact(selector, now).exceptionally(e -> {
                LOG.debug("cannot record the app contact of {}: {}", selector, e.toString());
                return null;
            });
        }
    }

    /** A stored registration as the engine should see it, given what the app leg knows. On the owner. */
    private InstanceRecord effective(InstanceRecord r) {
        return foreground.contains(r.selector()) ? withForeground(r, true) : r;
    }

    static InstanceRecord withForeground(InstanceRecord r, boolean fg) {
        return r.appForeground() == fg ? r : new InstanceRecord(r.selector(), r.appId(), r.premium(), r.account(),
                r.appSecret(), r.tokens(), r.lastAppContact(), fg);
    }
}
