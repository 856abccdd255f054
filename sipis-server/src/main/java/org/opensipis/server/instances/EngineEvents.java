package org.opensipis.server.instances;

import java.util.function.Consumer;
import org.opensipis.core.instance.InstanceState;
import org.opensipis.sip.registration.RegistrationListener;

/**
 * What the registration engine reports, passed to the {@link InstanceCoordinator} once it is
 * built (the engine is built first: the coordinator needs it). Until then — nothing is adopted
 * yet, so this is only a safeguard — states are written behind and shown. Runs on the
 * instance's owner.
 */
public final class EngineEvents implements RegistrationListener {

    private final InstanceDirectory directory;
    private final Consumer<InstanceState> stateWriter;
    private final Consumer<InstanceState> alsoPublished;
    private volatile InstanceCoordinator coordinator;

    /**
     * @param alsoPublished told of every published state after the coordinator (per-registrar error counts)
     */
    public EngineEvents(InstanceDirectory directory, Consumer<InstanceState> stateWriter,
                        Consumer<InstanceState> alsoPublished) {
        this.directory = directory;
        this.stateWriter = stateWriter;
        this.alsoPublished = alsoPublished;
    }

    /** From now on, states go to the coordinator. */
    public void coordinator(InstanceCoordinator c) {
        this.coordinator = c;
    }

    @Override
    public void stateChanged(InstanceState state) {
        InstanceCoordinator c = coordinator;
        if (c != null) {
            c.stateChanged(state);
        } else {
            stateWriter.accept(state);
            directory.update(state);
        }
        alsoPublished.accept(state);
    }

    @Override
    public void removed(String selector) {
        directory.remove(selector);
    }
}
