package org.opensipis.sip.call;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.opensipis.sip.incoming.text.TextMessages;
import org.opensipis.sip.message.SipMessage;
import org.opensipis.sip.owner.Owner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Out-of-dialog MESSAGEs to an instance (docs/incoming-calls.md): a non-INVITE server
 * transaction each, the fork gate's verdict during a hand-over ({@link ForkGate#message}), then
 * {@link TextMessages}. Runs on the instance's owner; the transactions map is shared.
 */
final class MessageRequests {

    private static final Logger LOG = LoggerFactory.getLogger(IncomingRequests.class);

    private final CallConfig cfg;
    private final TextMessages texts;
    private final Responses responses;
    private final Counters counters;
    private final IncomingListener listener;
    private final Supplier<String> tag;
    private final Map<String, MessageTxn> messageTxns = new ConcurrentHashMap<>();

    MessageRequests(CallConfig cfg, TextMessages texts, Responses responses, Counters counters,
                    IncomingListener listener, Supplier<String> tag) {
        this.cfg = cfg;
        this.texts = texts;
        this.responses = responses;
        this.counters = counters;
        this.listener = listener;
        this.tag = tag;
    }

    /** MESSAGE as a non-INVITE server transaction: retransmissions get the same answer (Timer J). */
    void handle(Directory.Callee c, SipMessage m, Peer peer, ForkGate forkGate) {
        String key = TxnKeys.of(m);
        MessageTxn existing = messageTxns.get(key);
        if (existing != null) {
            if (existing.response != null) {
                peer.send(existing.response);
            }
            return;
        }
        MessageTxn t = new MessageTxn(); // retransmissions are absorbed from here on, also while the gate decides
        messageTxns.put(key, t);
        Owner owner = c.owner();
        CompletableFuture<ForkGate.Verdict> verdict;
        try {
            verdict = forkGate.message(c.selector(), TxnKeys.call(m)).toCompletableFuture();
        } catch (RuntimeException e) {
            verdict = CompletableFuture.failedFuture(e);
        }
        verdict.whenComplete((v, e) -> owner.execute(() -> {
            if (e != null || v == null) {
                LOG.warn("Fork gate failed for MESSAGE {}: {}; handling it here", m.callId(), e);
            }
            if (e != null || v == null || v.push()) {
                texts.handle(c.record(), m).whenComplete((reply, e2) -> owner.execute(() -> {
                    TextMessages.Reply r = reply != null ? reply
                            : new TextMessages.Reply(500, "Server Internal Error", "failed");
                    answerMessage(c, m, peer, key, t, r, List.of());
                }));
            } else {
                // another process stores and pushes this MESSAGE (see ForkGate#message for why 480)
                String text = v.reason().replace('"', '\'').replace('\\', '/');
                answerMessage(c, m, peer, key, t, new TextMessages.Reply(480, "Temporarily Unavailable",
                        "pushed-by-another-process"), List.of(Responses.REASON + ": " + CallMachine.PUSHED_ELSEWHERE,
                        "Reason: SIP;cause=480;text=\"" + text + "\""));
            }
        }));
    }

    private void answerMessage(Directory.Callee c, SipMessage m, Peer peer, String key, MessageTxn t,
                               TextMessages.Reply r, List<String> extra) {
        Owner owner = c.owner();
        counters.message(r.outcome());
        listener.textMessage(c.selector(), r.outcome());
        t.response = responses.build(m, r.code(), r.phrase(), tag.get(), peer, extra);
        peer.send(t.response);
        if (peer.reliable()) {
            messageTxns.remove(key, t);
        } else {
            owner.schedule(() -> messageTxns.remove(key, t), cfg.timers().transactionTimeoutMillis()); // Timer J
        }
    }

    private static final class MessageTxn {
        volatile byte[] response;
    }
}
