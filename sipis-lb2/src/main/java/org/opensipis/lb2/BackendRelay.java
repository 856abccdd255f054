package org.opensipis.lb2;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/** Backend → app half of a TCP flow: whole SIP messages from the SIPIS process go to the app. */
final class BackendRelay extends ChannelInboundHandlerAdapter {

    private final Channel app;
    private final Lb2Stats stats;

    BackendRelay(Channel app, Lb2Stats stats) {
        this.app = app;
        this.stats = stats;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg == SipFramer.PING) {
            ctx.writeAndFlush(Unpooled.wrappedBuffer(TcpFlowHandler.CRLF));
            return;
        }
        stats.toApp.increment();
        app.writeAndFlush((ByteBuf) msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        app.close();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        stats.malformed.increment();
        ctx.close();
    }
}
