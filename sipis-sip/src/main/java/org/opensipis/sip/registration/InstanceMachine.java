package org.opensipis.sip.registration;

import java.util.Map;
import org.opensipis.core.instance.InstanceState;
import org.opensipis.core.instance.RegistrationState;
import org.opensipis.core.instance.SharedParts;
import org.opensipis.core.log.LogContext;
import org.opensipis.core.settings.RegistrationSettings;
import org.opensipis.sip.digest.DigestChallenge;
import org.opensipis.sip.message.SipMessage;
import org.opensipis.sip.throttle.Throttle;
import org.opensipis.sip.transport.Flow;
import org.opensipis.sip.transport.SipTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-instance REGISTER state machine: register, back off, unregister, publish the state.
 * The REGISTER transactions (resolve, throttle, send, Timer E/F) are run by
 * {@link RegisterTransactions}; final responses (challenges, refresh, redirects) are read by
 * {@link RegisterResponses}; the delays (refresh, backoff) are reckoned by {@link Delays}; a binding
 * taken over at restart is resumed by {@link BindingTakeOver}. One per engine, shared by its
 * instances (their state is their {@link Registration}); every method runs on the instance's owner.
 */
final class InstanceMachine {

    private static final Logger LOG = LoggerFactory.getLogger(InstanceMachine.class);

    private final EngineConfig cfg;
    private final RegistrationSettings rs;
    private final Counters counters;
    private final RegistrationListener listener;
    private final RegisterTransactions transactions;
    private final RegisterResponses responses;
    private final BindingTakeOver takeOver;
    final RegisterGate gate = new RegisterGate();
    /** The last responses' texts, shared between instances (bounded: {@link SharedParts#MAX_VALUES}). */
    private final SharedParts responseTexts = new SharedParts();
    /** The tails of our Contacts ({@code host:port…} after the {@code @}), shared between instances ({@link Registration#contact()}). */
    final SharedParts contactTails = new SharedParts();

    InstanceMachine(EngineConfig cfg, SipTransport transport, Throttle throttle, Counters counters, Targets targets,
                    RegistrationListener listener, Map<String, Txn> txns, Map<String, DigestChallenge> challenges,
                    Latencies latencies) {
        this.cfg = cfg;
        this.rs = cfg.registration();
        this.counters = counters;
        this.listener = listener;
        // a REGISTER's failure can come up to Timer F after it was sent: keep what ended an outage twice that long
        // and the throttle probes a registrar that does not answer, then ramps up again when it does
        RegistrarHealth health = new RegistrarHealth(cfg.clock(), RegistrarHealth.SUMMARY_MILLIS, 2 * 64 * cfg.t1Millis(),
                r -> throttle.hostFailing(RegisterTransactions.hostOf(r)),
                r -> throttle.hostRecovered(RegisterTransactions.hostOf(r)));
        this.transactions = new RegisterTransactions(this, cfg, transport, throttle, counters, targets, txns, challenges,
                health);
        this.responses = new RegisterResponses(this, transactions, cfg, challenges, latencies, health);
        this.takeOver = new BindingTakeOver(this, cfg, targets, transport, counters);
    }

    /** The binding a restart takes over (see {@link BindingTakeOver}). */
    BindingTakeOver takeOver() {
        return takeOver;
    }

    /** A response to one of our REGISTERs (see {@link RegisterResponses}). */
    void onResponse(Txn txn, SipMessage m) {
        responses.onResponse(txn, m);
    }

    String contactOf(Registration r, Flow flow) {
        return RequestBuilder.contactUri(r.selector, cfg.advertisedAddress().orElse(flow.localHost()), flow.localPort(),
                flow.transport());
    }

    /** Registers (or re-registers) now, unless a REGISTER is already under way or the gate holds it back. */
    void register(Registration r) {
        if (r.busy() || r.leaving()) {
            return;
        }
        if (gate.holdsBack(r, () -> register(r))) {
            return; // not ours to register now (no lease): nothing is sent
        }
        if (r.state != RegistrationState.REGISTERED) {
            setState(r, RegistrationState.REGISTERING, r.reason);
        }
        transactions.send(r, false, 0, null, false);
    }

