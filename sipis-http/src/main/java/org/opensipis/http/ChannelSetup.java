package org.opensipis.http;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Builds each connection's pipeline: connection limit -> request deadline (raw bytes) ->
 * codec (line/header limits) -> body limit (413) -> idle timeout -> router.
 */
final class ChannelSetup extends ChannelInitializer<SocketChannel> {

    private final HttpLimits limits;
    private final Routes routes;
    private final Executor worker;
    private final ConnectionLimit connectionLimit;

    ChannelSetup(HttpLimits limits, Routes routes, Executor worker) {
        this.limits = limits;
        this.routes = routes;
        this.worker = worker;
        this.connectionLimit = new ConnectionLimit(limits.maxConnections());
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        Router router = new Router(routes, worker, limits.maxPipelined());
        RequestDeadline deadline = new RequestDeadline(limits.requestTimeout(), router::busy);
        router.deadline(deadline);
        HttpDecoderConfig decoder = new HttpDecoderConfig()
                .setMaxInitialLineLength(limits.maxInitialLineLength())
                .setMaxHeaderSize(limits.maxHeaderSize())
                .setMaxChunkSize(8192);
        ChannelPipeline p = ch.pipeline();
        p.addLast("limit", connectionLimit);
        p.addLast("deadline", deadline);
        p.addLast("codec", new HttpServerCodec(decoder));
        p.addLast("body", new BodyLimit(limits.maxBodyBytes()));
        p.addLast("idle", new IdleStateHandler(0, 0, limits.idleTimeout().toMillis(), TimeUnit.MILLISECONDS));
        p.addLast("router", router);
    }
}
