package org.opensipis.sip.call;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.opensipis.core.instance.SipAccount.Transport;
import org.opensipis.sip.message.SipMessage;

/** A proxy flow that records what we send. */
final class FakePeer implements Peer {

    final List<SipMessage> sent = new CopyOnWriteArrayList<>();
    private final Transport transport;

    FakePeer(Transport transport) {
        this.transport = transport;
    }

    @Override
    public void send(byte[] data) {
        sent.add(SipMessage.parse(data));
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

    SipMessage last() {
        return sent.get(sent.size() - 1);
    }

    List<SipMessage> withStatus(int code) {
        return sent.stream().filter(m -> m.status() == code).toList();
    }
}
