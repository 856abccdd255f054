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
                    channel.close();
                }
            });
        }
    }

    @Override
    public String toString() {
        return transport + " " + localHost + ":" + localPort + " -> " + remote;
    }
}
