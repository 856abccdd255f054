package org.opensipis.sip.registration;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BiConsumer;
import org.opensipis.core.instance.SipAccount;
import org.opensipis.core.instance.SipAccount.Transport;
import org.opensipis.sip.digest.DigestAuthorizer;
import org.opensipis.sip.digest.DigestChallenge;
import org.opensipis.sip.dns.Target;
import org.opensipis.sip.throttle.Throttle;
import org.opensipis.sip.transport.Flow;
import org.opensipis.sip.transport.SipTransport;

/**
 * The REGISTER client transactions (RFC 3261 17.1.2): resolve the registrar, open the flow, build
 * the request at the throttle's grant, retransmit (Timer E), time out (Timer F), finish. One per
 * engine, shared by its instances (the state of a transaction is its {@link Txn}). Part of
 * {@link InstanceMachine}, which decides what a failure means; every method runs on the instance's owner.
 */
final class RegisterTransactions {

    private final InstanceMachine machine;
    private final EngineConfig cfg;
    private final SipTransport transport;
    private final Throttle throttle;
    private final Counters counters;
    private final Targets targets;
    private final Map<String, Txn> txns;
    private final Map<String, DigestChallenge> challenges;
    private final DigestAuthorizer authorizer = new DigestAuthorizer();
    private final RegistrarHealth health;

    RegisterTransactions(InstanceMachine machine, EngineConfig cfg, SipTransport transport, Throttle throttle,
                         Counters counters, Targets targets, Map<String, Txn> txns,
                         Map<String, DigestChallenge> challenges, RegistrarHealth health) {
        this.machine = machine;
        this.cfg = cfg;
        this.transport = transport;
        this.throttle = throttle;
        this.counters = counters;
        this.targets = targets;
        this.txns = txns;
        this.challenges = challenges;
        this.health = health;
    }

    static String registrarName(Target t) {
        return t.address().getAddress().getHostAddress() + ":" + t.address().getPort() + "/"
                + t.transport().name().toLowerCase(Locale.ROOT);
    }

    /** The throttle's key (the address) of a {@link #registrarName}. */
    static String hostOf(String registrarName) {
        return registrarName.substring(0, registrarName.lastIndexOf(':'));
    }

    private static String throttleKey(Target t) {
        return t.address().getAddress().getHostAddress();
    }

    static String challengeKey(Target t, SipAccount a) {
        return t.serverName() + "|" + a.domain();
    }

    /** Continues on the owner: at once when the future is already done (cached DNS, UDP), else after a hop. */
    static <T> void onOwner(Registration r, CompletableFuture<T> f, BiConsumer<T, Throwable> next) {
        if (f.isDone() && !f.isCompletedExceptionally()) {
            next.accept(f.join(), null);
        } else {
            f.whenComplete((v, err) -> r.owner.execute(() -> next.accept(v, err)));
        }
    }

    void send(Registration r, boolean unregister, int authTries, DigestChallenge challenge, boolean continuation) {
        r.exchange = Registration.Exchange.REGISTER;
        r.cancelTimer();
        SipAccount a = r.redirectedTo() != null ? r.redirectedTo() : r.record.account();
        onOwner(r, targets.resolve(a), (resolved, err) -> {
            if (err != null) {
                // a refused target waits like any other 4xx: only a DNS change can make it pass
                machine.failure(r, cause(err) instanceof Targets.RefusedTarget ? RetryClass.FATAL : RetryClass.TRANSIENT,
                        cause(err).getMessage(), 0);
                return;
            }
            List<Target> list = r.redirectedTo() == null ? resolved : Redirects.sameScope(resolved, r.redirectedFrom());
            if (list.isEmpty()) {
                machine.failure(r, RetryClass.FATAL, "redirect to " + a.registrarHost() + " refused: another kind of address", 0);
                return;
            }
            Target t = list.get(Math.floorMod(r.targetIndex, list.size()));
            onOwner(r, transport.flow(t.transport(), t.address(), t.serverName()), (flow, ferr) -> {
                if (ferr != null || flow.closed()) { // closed before we could use it: e.g. a TLS 1.3 alert
                    counters.transportErrors.increment();
                    r.targetIndex++;
                    String reason = "transport: " + (ferr != null ? cause(ferr).getMessage() : flow.closeReason());
                    health.failed(registrarName(t), reason, cfg.clock().millis());
                    machine.failure(r, RetryClass.TRANSIENT, reason, 0);
                    return;
                }
                prepare(r, t, flow, unregister, authTries, challenge, continuation);
            });
        });
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
        String contact = machine.contactOf(r, flow);
        // a binding of ours from another Contact (Registration[Port] or the address changed, a new TCP
        // connection) is removed in this same request, or calls would fork to it until it expired
        String held = r.registeredUntil > cfg.clock().millis() ? r.contact() : null;
        String stale = held != null && !held.equals(contact) ? held : null;
        txn.contact = contact;
        txn.staleContact = stale;
        int expires = unregister ? 0 : r.expires;
        r.txn = txn;
        // Built at grant time, so that the freshest cached challenge of the registrar is used.
        Runnable grant = () -> {
            if (!txn.done) {
                // known by its branch only from now: a cold start queues every instance at the throttle,
                // and the map's table, which never shrinks, would keep the size of that queue for good
                txns.put(branch, txn);
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
            txns.remove(txn.branch, txn); // finished while the grant ran on another thread: it may have put it back
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

    /** Timer F. */
    private void timeout(Txn txn) {
        if (txn.done) {
            return;
        }
        Registration r = txn.reg;
        finish(txn);
        counters.timeouts.increment();
        machine.noteResponse(r, "timeout");
        r.targetIndex++;
        String reason = "timeout: no response from " + txn.target.address();
        health.failed(registrarName(txn.target), reason, txn.sentAt);
        machine.failure(r, RetryClass.TRANSIENT, reason, 0);
    }

    /** Ends the transaction: no more timers or retransmissions, and the throttle's permit back. */
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

    private static Throwable cause(Throwable t) {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }
}
