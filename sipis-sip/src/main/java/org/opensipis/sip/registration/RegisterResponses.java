package org.opensipis.sip.registration;

import java.util.Map;
import java.util.OptionalInt;
import org.opensipis.core.instance.RegistrationState;
import org.opensipis.core.settings.RegistrationSettings;
import org.opensipis.sip.digest.DigestChallenge;
import org.opensipis.sip.message.SipMessage;
import org.opensipis.sip.message.SipParseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a final response to one of our REGISTERs means for the instance: answer a challenge,
 * take the granted expiry and schedule the refresh, follow a redirect, raise Min-Expires, or back
 * off. Part of {@link InstanceMachine}; every method runs on the instance's owner.
 */
final class RegisterResponses {

    private static final Logger LOG = LoggerFactory.getLogger(RegisterResponses.class);

    private final InstanceMachine machine;
    private final RegisterTransactions transactions;
    private final EngineConfig cfg;
    private final RegistrationSettings rs;
    private final Map<String, DigestChallenge> challenges;
    private final Latencies latencies;
    private final RegistrarHealth health;

    RegisterResponses(InstanceMachine machine, RegisterTransactions transactions, EngineConfig cfg,
                      Map<String, DigestChallenge> challenges, Latencies latencies, RegistrarHealth health) {
        this.machine = machine;
        this.transactions = transactions;
        this.cfg = cfg;
        this.rs = cfg.registration();
        this.challenges = challenges;
        this.latencies = latencies;
        this.health = health;
    }

    void onResponse(Txn txn, SipMessage m) {
        org.opensipis.sip.owner.Owners.check(txn.reg.owner, "RegisterResponses.onResponse", txn.reg.selector);
        Registration r = txn.reg;
        if (txn.done || r.txn != txn) {
            return;
        }
        int code = m.status();
        if (code < 200) {
            return;
        }
        transactions.finish(txn);
        latencies.record(System.nanoTime() - txn.sentNanos);
        machine.noteResponse(r, code + " " + m.reason());
        health.answered(RegisterTransactions.registrarName(txn.target));
        try {
            handleFinal(r, txn, m, code);
        } catch (SipParseException e) {
            machine.failure(r, RetryClass.FATAL, code + " response unusable: " + e.getMessage(), 0);
        }
    }

    private void handleFinal(Registration r, Txn txn, SipMessage m, int code) {
        String status = code + " " + m.reason();
        if (code == 401 || code == 407) {
            DigestChallenge ch = DigestChallenge.best(m.headers("www-authenticate"), m.headers("proxy-authenticate"));
            if (ch == null) {
                machine.failure(r, RetryClass.FATAL, status + " without a usable Digest challenge", 0);
                return;
            }
            challenges.put(RegisterTransactions.challengeKey(txn.target, r.record.account()), ch);
            boolean fresh = txn.authTries == 0 || txn.preemptive || ch.stale();
            if (fresh && txn.authTries < 3) {
                transactions.send(r, txn.unregister, txn.authTries + 1, ch, true);
            } else {
                machine.failure(r, RetryClass.AUTH, status + " (credentials refused)", 0);
            }
            return;
        }
        if (txn.unregister) {
            machine.unregistered(r);
            return;
        }
        if (code < 300) {
            success(r, txn, m);
        } else if (code == 403) {
            machine.failure(r, RetryClass.AUTH, status, 0);
        } else if (code == 423) {
            OptionalInt min = m.intHeader("min-expires");
            if (min.isPresent() && min.getAsInt() > r.expires) {
                r.expires = min.getAsInt();
                transactions.send(r, false, 0, null, true);
            } else {
                machine.failure(r, RetryClass.FATAL, status + " without a larger Min-Expires", 0);
            }
        } else if (code == 408 || code >= 500 && code < 600) {
            if (code == 503) {
                r.targetIndex++;
            }
            OptionalInt after = m.intHeader("retry-after");
            machine.failure(r, RetryClass.TRANSIENT, status, after.isPresent() ? after.getAsInt() * 1000L : 0);
        } else if (code < 400 && Redirects.follow(r, txn.target.address(), m)) {
            transactions.send(r, false, 0, null, true); // RFC 3261 8.1.3.4: try the Contact of the 3xx
        } else {
            machine.failure(r, RetryClass.FATAL, status, 0);
        }
    }

    private void success(Registration r, Txn txn, SipMessage m) {
        int granted = Responses.granted(r.selector, txn.contact, r.expires, m);
        long now = cfg.clock().millis();
        if (granted <= 0) {
            machine.failure(r, RetryClass.TRANSIENT, "200 OK without our binding", 0);
            return;
        }
        if (txn.staleContact != null) {
            LOG.debug("Instance {}: removed the older binding {} while registering {}", r.selector, txn.staleContact,
                    txn.contact);
        }
        r.contact(txn.contact, machine.contactTails);
        r.registeredUntil = now + granted * 1000L;
        r.failures = 0;
        r.failureClass = null;
        r.state = RegistrationState.REGISTERED;
        r.reason = "";
        machine.publish(r);
        if (r.leaving()) {
            machine.unregister(r, r.afterUnregister());
            return;
        }
        long delay = Delays.refreshMillis(rs, granted, cfg.random());
        r.nextAttemptAt = now + delay;
        r.registerIn(delay);
    }
}
