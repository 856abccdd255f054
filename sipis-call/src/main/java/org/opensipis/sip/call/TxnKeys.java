package org.opensipis.sip.call;

import java.util.Locale;
import org.opensipis.sip.message.HeaderParams;
import org.opensipis.sip.message.SipMessage;

/**
 * Server transaction keys (RFC 3261 17.2.3). With the magic cookie {@code z9hG4bK} in the top
 * Via branch a request belongs to a transaction by branch, sent-by and method (ACK and CANCEL
 * look up the INVITE's transaction). Without it (RFC 2543 senders) the Request-URI, To tag, From
 * tag, Call-ID, CSeq number and the whole top Via decide; the ACK's To tag is ours, so it is
 * compared after the lookup ({@link #ackMatches}). Stateless.
 */
final class TxnKeys {

    static final String COOKIE = "z9hG4bK";

    private TxnKeys() {
    }

    /**
     * The key of the transaction {@code m} creates or belongs to. ACK and CANCEL give the key of
     * the INVITE transaction they refer to; every other method its own.
     */
    static String of(SipMessage m) {
        String method = m.method();
        String txnMethod = "ACK".equals(method) || "CANCEL".equals(method) ? "INVITE" : method;
        String branch = m.topBranch();
        if (branch.startsWith(COOKIE)) {
            return "3261|" + branch + "|" + m.topSentBy() + "|" + txnMethod;
        }
        String toTag = "ACK".equals(method) ? "" : tag(m.header("to").orElse(""));
        return "2543|" + m.requestUri() + "|" + toTag + "|" + tag(m.header("from").orElse("")) + "|" + m.callId()
                + "|" + m.cseq() + "|" + normalisedVia(m.topVia()) + "|" + txnMethod;
    }

    /**
     * The same on every branch a proxy forks one INVITE to (Call-ID, From tag, CSeq number: a
     * forking proxy changes neither, RFC 3261 §16.6), unlike the transaction key (the branch).
     */
    static String call(SipMessage m) {
        return m.callId() + "|" + tag(m.header("from").orElse("")) + "|" + m.cseq();
    }

    /** An ACK without the cookie matches only when its To tag is the one of our response. */
    static boolean ackMatches(SipMessage ack, String ourTag) {
        if (ack.topBranch().startsWith(COOKIE)) {
            return true;
        }
        return ourTag.equalsIgnoreCase(tag(ack.header("to").orElse("")));
    }

    private static String tag(String nameAddr) {
        String t = HeaderParams.param(nameAddr, "tag");
        return t == null ? "" : t;
    }

    private static String normalisedVia(String via) {
        StringBuilder b = new StringBuilder(via.length());
        for (int i = 0; i < via.length(); i++) {
            char c = via.charAt(i);
            if (c != ' ' && c != '\t') {
                b.append(c);
            }
        }
        return b.toString().toLowerCase(Locale.ROOT);
    }
}
