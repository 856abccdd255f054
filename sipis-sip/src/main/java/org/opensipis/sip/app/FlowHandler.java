package org.opensipis.sip.app;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.timeout.IdleStateEvent;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.opensipis.sip.message.SipMessage;
import org.opensipis.sip.message.SipParseException;
import org.opensipis.sip.owner.Owner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One per app connection, on its Netty I/O thread: answers keep-alive pings, parses framed
 * messages and hands them to the registrar on the owner. Malformed input is counted and closes
 * this connection only.
 */
final class FlowHandler extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(FlowHandler.class);
    private static final byte[] PONG = "\r\n".getBytes(StandardCharsets.US_ASCII);

    private final AppRegistrar registrar;
    private final Owner owner;
    private final AppLegStats stats;
    private final AtomicLong ids;
    private final boolean tls;
    private AppFlow flow;
    private boolean failed;

    FlowHandler(AppRegistrar registrar, Owner owner, AppLegStats stats, AtomicLong ids, boolean tls) {
        this.registrar = registrar;
        this.owner = owner;
        this.stats = stats;
        this.ids = ids;
        this.tls = tls;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        flow = new AppFlow(ids.incrementAndGet(), ctx.channel(), tls);
        stats.flowsOpened.incrementAndGet();
        stats.flowsOpen.incrementAndGet();
        super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        stats.flowsOpen.decrementAndGet();
        super.channelInactive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (failed) {
            return;
        }
        if (msg == AppFramer.PING) {
            stats.pings.incrementAndGet();
            ctx.writeAndFlush(Unpooled.wrappedBuffer(PONG));
            return;
        }
        SipMessage m;
        try {
            m = SipMessage.parse((byte[]) msg);
        } catch (SipParseException e) {
            malformed(ctx, e);
            return;
        }
        AppFlow f = flow;
        owner.execute(() -> registrar.onMessage(f, m));
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent) {
            LOG.debug("Closing idle {}", flow);
            ctx.close();
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof DecoderException) {
            malformed(ctx, cause.getCause() != null ? cause.getCause() : cause);
        } else {
            LOG.debug("Closing {}: {}", flow, cause.toString());
            ctx.close();
        }
    }

    private void malformed(ChannelHandlerContext ctx, Throwable cause) {
        if (failed) {
            return; // the decoder reports the same bytes again when the channel closes
        }
        failed = true;
        stats.malformed.incrementAndGet();
        registrar.malformedLog.warn("Closing {}: malformed input: {}", flow, cause.getMessage());
        ctx.close();
    }
}