    /** Removes the binding (Expires 0) if there is one, then runs {@code after}. */
    void unregister(Registration r, Runnable after) {
        r.afterUnregister(after);
        r.cancelTimer();
        if (r.busy()) {
            return; // the transaction's end checks idle/removed and continues here
        }
        if (r.registeredUntil > cfg.clock().millis()) {
            transactions.send(r, true, 0, null, false);
        } else {
            unregistered(r);
        }
    }

    /** The transaction's flow closed under it. */
    void flowClosed(Registration r, Flow flow) {
        if (r.flow != flow) {
            return;
        }
        r.flow = null;
        Txn txn = r.txn;
        if (txn != null && txn.flow == flow) {
            transactions.finish(txn);
            counters.transportErrors.increment();
            failure(r, RetryClass.TRANSIENT, "transport: " + flow.closeReason(), 0);
        } else if (!r.busy() && r.state == RegistrationState.REGISTERED && !r.leaving()) {
            LOG.debug("Flow {} closed; re-registering {}", flow, r.selector);
            register(r);
        }
    }

    void failure(Registration r, RetryClass cls, String reason, long retryAfterMillis) {
        r.exchange = Registration.Exchange.NONE;
        Redirects.reset(r);
        if (r.leaving()) {
            unregistered(r);
            return;
        }
        if (r.failureClass != cls) {
            r.failureClass = cls;
            r.failures = 0;
        }
        r.failures++;
        long delay = Delays.retryMillis(rs, cls, r.failures, retryAfterMillis, cfg.random());
        if (r.registeredUntil <= cfg.clock().millis()) {
            r.registeredUntil = 0;
        }
        setState(r, cls.state, reason);
        try (LogContext lc = LogContext.instance(r.selector, r.record.account().registrarHost())) {
            if (r.failures == 1 && cls != RetryClass.TRANSIENT) {
                LOG.info("Instance {} ({}): {} ({}); retry in {} ms", r.selector, r.record.account().aor(), reason, cls.state, delay);
            } else {
                LOG.debug("Instance {} ({}): {}; retry in {} ms", r.selector, r.record.account().aor(), reason, delay);
            }
        }
        r.nextAttemptAt = cfg.clock().millis() + delay;
        r.registerIn(delay);
    }

    void noteResponse(Registration r, String response) {
        // "200 OK" and a few others for every instance: one shared string each, not one per instance
        r.lastResponse = responseTexts.share(response);
        r.lastResponseAt = cfg.clock().millis();
    }

    void unregistered(Registration r) {
        r.registeredUntil = 0;
        r.contact(null, contactTails);
        r.cancelTimer();
        Runnable after = r.afterUnregister();
        r.afterUnregister(null);
        if (!r.leaving()) {
            // Asked back (the app left the foreground) while the Expires 0 was under way: the
            // binding is gone now, so register again instead of settling in Idle.
            setState(r, RegistrationState.REGISTERING, "");
            register(r);
            return;
        }
        if (after != null) {
            after.run();
        }
    }

    void setState(Registration r, RegistrationState state, String reason) {
        if (r.state != state || !r.reason.equals(reason) || r.published == null) {
            r.state = state;
            r.reason = reason;
            publish(r);
        }
    }

    /**
     * Publishes the state. The Contact is stored while a binding is held (also in Error, while
     * it has not expired), so that a restarted process knows which binding is ours.
     */
    void publish(Registration r) {
        Published before = r.published;
        Published p = Published.of(r, cfg.clock().instant());
        r.published = p;
        if (before != null && p.quietRefreshOf(before)) {
            return;
        }
        InstanceState s = p.toState(r.selector, cfg.serverName(), r.callId());
        try {
            listener.stateChanged(s);
        } catch (RuntimeException e) {
            LOG.error("Registration listener failed on {}", r.selector, e);
        }
    }

    /** The last published state of an instance as a record, or null before the first publication. */
    InstanceState stateOf(Registration r) {
        Published p = r.published;
        return p == null ? null : p.toState(r.selector, cfg.serverName(), r.callId());
    }
}
