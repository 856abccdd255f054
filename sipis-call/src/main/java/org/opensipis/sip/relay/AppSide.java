package org.opensipis.sip.relay;

import java.util.List;
import org.opensipis.sip.app.AppFlow;
import org.opensipis.sip.message.SipMessage;

/** What the app sends on a relayed call: responses to our INVITE/CANCEL/BYE and in-dialog requests. Relay owner only. */
final class AppSide {

    private AppSide() {
    }

    static void response(CallRelay relay, RelayCall c, SipMessage r) {
        String cseq = r.header("cseq").orElse("");
        long n = r.cseq();
        if (c.relayed.containsKey(n)) {
            relay.relayedAnswer(c, r, n);
            return;
        }
        if (n != 1 || !cseq.toUpperCase(java.util.Locale.ROOT).endsWith("INVITE")) {
            return; // 200 for our CANCEL or BYE: nothing to do
        }
        int code = r.status();
        if (code < 200) {
            if (code > 100 && c.state == RelayCall.State.INVITING) {
                String body = r.body().isEmpty() ? null : r.body();
                c.pending.respond(code, r.reason(), List.of(), body == null ? null : r.header("content-type").orElse(null),
                        body);
            }
            return;
        }
        if (code < 300) {
            if (c.state == RelayCall.State.INVITING || c.state == RelayCall.State.CANCELLING) {
                relay.answered(c, r);
            } else {
                // a retransmitted 2xx: ACK it again (RFC 3261 13.2.2.4)
                c.flow.send(RelayMessages.ackToApp(c, r, relay.branch(), c.appTarget, 1));
            }
            return;
        }
        c.flow.send(RelayMessages.ackToApp(c, r, c.inviteBranch, c.appTarget, 1));
        if (c.state == RelayCall.State.INVITING) {
            c.pending.respond(code, r.reason(), List.of(), null, null);
        }
        if (c.state == RelayCall.State.INVITING || c.state == RelayCall.State.CANCELLING) {
            relay.ended(c);
        }
    }

    static void request(CallRelay relay, RelayCall c, AppFlow flow, SipMessage m) {
        switch (m.method()) {
            case "ACK":
                return;
            case "BYE":
                flow.send(RelayMessages.response(m, 200, "OK", null));
                relay.appBye(c);
                return;
            default:
                relay.appRequest(c, flow, m); // re-INVITE, UPDATE, INFO, REFER, NOTIFY, MESSAGE relayed; others 501
        }
    }
}
