package org.opensipis.server.lease;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;
import org.opensipis.core.log.RateLimitedLog;
import org.opensipis.sip.call.ForkGate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who pushes a call while its instance moves between processes. During an instance's
 * make-before-break overlap the registrar has the gainer's and the loser's bindings and forks
 * the INVITE to both; neither knows for sure whether the other has its binding yet (the loser
 * learns of the gainer's 200 from {@code instance_states} a moment later; the gainer learns of
 * the loser's removal never). So both, while the instance is <em>contested</em> for them, claim
 * the call in PostgreSQL ({@code push_claims}): the first claim pushes, the other branch is
 * answered 480 without a push. A process that is alone on the instance (its binding is the only
 * one) is always first. An instance under a lease held outright is pushed at once, without the
 * database; an instance this process no longer holds at all (lease lost, not being handed
 * over) is answered 480 without a push, so that the proxy's fork keeps the holder's branch.
 * Out-of-dialog MESSAGEs follow the same rule ({@link #message}).
 */
final class LeaseForkGate implements ForkGate {

    private static final Logger LOG = LoggerFactory.getLogger(LeaseForkGate.class);

    /** What this process is to one instance now. */
    enum Holding {
        /** Under a lease held outright, not moved here recently: the only binding. */
        HELD,
        /** Being handed over, or moved here recently: another process may have a binding too. */
        CONTESTED,
        /** Neither: the lease was lost, or the instance was handed over. */
        NOT_HELD
    }

    /** The {@code push_claims} table: returns the process that pushes {@code callKey}. Blocking. */
    @FunctionalInterface
    interface Claims {
        String claim(String callKey, String owner);
    }

    private final String name;
    private final Function<String, Holding> holding;
    private final Claims claims;
    /** The SIP address ({@code host:port}) a process announced in the database. Blocking. */
    private final Function<String, java.util.Optional<String>> sipAddressOf;
    private final Executor database;
    private final RateLimitedLog failures = new RateLimitedLog(LOG, 10, java.util.concurrent.TimeUnit.SECONDS);

    /**
     * @param database where the blocking claim runs (never an owner or I/O thread); a full queue
     *                 means the call is pushed without a claim
     */
    LeaseForkGate(String name, Function<String, Holding> holding, Claims claims, Executor database) {
        this(name, holding, claims, n -> java.util.Optional.empty(), database);
    }

    /**
     * @param sipAddressOf where a process receives SIP, as it announced itself (blocking, on the
     *                     database executor): a call claimed by another process is taken in
     *                     without a push only when it comes from that process's address
     */
    LeaseForkGate(String name, Function<String, Holding> holding, Claims claims,
                  Function<String, java.util.Optional<String>> sipAddressOf, Executor database) {
        this.sipAddressOf = sipAddressOf;
        this.name = name;
        this.holding = holding;
        this.claims = claims;
        this.database = database;
    }

    @Override
    public CompletionStage<Verdict> invite(String selector, String callKey) {
        return invite(selector, callKey, null);
    }

    /**
     * As for any INVITE, and: when another process holds the claim and the INVITE comes from
     * that process's announced SIP address (the socket's sender, not a header), it is a call that
     * process pushed and now hands over: taken in without a push ({@link Verdict#handedOver}).
     * A forked branch from the proxy comes from the proxy and is declined as before.
     */
    @Override
    public CompletionStage<Verdict> invite(String selector, String callKey, java.net.InetSocketAddress from) {
        switch (holding.apply(selector)) {
            case HELD:
                return CompletableFuture.completedFuture(Verdict.PUSH);
            case NOT_HELD:
                return CompletableFuture.completedFuture(Verdict.decline(name + " does not hold the lease of this instance"));
            default:
                break;
        }
        try {
            return CompletableFuture.supplyAsync(() -> verdict(callKey, from), database);
        } catch (RejectedExecutionException e) {
            failures.warn("Cannot claim the push of call {}: too many claims waiting; pushing it", callKey);
            return CompletableFuture.completedFuture(Verdict.PUSH);
        }
    }

    private Verdict verdict(String callKey, java.net.InetSocketAddress from) {
        String winner;
        try {
            winner = claims.claim(callKey, name);
        } catch (RuntimeException e) {
            // a call pushed twice beats a call not pushed
            failures.warn("Cannot claim the push of call {}: {}; pushing it", callKey, e.getMessage());
            return Verdict.PUSH;
        }
        if (winner.equals(name)) {
            return Verdict.PUSH;
        }
        if (from != null && sentBy(winner, from)) {
            return Verdict.handedOver(winner);
        }
        return Verdict.decline("pushed by " + winner);
    }

    /** Whether {@code from} is the SIP address {@code process} announced. */
    private boolean sentBy(String process, java.net.InetSocketAddress from) {
        try {
            java.util.Optional<java.net.InetSocketAddress> a = sipAddressOf.apply(process).map(LeaseForkGate::parse);
            return a.isPresent() && a.get().getPort() == from.getPort() && a.get().getAddress() != null
                    && a.get().getAddress().equals(from.getAddress());
        } catch (RuntimeException e) {
            failures.warn("Cannot read the SIP address of {}: {}", process, e.getMessage());
            return false;
        }
    }

    /** {@code host:port} (an IPv6 literal in brackets) as a resolved socket address. */
    static java.net.InetSocketAddress parse(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("not host:port: " + hostPort);
        }
        String host = hostPort.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return new java.net.InetSocketAddress(host, Integer.parseInt(hostPort.substring(colon + 1)));
    }

    /**
     * Before this process hands a call it pushed over to the new holder: the claim must name
     * it (a call pushed while the instance was held outright was never claimed), else the new
     * holder would take the forwarded INVITE for a new call and push it again.
     */
    @Override
    public CompletionStage<Void> handingOver(String selector, String callKey) {
        try {
            return CompletableFuture.runAsync(() -> {
                String winner = claims.claim(callKey, name);
                if (!winner.equals(name)) {
                    failures.warn("Handing over call {}: its push claim names {}, not this process", callKey, winner);
                }
            }, database);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * The same rule as for an INVITE: a MESSAGE forked to both processes of an overlap is claimed
     * in the same table (its key is its Call-ID, From tag and CSeq number, which no INVITE shares:
     * a UA never reuses a CSeq number within a Call-ID), so one process stores and pushes it and
     * the other answers 480.
     */
    @Override
    public CompletionStage<Verdict> message(String selector, String messageKey) {
        return invite(selector, messageKey);
    }

    /** MESSAGEs are taken for instances held or being handed over, as before (404 otherwise). */
    @Override
    public boolean takesMessages(String selector) {
        return holding.apply(selector) != Holding.NOT_HELD;
    }
}
