package org.opensipis.sip.call;

import org.opensipis.core.instance.SipAccount.Transport;

/** Where responses to one incoming request go: the flow it came on (tests use a fake). */
interface Peer {

    void send(byte[] data);

    Transport transport();

    /** Our host as the peer sees it (for Contact when no PrivateAddress is set). */
    String localHost();

    int localPort();

    /** The sender's socket address (not a header), or null when unknown. */
    default java.net.InetSocketAddress remote() {
        return null;
    }

    default boolean reliable() {
        return transport() != Transport.UDP;
    }
}
