package org.opensipis.sip.registration;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.opensipis.core.instance.InstanceState;
import org.opensipis.core.instance.RegistrationState;
import org.opensipis.core.instance.SharedParts;
import org.opensipis.core.instance.SipAccount;
import org.opensipis.core.instance.SipAccount.Transport;
import org.opensipis.core.settings.RegistrationSettings;
import org.opensipis.sip.digest.DigestAuthorizer;
import org.opensipis.sip.digest.DigestChallenge;
import org.opensipis.sip.dns.Target;
import org.opensipis.sip.message.SipMessage;
import org.opensipis.sip.throttle.Throttle;
import org.opensipis.sip.transport.Flow;
import org.opensipis.sip.transport.SipTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-instance REGISTER state machine: resolve, throttle, send, retransmit (Timer E/F),
 * back off, unregister. Final responses (challenges, refresh, redirects) are read by
 * {@link RegisterResponses}; a binding taken over at restart is resumed by
 * {@link BindingTakeOver}. Every method runs on the instance's owner.
 */
final class InstanceMachine {

    private static final Logger LOG = LoggerFactory.getLogger(InstanceMachine.class);

    private final EngineConfig cfg;
    private final RegistrationSettings rs;
    private final SipTransport transport;
    private final Throttle throttle;
    private final Counters counters;
    private final Targets targets;
    private final RegistrationListener listener;
    private final Map<String, Txn> txns;
    private final Map<String, DigestChallenge> challenges;
    private final DigestAuthorizer authorizer;
    private final Latencies latencies;
    private final RegistrarHealth health;
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
        this.transport = transport;
        this.throttle = throttle;
        this.counters = counters;
        this.targets = targets;
        this.listener = listener;
        this.txns = txns;
        this.challenges = challenges;
        this.authorizer = new DigestAuthorizer();
        this.latencies = latencies;
        // a REGISTER's failure can come up to Timer F after it was sent: keep what ended an outage twice that long
        // and the throttle probes a registrar that does not answer, then ramps up again when it does
        this.health = new RegistrarHealth(cfg.clock(), RegistrarHealth.SUMMARY_MILLIS, 2 * 64 * cfg.t1Millis(),
                r -> throttle.hostFailing(hostOf(r)), r -> throttle.hostRecovered(hostOf(r)));
        this.responses = new RegisterResponses(this, cfg, challenges, latencies, health);
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

    static String registrarName(Target t) {
        return t.address().getAddress().getHostAddress() + ":" + t.address().getPort() + "/"
                + t.transport().name().toLowerCase(java.util.Locale.ROOT);
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
        send(r, false, 0, null);
    }

    /** Removes the binding (Expires 0) if there is one, then runs {@code after}. */
    void unregister(Registration r, Runnable after) {
        r.afterUnregister = after;
        r.cancelTimer();
        if (r.busy()) {
            return; // the transaction's end checks idle/removed and continues here
        }
        if (r.registeredUntil > cfg.clock().millis()) {
            send(r, true, 0, null);
        } else {
            unregistered(r);
        }
    }

    void send(Registration r, boolean unregister, int authTries, DigestChallenge challenge) {
        send(r, unregister, authTries, challenge, false);
    }

    private static String throttleKey(Target t) {
        return t.address().getAddress().getHostAddress();
    }

    /** The throttle's key (the address) of a {@link #registrarName}. */
    static String hostOf(String registrarName) {
        return registrarName.substring(0, registrarName.lastIndexOf(':'));
    }

