package org.opensipis.sip.message;

import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.message.SIPResponse;
import gov.nist.javax.sip.parser.StringMsgParser;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * JAIN-SIP (jain-sip-ri, the NIST reference implementation) as the reference parser in tests:
 * both parsers read the same bytes, and the verdicts and the values a SIP element acts on
 * (method or status, Call-ID, CSeq, From and To tags, top Via branch) are compared. Test code.
 */
public final class JainSipReference {

    /** A parser's verdict on some bytes: valid with the values read, or invalid with why. */
    public record Verdict(boolean valid, String problem, Map<String, String> values) {
        static Verdict invalid(String why) {
            return new Verdict(false, why, Map.of());
        }
    }

    private JainSipReference() {
    }

    /** Our parser, as a datagram. */
    public static Verdict ours(byte[] bytes) {
        SipMessage m;
        try {
            m = SipMessage.parse(bytes);
        } catch (SipParseException e) {
            return Verdict.invalid(e.getMessage());
        }
        Map<String, String> v = new LinkedHashMap<>();
        v.put("start", m.isResponse() ? Integer.toString(m.status()) : m.method());
        v.put("call-id", m.callId());
        v.put("cseq", m.cseq() + " " + m.cseqMethod());
        v.put("from-tag", Objects.toString(HeaderParams.param(m.header(HeaderNames.FROM).orElse(""), "tag"), ""));
        v.put("to-tag", Objects.toString(HeaderParams.param(m.header(HeaderNames.TO).orElse(""), "tag"), ""));
        v.put("branch", m.topBranch());
        return new Verdict(true, null, v);
    }

    /** JAIN-SIP's parser (strict mode) plus the header checks its stack makes before a transaction sees the message. */
    public static Verdict jainSip(byte[] bytes) {
        SIPMessage m;
        try {
            m = new StringMsgParser().parseSIPMessage(bytes, true, true, null);
            if (m == null) {
                return Verdict.invalid("no message");
            }
            if (m instanceof SIPRequest) {
                ((SIPRequest) m).checkHeaders();
            } else {
                ((SIPResponse) m).checkHeaders();
            }
        } catch (Exception | StackOverflowError e) {
            return Verdict.invalid(e.getClass().getSimpleName() + ": " + Printable.escape(String.valueOf(e.getMessage())));
        }
        try {
            Map<String, String> v = new LinkedHashMap<>();
            v.put("start", m instanceof SIPRequest ? ((SIPRequest) m).getMethod()
                    : Integer.toString(((SIPResponse) m).getStatusCode()));
            v.put("call-id", m.getCallId().getCallId());
            v.put("cseq", m.getCSeq().getSeqNumber() + " " + m.getCSeq().getMethod());
            v.put("from-tag", Objects.toString(m.getFrom().getTag(), ""));
            v.put("to-tag", Objects.toString(m.getTo().getTag(), ""));
            v.put("branch", Objects.toString(m.getTopmostVia().getBranch(), ""));
            return new Verdict(true, null, v);
        } catch (RuntimeException e) {
            return Verdict.invalid("values unreadable: " + e);
        }
    }

    /** Null when the two verdicts agree (validity, and every value when both are valid); else what differs. */
    public static String difference(Verdict ours, Verdict ref) {
        if (ours.valid() != ref.valid()) {
            return ours.valid() ? "we accept, JAIN-SIP refuses (" + ref.problem() + ")"
                    : "we refuse (" + ours.problem() + "), JAIN-SIP accepts";
        }
        if (!ours.valid()) {
            return null;
        }
        for (Map.Entry<String, String> e : ours.values().entrySet()) {
            String theirs = ref.values().get(e.getKey());
            if (!e.getValue().equals(theirs)) {
                return e.getKey() + ": ours '" + Printable.escape(e.getValue()) + "', JAIN-SIP '" + Printable.escape(theirs) + "'";
            }
        }
        return null;
    }
}
