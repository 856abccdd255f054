package org.opensipis.server.instances;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.opensipis.core.instance.InstanceRecord;
import org.opensipis.core.instance.InstanceState;
import org.opensipis.core.instance.InstanceStore;
import org.opensipis.core.instance.SharedParts;
import org.opensipis.core.instance.RegistrationState;
import org.opensipis.core.settings.Settings;
import org.opensipis.core.shard.Shard;
import org.opensipis.push.lifecycle.InstanceLifecycle;
import org.opensipis.sip.registration.RegistrationEngine;
import org.opensipis.store.RegistrationChanges;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The life of the instances this process serves, between the store and the components that
 * hold their state: adopting a stored registration (at the shard load and when one changes),
 * forgetting a deleted one, turning off and deleting one whose last push token died, and
 * publishing the engine's state changes to the store, the directory and the life cycle.
 * {@code SipisServer} only wires it. It hands each instance to the owner of its selector (the
 * engine's owners, which also run its life cycle, hand-over, app leg and relayed calls) and keeps
 * no per-instance state of its own.
 */
public final class InstanceCoordinator {

    private static final Logger LOG = LoggerFactory.getLogger(InstanceCoordinator.class);

    private final Settings settings;
    private final java.util.function.Supplier<Shard> shard;
    private final InstanceDirectory directory;
    private final RegistrationEngine engine;
    private final InstanceLifecycle lifecycle;
    private final AppHandOver handOver;
    private final InstanceStore store;
    private final Consumer<InstanceState> stateWriter;
    /** Values many instances repeat (not per-instance state): see {@link SharedParts}. */
    private final SharedParts shared = new SharedParts();

    public InstanceCoordinator(Settings settings, Shard shard, InstanceDirectory directory, RegistrationEngine engine,
                               InstanceLifecycle lifecycle, AppHandOver handOver, InstanceStore store,
                               Consumer<InstanceState> stateWriter) {
        this(settings, () -> shard, directory, engine, lifecycle, handOver, store, stateWriter);
    }

    /** With the shard of the LB2 file read last (a reload changes it). */
    public InstanceCoordinator(Settings settings, java.util.function.Supplier<Shard> shard, InstanceDirectory directory,
                               RegistrationEngine engine, InstanceLifecycle lifecycle, AppHandOver handOver,
                               InstanceStore store, Consumer<InstanceState> stateWriter) {
        this.settings = settings;
        this.shard = shard;
        this.directory = directory;
        this.engine = engine;
        this.lifecycle = lifecycle;
        this.handOver = handOver;
        this.store = store;
        this.stateWriter = stateWriter;
    }

    /** A stored registration this process owns: keep it (registered, or Idle while the app is in front). */
    public void adopt(InstanceRecord stored, Optional<InstanceState> previous) {
        if (settings.ignores(stored.appId())) {
            LOG.debug("ignoring {} (app id {} is in IgnoredAppIds)", stored.selector(), stored.appId());
            return;
        }
        // kept by the directory and the engine: share the selector string they key it by, app id, domain, …
        InstanceRecord record = shared.compact(stored, directory.keyOf(stored.selector()));
        directory.put(record, previous);
        lifecycle.contact(record.selector(), record.lastAppContact(), record.premium());
        handOver.adopt(record, previous); // on the selector's owner, with its foreground flag
    }

    /** Registrations changed or deleted in the database (by any process), read in one batch. */
    public void changed(RegistrationChanges changes) {
        for (InstanceRecord r : changes.changed()) {
            if (shard.get().owns(r.selector(), r.appId())) {
                Optional<InstanceState> previous = engine.state(r.selector());
                if (previous.isPresent() && directory.holdsEqual(r)) {
                    // delivered again unchanged (the first poll looks back over the load): adopting it would
                    // only replace the held record with a copy, and keep both its Instants alive
                    continue;
                }
                adopt(r, previous);
            }
        }
        for (String selector : changes.deleted()) {
            if (directory.record(selector).isPresent()) {
                LOG.info("instance {} was deleted", selector);
                engine.remove(selector);
                lifecycle.forget(selector);
            }
        }
    }

    /**
     * Another process has registered this instance (a prefix moved to it): remove our own binding
     * (Expires 0, through the throttle) and forget the instance here; it stays in the database.
     */
    public CompletableFuture<Void> handOver(String selector) {
        LOG.debug("instance {} is registered by its new owner: removing our binding", selector);
        return engine.remove(selector).whenComplete((v, e) -> lifecycle.forget(selector));
    }

    /** The last device token of an instance is dead: turn it Off (unregister) and delete it. */
    public CompletableFuture<?> turnOffAndDelete(String selector) {
        LOG.info("instance {} has no push token left: unregistering and deleting it", selector);
        CompletableFuture<Void> off = engine.remove(selector);
        return off.handle((v, e) -> null).thenCompose(v -> store.delete(selector)).whenComplete((v, e) -> {
            lifecycle.forget(selector);
            directory.remove(selector);
        });
    }

    /** The engine published a state: write it behind, show it, and tell the life cycle. */
    public void stateChanged(InstanceState state) {
        if (directory.update(state)) {
            stateWriter.accept(state);
        }
        RegistrationState st = state.state();
        lifecycle.registration(state.selector(), st == RegistrationState.REGISTERED || st == RegistrationState.IDLE,
                state.changedAt());
    }

    /**
     * Hands the current state of every instance to the store (a graceful stop): plain refreshes
     * are written only at CSeq checkpoints, so the stored expiry is brought up to date here and a
     * restart takes over every binding that is still valid.
     */
    public void persistAll() {
        for (InstanceState s : engine.snapshot()) {
            stateWriter.accept(s);
        }
    }

    /** The engine dropped an instance. */
    public void removed(String selector) {
        directory.remove(selector);
    }
}
