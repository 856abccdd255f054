package org.opensipis.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Slow-client protection: once the first byte of a request arrives, the whole request must
 * arrive within {@code requestTimeout}, or the client gets 408 and the connection is closed.
 * Sits before the codec (sees raw bytes), so a slowloris sending one header byte at a time
 * cannot hold a connection. Per channel; used only on the channel's event loop.
 */
final class RequestDeadline extends ChannelInboundHandlerAdapter {

    private static final byte[] TIMEOUT = ("HTTP/1.1 408 Request Timeout\r\nContent-Type: text/plain; charset=utf-8\r\n"
            + "Connection: close\r\nContent-Length: 43\r\n\r\nthe request did not arrive in time; closing")
            .getBytes(StandardCharsets.US_ASCII);

    private final long timeoutNanos;
    private final BooleanSupplier busy;
    private ScheduledFuture<?> timer;

    RequestDeadline(Duration timeout, BooleanSupplier busy) {
        this.timeoutNanos = timeout.toNanos();
        this.busy = busy;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (timer == null) {
            timer = ctx.executor().schedule(() -> expire(ctx), timeoutNanos, TimeUnit.NANOSECONDS);
        }
        super.channelRead(ctx, msg);
    }

    /** A complete request arrived: stop the clock. */
    void disarm() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    /** Whether part of a request has arrived but not all of it. */
    boolean armed() {
        return timer != null;
    }

    private void expire(ChannelHandlerContext ctx) {
        timer = null;
        if (!ctx.channel().isActive()) {
            return;
        }
        if (busy.getAsBoolean()) {
            // A reply is still being produced; the next request's clock starts over after it.
            timer = ctx.executor().schedule(() -> expire(ctx), timeoutNanos, TimeUnit.NANOSECONDS);
            return;
        }
        ctx.writeAndFlush(Unpooled.wrappedBuffer(TIMEOUT)).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        disarm();
        super.channelInactive(ctx);
    }
}