    void send(Registration r, boolean unregister, int authTries, DigestChallenge challenge, boolean continuation) {
        r.exchange = Registration.Exchange.REGISTER;
        r.cancelTimer();
        SipAccount a = r.redirectedTo != null ? r.redirectedTo : r.record.account();
        onOwner(r, targets.resolve(a), (resolved, err) -> {
            if (err != null) {
                // a refused target waits like any other 4xx: only a DNS change can make it pass
                failure(r, cause(err) instanceof Targets.RefusedTarget ? RetryClass.FATAL : RetryClass.TRANSIENT,
                        cause(err).getMessage(), 0);
                return;
            }
            List<Target> list = r.redirectedTo == null ? resolved : Redirects.sameScope(resolved, r.redirectedFrom);
            if (list.isEmpty()) {
                failure(r, RetryClass.FATAL, "redirect to " + a.registrarHost() + " refused: another kind of address", 0);
                return;
            }
            Target t = list.get(Math.floorMod(r.targetIndex, list.size()));
            onOwner(r, transport.flow(t.transport(), t.address(), t.serverName()), (flow, ferr) -> {
                if (ferr != null || flow.closed()) { // closed before we could use it: e.g. a TLS 1.3 alert
                    counters.transportErrors.increment();
                    r.targetIndex++;
                    String reason = "transport: " + (ferr != null ? cause(ferr).getMessage() : flow.closeReason());
                    health.failed(registrarName(t), reason, cfg.clock().millis());
                    failure(r, RetryClass.TRANSIENT, reason, 0);
                    return;
                }
                prepare(r, t, flow, unregister, authTries, challenge, continuation);
            });
        });
    }

    /** Continues on the owner: at once when the future is already done (cached DNS, UDP), else after a hop. */
    static <T> void onOwner(Registration r, java.util.concurrent.CompletableFuture<T> f,
                                    java.util.function.BiConsumer<T, Throwable> next) {
        if (f.isDone() && !f.isCompletedExceptionally()) {
            next.accept(f.join(), null);
        } else {
            f.whenComplete((v, err) -> r.owner.execute(() -> next.accept(v, err)));
        }
    }

    /**
     * Builds the request and queues it at the throttle. The grant itself puts the bytes on the
     * wire (from the throttle's thread), so a request leaves exactly when its permit is given,
     * however busy the owner is; the owner then starts the transaction's timers.
     */
    private void prepare(Registration r, Target t, Flow flow, boolean unregister, int authTries,
                         DigestChallenge explicit, boolean continuation) {
        SipAccount a = r.record.account();
        String key = challengeKey(t, a);
        r.cseq++;
        r.flow = flow;
        long cseq = r.cseq;
        String callId = r.callId();
        String branch = "z9hG4bK" + Long.toHexString(cfg.random().nextLong() & Long.MAX_VALUE) + Long.toHexString(cseq);
        Txn txn = new Txn(r, branch, unregister, authTries);
        txn.flow = flow;
        txn.target = t;
        String host = cfg.advertisedAddress().orElse(flow.localHost());
        String contact = contactOf(r, flow);
        // a binding of ours from another Contact (Registration[Port] or the address changed, a new TCP
        // connection) is removed in this same request, or calls would fork to it until it expired
        String held = r.registeredUntil > cfg.clock().millis() ? r.contact() : null;
        String stale = held != null && !held.equals(contact) ? held : null;
        txn.contact = contact;
        txn.staleContact = stale;
        int expires = unregister ? 0 : r.expires;
        r.txn = txn;
        txns.put(branch, txn);
        // Built at grant time, so that the freshest cached challenge of the registrar is used.
        Runnable grant = () -> {
            if (!txn.done) {
                DigestChallenge ch = explicit != null ? explicit : (cfg.preemptiveAuth() ? challenges.get(key) : null);
                String authValue = ch == null ? null : authorizer.authorize(ch, a.authUser(), a.password().reveal(),
                        "REGISTER", RequestBuilder.requestUri(a));
                txn.preemptive = explicit == null && ch != null;
                byte[] bytes = RequestBuilder.register(a, callId, cseq, branch, host, flow.localPort(), flow.transport(),
                        contact, stale, expires, cfg.userAgent(), ch == null ? null : DigestAuthorizer.headerName(ch),
                        authValue);
                if (flow.transport() == Transport.UDP) {
                    txn.bytes = bytes;
                }
                txn.sentNanos = System.nanoTime();
                counters.registersSent.increment();
                flow.send(bytes);
            }
            if (r.owner.inOwner()) {
                sent(txn); // the throttle and the instance share the I/O loop: no hop
            } else {
                r.owner.execute(() -> sent(txn));
            }
        };
        if (continuation) {
            throttle.submitUrgent(throttleKey(t), grant);
        } else {
            // earliest lapse first: a binding about to expire goes before one that still holds
            long lapses = !unregister && r.registeredUntil > cfg.clock().millis() ? r.registeredUntil : Long.MIN_VALUE;
            throttle.submit(throttleKey(t), lapses, grant);
        }
    }

