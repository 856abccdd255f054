package org.opensipis.sip.transport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;
import java.util.function.BiPredicate;
import java.util.function.Consumer;
import io.netty.channel.EventLoop;
import org.opensipis.core.instance.SipAccount.Transport;
import org.opensipis.sip.message.SipMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process's one SIP endpoint: it owns the sockets (the UDP socket REGISTERs leave from and
 * INVITEs arrive on, the TCP/TLS flows to registrars) and routes what arrives, on the I/O
 * threads: every request to the request handler (the call side), each response to the first
 * response handler that claims it (the registration engine's REGISTERs, then the call relay's
 * requests; RFC 3261 17.1.3), the rest counted as stray; closed flows to the flow handler.
 *
 * <p>The handlers are given when the endpoint opens ({@link Routes}, fixed for its life): the
 * {@link Wiring} builds them with the endpoint's event loops at hand (they are the owners of the
 * instances' state) before the UDP socket is bound, so nothing arrives before its handler exists.
 */
public final class SipEndpoint implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SipEndpoint.class);

    /**
     * Where inbound traffic goes; every handler runs on an I/O thread and must not block.
     *
     * @param requests   every request (INVITE, CANCEL, ACK, MESSAGE, in-dialog requests ...)
     * @param responses  asked in order; each says whether the response answers one of its
     *                   transactions; a response none claims is stray
     * @param flowClosed a TCP/TLS flow closed (or failed)
     */
    public record Routes(BiConsumer<SipMessage, Flow> requests, List<BiPredicate<SipMessage, Flow>> responses,
                         Consumer<Flow> flowClosed) {
        public Routes {
            Objects.requireNonNull(requests, "requests");
            responses = List.copyOf(responses);
            Objects.requireNonNull(flowClosed, "flowClosed");
        }

        /** Requests are not served (logged at DEBUG and dropped): a stack that only registers. */
        public static final BiConsumer<SipMessage, Flow> NO_REQUESTS = (m, flow) ->
                LOG.debug("Ignoring {} from {} (this endpoint serves no requests)", m, flow.remote());
    }

    /** Builds the handlers once the endpoint's event loops exist; may not send yet. */
    @FunctionalInterface
    public interface Wiring {
        Routes wire(SipEndpoint endpoint) throws IOException;
    }

    private final SipTransport transport;
    private final Routes routes;
    private final LongAdder strayResponses = new LongAdder();

    private SipEndpoint(TransportConfig config, Wiring wiring) throws IOException {
        this.transport = new SipTransport(config, new SipTransport.Receiver() {
            @Override
            public void onMessage(SipMessage message, Flow flow) {
                route(message, flow);
            }

            @Override
            public void onFlowClosed(Flow flow) {
                routes.flowClosed().accept(flow);
            }
        });
        try {
            this.routes = Objects.requireNonNull(wiring.wire(this), "routes");
            transport.bind();
        } catch (IOException | RuntimeException | Error e) {
            transport.close();
            throw e;
        }
    }

    /**
     * Opens the endpoint: event loops first, then {@code wiring} builds the handlers (it may read
     * {@link #eventLoops}, {@link #udpEventLoop} and hand the endpoint to what will send through
     * it), then the UDP socket is bound.
     */
    public static SipEndpoint open(TransportConfig config, Wiring wiring) throws IOException {
        return new SipEndpoint(config, wiring);
    }

    private void route(SipMessage m, Flow flow) {
        if (!m.isResponse()) {
            routes.requests().accept(m, flow);
            return;
        }
        for (BiPredicate<SipMessage, Flow> h : routes.responses()) {
            if (h.test(m, flow)) {
                return;
            }
        }
        strayResponses.increment();
        LOG.debug("Stray response {} from {}: matches no transaction", m, flow.remote());
    }

    /** The flow towards {@code remote}; connects TCP/TLS when none is open. */
    public CompletableFuture<Flow> flow(Transport t, InetSocketAddress remote, String serverName) {
        return transport.flow(t, remote, serverName);
    }

    /** The sockets, for the registration engine's sending side. */
    public SipTransport transport() {
        return transport;
    }

    /** The UDP socket's event loop (the throttle's owner: a grant writes without a hop). */
    public EventLoop udpEventLoop() {
        return transport.udpEventLoop();
    }

    /** Every I/O event loop, the UDP socket's first: the owners of the instances' state in production. */
    public List<EventLoop> eventLoops() {
        return transport.eventLoops();
    }

    /** Whether the UDP socket is open and bound (readiness). */
    public boolean isBound() {
        return transport.isBound();
    }

    /** The local UDP port. */
    public int udpPort() {
        return transport.udpPort();
    }

    /** Responses no handler claimed (RFC 3261 17.1.3: they match no transaction of ours). */
    public long strayResponses() {
        return strayResponses.sum();
    }

    @Override
    public void close() {
        transport.close();
    }
}
