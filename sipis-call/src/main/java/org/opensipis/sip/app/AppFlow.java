package org.opensipis.sip.app;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * One app flow (RFC 5626): a TCP or TLS connection from the app, or from LB2 on the app's behalf.
 * Sending is thread-safe (it goes through Netty's channel); the set of selectors that
 * authenticated on the flow is concurrent (each selector's entry is added on its owner).
 */
public final class AppFlow {

    private final long id;
    private final Channel channel;
    private final boolean tls;
    private final Set<String> authenticated = java.util.concurrent.ConcurrentHashMap.newKeySet(2);

    AppFlow(long id, Channel channel, boolean tls) {
        this.id = id;
        this.channel = channel;
        this.tls = tls;
    }

    /** A number unique within this server, for logs. */
    public long id() {
        return id;
    }

    /** "TCP" or "TLS": the transport to name in a Via for requests sent over this flow. */
    public String transport() {
        return tls ? "TLS" : "TCP";
    }

    public InetSocketAddress remote() {
        return (InetSocketAddress) channel.remoteAddress();
    }

    public InetSocketAddress local() {
        return (InetSocketAddress) channel.localAddress();
    }

    public boolean isOpen() {
        return channel.isActive();
    }

    /** Sends one whole SIP message (with its Content-Length); a write failure closes the flow. */
    public void send(byte[] message) {
        channel.writeAndFlush(Unpooled.wrappedBuffer(message)).addListener(f -> {
            if (!f.isSuccess()) {
                channel.close();
            }
        });
    }

    /** Sends one whole SIP message given as text (UTF-8). */
    public void send(String message) {
        send(message.getBytes(StandardCharsets.UTF_8));
    }

    /** Runs {@code r} (on the flow's I/O thread) once the connection is closed; at once if it already is. */
    public void onClose(Runnable r) {
        channel.closeFuture().addListener(f -> r.run());
    }

    /** Closes the connection. */
    public void close() {
        channel.close();
    }

    boolean isAuthenticated(String selector) {
        return authenticated.contains(selector);
    }

    void authenticated(String selector) {
        authenticated.add(selector);
    }

    /** Some selector that authenticated on this flow, or null. */
    String anyAuthenticated() {
        return authenticated.isEmpty() ? null : authenticated.iterator().next();
    }

    @Override
    public String toString() {
        return "app flow " + id + " " + transport() + " from " + channel.remoteAddress();
    }
}
