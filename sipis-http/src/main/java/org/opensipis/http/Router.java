package org.opensipis.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.CodecException;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.opensipis.http.route.Endpoint;
import org.opensipis.http.route.HttpCall;
import org.opensipis.http.route.HttpReply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Last handler of a connection: turns each aggregated request into an {@link HttpCall},
 * answers protocol errors itself (400/404/405/414/431), runs endpoints on the worker executor
 * and writes replies strictly in request order (pipelined requests wait; reading pauses while
 * a reply is being produced). Per channel; all fields are touched only on the event loop.
 */
final class Router extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(Router.class);

    private record Work(HttpCall call, boolean keepAlive, HttpReply immediate, Routes.Route route) {
    }

    private final Routes routes;
    private final Executor worker;
    private final int maxPipelined;
    private final ArrayDeque<Work> pending = new ArrayDeque<>();
    private RequestDeadline deadline;
    private boolean busy;
    private boolean inputClosed;

    Router(Routes routes, Executor worker, int maxPipelined) {
        this.routes = routes;
        this.worker = worker;
        this.maxPipelined = maxPipelined;
    }

    void deadline(RequestDeadline d) {
        this.deadline = d;
    }

    boolean busy() {
        return busy || !pending.isEmpty();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest req)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (deadline != null) {
            deadline.disarm();
        }
        Work w;
        try {
            w = accept(ctx, req);
        } finally {
            req.release();
        }
        if (pending.size() >= maxPipelined) {
            ctx.close();
            return;
        }
        pending.add(w);
        ctx.channel().config().setAutoRead(false);
        next(ctx);
    }

    private Work accept(ChannelHandlerContext ctx, FullHttpRequest req) {
        String remote = String.valueOf(ctx.channel().remoteAddress());
        String method = req.method().name().toUpperCase(Locale.ROOT);
        DecoderResult dr = req.decoderResult();
        if (dr.isFailure()) {
            return new Work(emptyCall(method, remote), false, decodeError(dr.cause()), null);
        }
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        QueryStringDecoder q;
        String path;
        try {
            q = new QueryStringDecoder(req.uri(), true);
            path = q.path();
            q.parameters();
        } catch (IllegalArgumentException e) {
            return new Work(emptyCall(method, remote), keepAlive,
                    HttpReply.error(400, "request target is not a valid URI: " + e.getMessage()), null);
        }
        Map<String, String> headers = new HashMap<>();
        req.headers().forEach(h -> headers.put(h.getKey().toLowerCase(Locale.ROOT), h.getValue()));
        byte[] body = new byte[req.content().readableBytes()];
        req.content().getBytes(req.content().readerIndex(), body);
        HttpCall call = new HttpCall(method, req.uri(), path, q.parameters(), headers, body, remote);
        Optional<Routes.Route> route = routes.find(path);
        if (route.isEmpty()) {
            return new Work(call, keepAlive, HttpReply.error(404, "no such resource: " + abbreviate(path)
                    + " (see docs/http-api.md)"), null);
        }
        if (!route.get().byMethod().containsKey(method)) {
            return new Work(call, keepAlive, HttpReply.error(405, "method " + abbreviate(method) + " is not allowed on "
                    + path + "; use " + route.get().allow()).withHeader("Allow", route.get().allow()), null);
        }
        return new Work(call, keepAlive, null, route.get());
    }

    private static HttpCall emptyCall(String method, String remote) {
        return new HttpCall(method, "", "", Map.of(), Map.of(), new byte[0], remote);
    }

    private static HttpReply decodeError(Throwable cause) {
        if (cause instanceof TooLongHttpLineException) {
            return HttpReply.error(414, "request line is too long");
        }
        if (cause instanceof TooLongHttpHeaderException) {
            return HttpReply.error(431, "request headers are too large");
        }
        if (cause instanceof TooLongFrameException) {
            return HttpReply.error(413, "request is too large");
        }
        return HttpReply.error(400, "malformed HTTP request: " + abbreviate(String.valueOf(cause.getMessage())));
    }

    private void next(ChannelHandlerContext ctx) {
        if (busy) {
            return;
        }
        Work w = pending.poll();
        if (w == null) {
            if (inputClosed) {
                ctx.close();
            } else {
                ctx.channel().config().setAutoRead(true);
                ctx.read();
            }
            return;
        }
        busy = true;
        if (w.immediate() != null) {
            write(ctx, w, w.immediate());
            return;
        }
        CompletableFuture<HttpReply> reply;
        try {
            reply = CompletableFuture.supplyAsync(() -> run(w), worker).thenCompose(s -> s);
        } catch (RejectedExecutionException e) {
            reply = CompletableFuture.completedFuture(
                    HttpReply.error(503, "server busy, retry shortly").withHeader("Retry-After", "1"));
        }
        reply.whenComplete((r, e) -> ctx.executor().execute(() -> write(ctx, w, r != null ? r : bug(w.call(), e))));
    }

    private static CompletableFuture<HttpReply> run(Work w) {
        Optional<HttpReply> denied = w.route().guard().flatMap(g -> g.check(w.call()));
        if (denied.isPresent()) {
            return CompletableFuture.completedFuture(denied.get());
        }
        Endpoint e = w.route().byMethod().get(w.call().method());
        return e.handle(w.call()).toCompletableFuture();
    }

    private static HttpReply bug(HttpCall call, Throwable e) {
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        LOG.error("bug while answering {} {} from {}", call.method(), call.path(), call.remote(), cause);
        return HttpReply.error(500, "internal error; the server log has the details");
    }

    private void write(ChannelHandlerContext ctx, Work w, HttpReply r) {
        if (!ctx.channel().isActive()) {
            busy = false;
            pending.clear();
            return;
        }
        boolean keepAlive = w.keepAlive() && !inputClosed && r.status() < 500;
        FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(r.status()),
                Unpooled.wrappedBuffer(r.body()));
        resp.headers().set(HttpHeaderNames.CONTENT_TYPE, r.contentType())
                .setInt(HttpHeaderNames.CONTENT_LENGTH, r.body().length)
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE)
                .set("X-Content-Type-Options", "nosniff")
                .set(HttpHeaderNames.CONNECTION, keepAlive ? HttpHeaderValues.KEEP_ALIVE : HttpHeaderValues.CLOSE);
        r.headers().forEach(resp.headers()::set);
        ctx.writeAndFlush(resp).addListener((ChannelFutureListener) f -> {
            busy = false;
            if (!keepAlive || !f.isSuccess()) {
                pending.clear();
                f.channel().close();
            } else {
                next(ctx);
            }
        });
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof ChannelInputShutdownEvent) {
            inputClosed = true;
            if (!busy() && deadline != null && deadline.armed()) {
                pending.add(new Work(emptyCall("", String.valueOf(ctx.channel().remoteAddress())), false,
                        HttpReply.error(400, "the client closed its side before the request was complete"), null));
                next(ctx);
            } else if (!busy()) {
                ctx.close();
            }
        } else if (evt instanceof IdleStateEvent) {
            if (!busy()) {
                ctx.close();
            }
        }
        ReferenceCountUtil.release(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException || cause instanceof CodecException) {
            LOG.debug("HTTP connection from {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        } else {
            LOG.error("bug in the HTTP pipeline for {}; closing the connection", ctx.channel().remoteAddress(), cause);
            if (!busy() && ctx.channel().isActive()) {
                HttpReply r = HttpReply.error(500, "internal error; the server log has the details");
                FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                        HttpResponseStatus.INTERNAL_SERVER_ERROR, Unpooled.wrappedBuffer(r.body()));
                resp.headers().set(HttpHeaderNames.CONTENT_TYPE, r.contentType())
                        .setInt(HttpHeaderNames.CONTENT_LENGTH, r.body().length)
                        .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                ctx.writeAndFlush(resp).addListener(ChannelFutureListener.CLOSE);
                busy = true;
                return;
            }
        }
        ctx.close();
    }

    private static String abbreviate(String s) {
        String clean = s.replaceAll("\\p{Cntrl}", "?");
        return clean.length() > 80 ? clean.substring(0, 80) + "…" : clean;
    }
}