    /** On the owner after the permit was granted (and the request sent, unless already finished). */
    private void sent(Txn txn) {
        txn.granted = true;
        txn.sentAt = cfg.clock().millis();
        if (txn.done) {
            throttle.release();
            return;
        }
        if (txn.flow.transport() == Transport.UDP) {
            txn.retransmitMillis = cfg.timers().t1Millis();
            txn.timerE = txn.reg.owner.schedule(() -> retransmit(txn), txn.retransmitMillis);
        }
        txn.timerF = txn.reg.owner.schedule(() -> timeout(txn), cfg.timers().transactionTimeoutMillis());
    }

    /** Timer E: the retransmission passes the token buckets too (it is a REGISTER on the wire). */
    private void retransmit(Txn txn) {
        if (txn.done || !txn.flow.isOpen()) {
            return;
        }
        byte[] bytes = txn.bytes;
        throttle.pace(throttleKey(txn.target), () -> !txn.done, () -> {
            if (!txn.done) {
                txn.flow.send(bytes);
                counters.retransmissions.increment();
            }
        });
        txn.retransmitMillis = cfg.timers().nextRetransmitMillis(txn.retransmitMillis);
        txn.timerE = txn.reg.owner.schedule(() -> retransmit(txn), txn.retransmitMillis);
    }

    private void timeout(Txn txn) {
        if (txn.done) {
            return;
        }
        Registration r = txn.reg;
        finish(txn);
        counters.timeouts.increment();
        noteResponse(r, "timeout");
        r.targetIndex++;
        String reason = "timeout: no response from " + txn.target.address();
        health.failed(registrarName(txn.target), reason, txn.sentAt);
        failure(r, RetryClass.TRANSIENT, reason, 0);
    }

    /** The transaction's flow closed under it. */
    void flowClosed(Registration r, Flow flow) {
        if (r.flow != flow) {
            return;
        }
        r.flow = null;
        Txn txn = r.txn;
        if (txn != null && txn.flow == flow) {
            finish(txn);
            counters.transportErrors.increment();
            failure(r, RetryClass.TRANSIENT, "transport: " + flow.closeReason(), 0);
        } else if (!r.busy() && r.state == RegistrationState.REGISTERED && !r.leaving()) {
            LOG.debug("Flow {} closed; re-registering {}", flow, r.selector);
            register(r);
        }
    }

    void finish(Txn txn) {
        txn.done = true;
        txn.cancelTimers();
        txn.bytes = null;
        txns.remove(txn.branch, txn);
        Registration r = txn.reg;
        if (r.txn == txn) {
            r.txn = null;
        }
        r.exchange = Registration.Exchange.NONE;
        if (txn.granted) {
            throttle.release();
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
        long delay = cls.delayMillis(rs, r.failures);
        delay += (long) (delay * rs.jitter() * cfg.random().nextDouble());
        delay = Math.max(delay, retryAfterMillis);
        if (r.registeredUntil <= cfg.clock().millis()) {
            r.registeredUntil = 0;
        }
        setState(r, cls.state, reason);
        try (org.opensipis.core.log.LogContext lc = org.opensipis.core.log.LogContext.instance(r.selector,
                r.record.account().registrarHost())) {
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
        Runnable after = r.afterUnregister;
        r.afterUnregister = null;
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

    void publish(Registration r) {
        Published p = Published.of(r, cfg.clock().instant());
        r.published = p;
        InstanceState s = p.toState(r.selector, cfg.serverName(), r.callId());
        try {
            listener.stateChanged(s);
        } catch (RuntimeException e) {
            LOG.error("Registration listener failed on {}", r.selector, e);
        }
    }

    /**
     * The state to publish. The Contact is stored while a binding is held (also in Error, while
     * it has not expired), so that a restarted process knows which binding is ours.
     */
    /** The last published state of an instance as a record, or null before the first publication. */
    InstanceState stateOf(Registration r) {
        Published p = r.published;
        return p == null ? null : p.toState(r.selector, cfg.serverName(), r.callId());
    }

    static String challengeKey(Target t, SipAccount a) {
        return t.serverName() + "|" + a.domain();
    }

    private static Throwable cause(Throwable t) {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }
}
