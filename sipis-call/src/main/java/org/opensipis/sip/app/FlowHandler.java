package org.opensipis.sip.app;

import org.opensipis.sip.message.Printable;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.timeout.IdleStateEvent;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.opensipis.core.log.RateLimitedLog;
import org.opensipis.sip.message.SipMessage;
import org.opensipis.sip.message.SipParseException;
import org.opensipis.sip.message.StreamFramer;
import org.opensipis.sip.message.WireResponses;
import org.opensipis.sip.owner.Owners;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One per app connection, on its Netty I/O thread: answers keep-alive pings, parses framed
 * messages and hands them to the registrar on the owner of their selector. A REGISTER names its
 * selector; the flow's other messages go to the owner of the selector it last REGISTERed, so
 * they stay in order behind that REGISTER. Malformed input is counted and closes this
 * connection only.
 */
final class FlowHandler extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(FlowHandler.class);
    private static final byte[] PONG = "\r\n".getBytes(StandardCharsets.US_ASCII);

    private final RateLimitedLog refused;
    private final AppRegistrar registrar;
    private final Owners owners;
    private final AppLegStats stats;
    private final AtomicLong ids;
    private final boolean tls;
    private AppFlow flow;
    private boolean failed;
    /** The selector of the last REGISTER on this flow ("" before one): whose owner gets the flow's messages. */
    private String route = "";

    FlowHandler(AppRegistrar registrar, Owners owners, AppLegStats stats, AtomicLong ids, boolean tls) {
        this.registrar = registrar;
        this.owners = owners;
        this.stats = stats;
        this.ids = ids;
        this.tls = tls;
        this.refused = stats.refusedLog;
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
        if (msg instanceof ByteBuf && failed) {
            ((ByteBuf) msg).release();
            return;
        }
        if (failed) {
            return;
        }
        if (msg == StreamFramer.PING) {
            stats.pings.incrementAndGet();
            ctx.writeAndFlush(Unpooled.wrappedBuffer(PONG));
            return;
        }
        SipMessage m;
        try {
            m = SipMessage.parseFramed(ByteBufUtil.getBytes((ByteBuf) msg));
        } catch (SipParseException e) {
            ((ByteBuf) msg).release();
            if (!e.sipLike()) {
                malformed(ctx, e); // not a SIP request we could answer: not a SIP peer
                return;
            }
            // the frame was whole, so the stream stays in step: answer (400/505) and go on
            stats.malformed.incrementAndGet();
            refused.warn("{} from {}", Printable.escape("Refused a malformed SIP message: " + e.getMessage()), flow);
            byte[] answer = WireResponses.error(e);
            if (answer != null) {
                ctx.writeAndFlush(Unpooled.wrappedBuffer(answer));
            }
            return;
        }
        ((ByteBuf) msg).release();
        AppFlow f = flow;
        if (!m.isResponse() && "REGISTER".equals(m.method())) {
            try {
                route = RequestFacts.selector(m);
            } catch (RuntimeException e) {
                // no valid selector: the registrar answers 400 on the flow's current owner
            }
        }
        owners.of(route).execute(() -> registrar.onMessage(f, m));
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
        refused.warn("Closing {}: malformed input: {}", flow, Printable.escape(String.valueOf(cause.getMessage())));
        byte[] answer = cause instanceof SipParseException ? WireResponses.error((SipParseException) cause) : null;
        if (answer != null) {
            ctx.writeAndFlush(Unpooled.wrappedBuffer(answer)).addListener(f -> ctx.close());
        } else {
            ctx.close();
        }
    }
}
