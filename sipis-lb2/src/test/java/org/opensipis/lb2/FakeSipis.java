package org.opensipis.lb2;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A stand-in SIPIS process on a loopback port: answers every request with 200 OK naming
 * itself in {@code X-Backend}, records what it received, and can send a request back down
 * the last connection (like the relayed INVITE).
 */
final class FakeSipis implements AutoCloseable {

    final String name;
    final List<String> received = new CopyOnWriteArrayList<>();
    private final ServerSocket server;
    private final List<Socket> connections = new CopyOnWriteArrayList<>();

    FakeSipis(String name) throws IOException {
        this.name = name;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::accept, "fake-" + name);
        t.setDaemon(true);
        t.start();
    }

    int port() {
        return server.getLocalPort();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                connections.add(s);
                if (server.isClosed()) {   // accepted while close() ran: it may have missed this one
                    s.close();
                    return;
                }
                Thread t = new Thread(() -> serve(s), "fake-" + name + "-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
            String m;
            while ((m = SipWire.read(in)) != null) {
                received.add(m);
                if (m.startsWith("SIP/2.0")) {
                    continue;
                }
                String reply = "SIP/2.0 200 OK\r\nVia: " + SipWire.header(m, "Via") + "\r\nFrom: " + SipWire.header(m, "From")
                        + "\r\nTo: " + SipWire.header(m, "To") + ";tag=b\r\nCall-ID: " + SipWire.header(m, "Call-ID")
                        + "\r\nCSeq: " + SipWire.header(m, "CSeq") + "\r\nX-Backend: " + name + "\r\nContent-Length: 0\r\n\r\n";
                synchronized (out) {
                    out.write(reply.getBytes(StandardCharsets.UTF_8));
                    out.flush();
                }
            }
        } catch (IOException e) {
            // connection closed
        }
    }

    /** Sends a request to the app over the most recent flow. */
    void sendToLastFlow(String message) throws IOException {
        Socket s = connections.get(connections.size() - 1);
        OutputStream out = s.getOutputStream();
        synchronized (out) {
            out.write(message.getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : connections) {
            s.close();
        }
    }
}
