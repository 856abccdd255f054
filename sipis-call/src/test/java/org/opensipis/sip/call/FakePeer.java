package org.opensipis.sip.call;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.opensipis.core.instance.SipAccount.Transport;
import org.opensipis.sip.message.SipMessage;

/** A proxy flow that records what we send. */
final class FakePeer implements Peer {

    final List<SipMessage> sent = new CopyOnWriteArrayList<>();
    /** Every message as sent, also those a strict parser refuses (a 400 echoing a request without Call-ID). */
    final List<String> raw = new CopyOnWriteArrayList<>();
    private final Transport transport;
    /** The sender's address as the socket saw it; null: unknown. */
    final InetSocketAddressHolder from = new InetSocketAddressHolder();

    static final class InetSocketAddressHolder {
        java.net.InetSocketAddress value;
    }

    @Override
    public java.net.InetSocketAddress remote() {
        return from.value;
    }

    FakePeer(Transport transport) {
        this.transport = transport;
    }

    @Override
    public void send(byte[] data) {
        String text = new String(data, java.nio.charset.StandardCharsets.UTF_8);
        raw.add(text);
        try {
            sent.add(SipMessage.parse(data));
        } catch (org.opensipis.sip.message.SipParseException e) {
            // kept in raw only
        }
    }

    @Override
    public Transport transport() {
        return transport;
    }

    @Override
    public String localHost() {
        return "127.0.0.1";
    }

    @Override
    public int localPort() {
        return 5099;
    }

    String lastStatusLine() {
        String r = raw.get(raw.size() - 1);
        return r.substring(0, r.indexOf("\r\n"));
    }

    SipMessage last() {
        return sent.get(sent.size() - 1);
    }

    List<SipMessage> withStatus(int code) {
        return sent.stream().filter(m -> m.status() == code).toList();
    }
}
