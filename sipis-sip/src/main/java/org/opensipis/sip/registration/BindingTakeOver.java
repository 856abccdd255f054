package org.opensipis.sip.registration;

import java.time.Instant;
import org.opensipis.core.instance.InstanceRecord;
import org.opensipis.core.instance.InstanceState;
import org.opensipis.core.instance.RegistrationState;
import org.opensipis.core.instance.SipAccount;
import org.opensipis.core.settings.RegistrationSettings;
import org.opensipis.sip.dns.Target;
import org.opensipis.sip.owner.Owners;
import org.opensipis.sip.transport.SipTransport;

/**
 * A restart: the binding the store holds for an instance, if still valid and with the Contact
 * this process would send, is taken over and refreshed on its schedule instead of registered
 * again at once (users stay reachable, the registrar is not flooded). Part of
 * {@link InstanceMachine}; every method runs on the instance's owner.
 */
final class BindingTakeOver {

    private final InstanceMachine machine;
    private final EngineConfig cfg;
    private final RegistrationSettings rs;
    private final Targets targets;
    private final SipTransport transport;
    private final Counters counters;

    BindingTakeOver(InstanceMachine machine, EngineConfig cfg, Targets targets, SipTransport transport,
                    Counters counters) {
        this.machine = machine;
        this.cfg = cfg;
        this.rs = cfg.registration();
        this.targets = targets;
        this.transport = transport;
        this.counters = counters;
    }

    /**
     * A restart: the binding the store holds for this instance, if it has not expired, is ours
     * (the same Call-ID). A valid one with the Contact this process would send is taken over and
     * refreshed on its schedule (true: nothing more to do now); otherwise the next REGISTER
     * removes it if its Contact differs (another Registration[Port] or address). On the owner.
     */
    boolean restore(Registration r, InstanceRecord record, InstanceState previous) {
        long now = cfg.clock().millis();
        long until = previous.registeredUntil().map(Instant::toEpochMilli).orElse(0L);
        if (previous.contact().isEmpty() || until <= now || previous.callId().isEmpty()) {
            return false;
        }
        r.registeredUntil = until;
        r.contact(previous.contact().get(), machine.contactTails);
        if (previous.state() != RegistrationState.REGISTERED || record.appForeground()) {
            return false;
        }
        resume(r, until, previous.changedAt().toEpochMilli(), previous.contact().get());
        return true;
    }

    /**
     * Takes over a binding the store says is still held (a restart): same Contact, so nothing is
     * sent now; the refresh comes on the schedule the last registration set ({@code RefreshAt} of
     * the granted expiry after it was granted), and at the latest {@link #RESUME_MARGIN_MILLIS}
     * before it expires. Resolves the registrar first to know the Contact this process would send:
     * when it differs (settings changed, a new TCP connection), registers at once through the
     * throttle and the old binding is removed in the same REGISTER.
     */
    void resume(Registration r, long until, long grantedAt, String storedContact) {
        Owners.check(r.owner, "BindingTakeOver.resume", r.selector);
        r.registeredUntil = until;
        r.contact(storedContact, machine.contactTails);
        r.exchange = Registration.Exchange.TAKE_OVER;
        SipAccount a = r.record.account();
        RegisterTransactions.onOwner(r, targets.resolve(a), (list, err) -> {
            if (err != null) {
                resumed(r, null, until, grantedAt);
                return;
            }
            Target t = list.get(Math.floorMod(r.targetIndex, list.size()));
            RegisterTransactions.onOwner(r, transport.flow(t.transport(), t.address(), t.serverName()), (flow, ferr) -> {
                if (ferr != null || flow.closed()) {
                    resumed(r, null, until, grantedAt);
                    return;
                }
                r.flow = flow;
                resumed(r, machine.contactOf(r, flow), until, grantedAt);
            });
        });
    }

    /** A binding is taken over only when it still has this long to live; otherwise it is registered at once. */
    static final long RESUME_MARGIN_MILLIS = 32_000;

    private void resumed(Registration r, String contact, long until, long grantedAt) {
        r.exchange = Registration.Exchange.NONE;
        if (r.leaving()) {
            machine.unregister(r, r.afterUnregister());
            return;
        }
        long now = cfg.clock().millis();
        until = r.registeredUntil; // 0 if the account changed meanwhile
        if (contact == null || !contact.equals(r.contact()) || until - now <= RESUME_MARGIN_MILLIS) {
            machine.register(r);
            return;
        }
        long granted = until - grantedAt;
        if (granted <= 0) {
            granted = r.expires * 1000L;
        }
        double share = Delays.refreshShare(rs, cfg.random());
        long due = Math.min(grantedAt + (long) (granted * share), until - RESUME_MARGIN_MILLIS);
        r.state = RegistrationState.REGISTERED;
        r.reason = "";
        r.published = Published.of(r, Instant.ofEpochMilli(grantedAt));
        counters.resumed.increment();
        if (due <= now) {
            machine.register(r);
            return;
        }
        r.registerIn(due - now);
    }
}
