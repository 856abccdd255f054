package org.opensipis.sip.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;
import org.opensipis.sip.message.SipMessage;

class RelayMessagesTest {

    static final String INVITE = "INVITE sip:sAB@127.0.0.1:5099 SIP/2.0\r\n"
            + "Via: SIP/2.0/TCP 10.0.0.1:5060;branch=z9hG4bK1\r\n"
            + "Via: SIP/2.0/UDP 10.0.0.2:5070;branch=z9hG4bK2\r\n"
            + "Record-Route: <sip:10.0.0.1:5060;transport=tcp;lr>, <sip:10.0.0.9;lr>\r\n"
            + "From: \"Bob\" <sip:bob@example.org>;tag=b1\r\n"
            + "To: <sip:alice@example.org>\r\n"
            + "Call-ID: c1\r\n"
            + "CSeq: 7 INVITE\r\n"
            + "Contact: <sip:bob@10.0.0.2:5070;transport=udp>\r\n"
            + "Content-Length: 0\r\n\r\n";

    @Test
    void byeUpstreamFollowsTheUasRouteSetInOrderAndSwapsFromAndTo() {
        SipMessage bye = SipMessage.parse(RelayMessages.byeUpstream(SipMessage.parse(INVITE), "OURTAG",
                RelayMessages.viaTransport(SipMessage.parse(INVITE)), "127.0.0.1:5099", "z9hG4bKx", 2));
        assertThat(bye.requestUri()).isEqualTo("sip:bob@10.0.0.2:5070;transport=udp");
        assertThat(bye.headers("route")).containsExactly("<sip:10.0.0.1:5060;transport=tcp;lr>", "<sip:10.0.0.9;lr>");
        assertThat(bye.header("from")).contains("<sip:alice@example.org>;tag=OURTAG");
        assertThat(bye.header("to")).contains("\"Bob\" <sip:bob@example.org>;tag=b1");
        assertThat(bye.headers("via").get(0)).startsWith("SIP/2.0/TCP 127.0.0.1:5099;branch=z9hG4bKx");
        assertThat(bye.header("cseq")).contains("2 BYE");
        assertThat(bye.callId()).isEqualTo("c1");
    }

    @Test
    void addressesAreWrittenAsSipHostPort() {
        assertThat(RelayMessages.hostPort(new InetSocketAddress("::1", 5060))).isEqualTo("[0:0:0:0:0:0:0:1]:5060");
        assertThat(RelayMessages.hostPort(new InetSocketAddress("127.0.0.1", 5060))).isEqualTo("127.0.0.1:5060");
        assertThat(RelayMessages.hostPortOf("sip:s1@[::1]:5099;transport=udp")).isEqualTo("[::1]:5099");
        assertThat(RelayMessages.hostPortOf("sip:s1@10.0.0.7:5099;ob")).isEqualTo("10.0.0.7:5099");
        assertThat(RelayMessages.hostPortOf("sip:10.0.0.7")).isEqualTo("10.0.0.7");
    }

    @Test
    void responsesAddTheToTagOnlyWhenMissing() {
        SipMessage r = SipMessage.parse(RelayMessages.response(SipMessage.parse(INVITE), 481, "Call/Transaction Does Not Exist", "T"));
        assertThat(r.status()).isEqualTo(481);
        assertThat(r.header("to")).contains("<sip:alice@example.org>;tag=T");
        assertThat(r.headers("via")).hasSize(2);
        assertThat(r.header("cseq")).contains("7 INVITE");
    }
}
