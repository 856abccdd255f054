package org.opensipis.sip.call;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Decides, for the first INVITE of a call to an instance this process knows, whether this
 * process pushes it. While an instance moves between processes (docs/design-rebalance.md) the
 * registrar has both processes' bindings for a moment and forks the INVITE to both; exactly one
 * of them may push. The other answers its branch {@code 480 Temporarily Unavailable} without
 * pushing, so the proxy's fork keeps the pushing branch (RFC 3261 §16.7: a 4xx never cancels the
 * other branches, and a 2xx or a later 4xx from the pushing branch is what the caller sees).
 */
@FunctionalInterface
public interface ForkGate {

    /**
     * Push, or answer the branch without pushing ({@code reason} goes into the Reason header's
     * text), or take the call in without pushing because it is a call another process pushed and
     * now hands over ({@code handedOverBy} names that process; empty otherwise).
     */
    record Verdict(boolean push, String reason, String handedOverBy) {
        public static final Verdict PUSH = new Verdict(true, "");

        public Verdict(boolean push, String reason) {
            this(push, reason, "");
        }

        public static Verdict decline(String reason) {
            return new Verdict(false, reason);
        }

        /** A call pushed by {@code process}, which holds the caller's transaction and forwards it here. */
        public static Verdict handedOver(String process) {
            return new Verdict(false, "handed over by " + process, process);
        }

        public boolean isHandOver() {
            return !handedOverBy.isEmpty();
        }
    }

    /**
     * Called on an I/O or owner thread; must not block. The stage may complete later on any
     * thread (e.g. after a database round trip); a failed stage counts as {@link Verdict#PUSH}:
     * a call pushed twice is better than a call not pushed.
     *
     * @param selector the instance
     * @param callKey  the same on every branch of one forked INVITE: Call-ID, From tag, CSeq number
     */
    CompletionStage<Verdict> invite(String selector, String callKey);

    /**
     * As {@link #invite(String, String)}, knowing where the INVITE came from (the socket address
     * of the sender, never a header): only a gate that can tell a peer process's forwarded call
     * ({@link Verdict#handedOver}) needs it.
     *
     * @param from the sender's address, or null when unknown
     */
    default CompletionStage<Verdict> invite(String selector, String callKey, java.net.InetSocketAddress from) {
        return invite(selector, callKey);
    }

    /**
     * This process is about to hand a call it pushed over to the process that now holds the
     * instance (docs/design-rebalance.md, "A call pushed during a move"): make sure the call's
     * push claim names this process, so that the new holder knows the call was pushed and does
     * not push it again. Completes (any thread) once that is so, or failed; never blocks.
     */
    default CompletionStage<Void> handingOver(String selector, String callKey) {
        return CompletableFuture.completedFuture(null);
    }

    /**
     * Decides, for a new out-of-dialog MESSAGE to an instance this process takes messages for
     * ({@link #takesMessages}), whether this process stores and pushes it. The registrar forks a
     * MESSAGE like an INVITE during an overlap; exactly one process may push it. The other
     * answers its branch {@code 480 Temporarily Unavailable} without storing or pushing: a 4xx
     * never ends the proxy's other branch early (RFC 3261 §16.7 forwards the first 2xx at once and
     * otherwise picks the best final response), so the pusher's own answer (202, 200, or a
     * filter's rejection) is what the sender sees; a 2xx here would be forwarded at once and hide
     * the pusher's answer. Same threading and failure rule as {@link #invite}.
     *
     * @param messageKey the same on every branch of one forked MESSAGE: Call-ID, From tag, CSeq number
     */
    default CompletionStage<Verdict> message(String selector, String messageKey) {
        return CompletableFuture.completedFuture(Verdict.PUSH);
    }

    /**
     * Whether a MESSAGE (out of dialog) for the instance is handled here; false: 404, as for an
     * instance this process does not know. Lock-free, any thread.
     */
    default boolean takesMessages(String selector) {
        return true;
    }

    /** Without leases: every INVITE is pushed. */
    ForkGate PUSH_ALL = (selector, callKey) -> CompletableFuture.completedFuture(Verdict.PUSH);
}
