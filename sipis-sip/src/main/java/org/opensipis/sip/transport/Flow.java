package org.opensipis.sip.transport;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import org.opensipis.core.instance.SipAccount.Transport;

/**
 * A path to one registrar address: the shared UDP socket towards a remote address, or one TCP/TLS
 * connection. Immutable; thread-safe (sends go through Netty's channel).
 */
public final class Flow {

    private final Transport transport;
    private final InetSocketAddress remote;
    private final String localHost;
    private final int localPort;
    private final Channel channel;
    private volatile Throwable closeCause;
    private volatile boolean closed;

    Flow(Transport transport, InetSocketAddress remote, String localHost, int localPort, Channel channel) {
        this.transport = transport;
        this.remote = remote;
        this.localHost = localHost;
        this.localPort = localPort;
        this.channel = channel;
    }

    public Transport transport() {
        return transport;
    }

    public InetSocketAddress remote() {
        return remote;
    }

    /** The host to advertise in Via/Contact when no address is configured. */
    public String localHost() {
        return localHost;
    }

    public int localPort() {
        return localPort;
    }

    public boolean isOpen() {
        return channel.isActive() || (transport == Transport.UDP && channel.isOpen());
    }

    /** Sends bytes; a failure closes a stream flow (its owner then learns through the receiver). */
    public void send(byte[] data) {
        if (transport == Transport.UDP) {
            channel.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(data), remote), channel.voidPromise());
        } else {
            channel.writeAndFlush(Unpooled.wrappedBuffer(data)).addListener(f -> {
                if (!f.isSuccess()) {
                    closedBy(f.cause()); // e.g. the TLS alert that failed the queued write
                    channel.close();
                }
            });
        }
    }

    /** Called by the transport when it reports this stream flow closed (after recording why). */
    void markClosed() {
        closed = true;
    }

    /** Whether the transport has reported this flow closed; {@link #closeReason} is final then. */
    public boolean closed() {
        return closed;
    }

    /** Records the error that closes this flow (the first one wins). */
    void closedBy(Throwable cause) {
        if (closeCause == null) {
            closeCause = cause;
        }
    }

    /**
     * Why this flow closed, for an instance's state reason: e.g. {@code TLS connection to
     * /192.0.2.1:5061 closed: Received fatal alert: certificate_required (...)}. In TLS 1.3 the
     * registrar judges our client certificate after our side of the handshake is done, so a refused
     * certificate shows up here rather than as a handshake failure.
     */
    public String closeReason() {
        String s = (transport == Transport.TLS ? "TLS connection to " : "connection to ") + remote + " closed";
        Throwable c = closeCause;
        if (c == null) {
            return s;
        }
        String why = rootMessage(c);
        s += ": " + why;
        if (transport == Transport.TLS && CERTIFICATE_ALERT.matcher(why).find()) {
            s += " (the registrar refused our client certificate or wants one: check TlsClientCertificates)";
        }
        return s;
    }

    private static final java.util.regex.Pattern CERTIFICATE_ALERT = java.util.regex.Pattern.compile(
            "certificate_required|bad_certificate|unknown_ca|certificate_unknown|unsupported_certificate"
                    + "|certificate_expired|certificate_revoked|access_denied");

    /** The innermost useful message (Netty wraps SSL errors in a DecoderException). */
    static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c.getMessage() != null ? c.getMessage() : c.toString();
    }

    @Override
    public String toString() {
        return transport + " " + localHost + ":" + localPort + " -> " + remote;
    }
}
