package org.opensipis.server.instances;

import org.opensipis.push.lifecycle.LifecycleOwners;
import org.opensipis.sip.owner.Owners;

/** The life cycle runs each instance on the engine's owner of its selector (one owner per instance). */
public final class LifecycleOnOwners implements LifecycleOwners {

    private final Owners owners;

    public LifecycleOnOwners(Owners owners) {
        this.owners = owners;
    }

    @Override
    public int size() {
        return owners.size();
    }

    @Override
    public int indexOf(String selector) {
        return owners.indexOf(selector);
    }

    @Override
    public void execute(int index, Runnable task) {
        owners.all().get(index).execute(task);
    }

    @Override
    public boolean inOwner(int index) {
        return owners.all().get(index).inOwner();
    }
}
