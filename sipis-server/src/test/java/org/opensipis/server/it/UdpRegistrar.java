package org.opensipis.server.it;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/** A registrar on a loopback UDP port that accepts every REGISTER (no auth) and records it. */
final class UdpRegistrar implements AutoCloseable {

    final List<String> registers = new CopyOnWriteArrayList<>();
    private final DatagramSocket socket;

    UdpRegistrar() throws IOException {
        socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::serve, "test-registrar");
        t.setDaemon(true);
        t.start();
    }

    int port() {
        return socket.getLocalPort();
    }

    private void serve() {
        byte[] buf = new byte[65535];
        while (!socket.isClosed()) {
            try {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                socket.receive(p);
                String m = new String(buf, 0, p.getLength(), StandardCharsets.UTF_8);
                if (!m.startsWith("REGISTER")) {
                    continue;
                }
                registers.add(m);
                String headers = m.lines().filter(l -> {
                    String n = l.contains(":") ? l.substring(0, l.indexOf(':')).trim().toLowerCase() : "";
                    return n.equals("via") || n.equals("from") || n.equals("call-id") || n.equals("cseq") || n.equals("contact");
                }).collect(Collectors.joining("\r\n"));
                String to = m.lines().filter(l -> l.toLowerCase().startsWith("to:")).findFirst().orElse("To: <sip:x@y>");
                String reply = "SIP/2.0 200 OK\r\n" + headers + "\r\n" + to + ";tag=reg\r\nExpires: 300\r\nContent-Length: 0\r\n\r\n";
                byte[] r = reply.getBytes(StandardCharsets.UTF_8);
                socket.send(new DatagramPacket(r, r.length, p.getSocketAddress()));
            } catch (IOException e) {
                return;
            }
        }
    }

    static String header(String m, String name) {
        return m.lines().filter(l -> l.toLowerCase().startsWith(name.toLowerCase() + ":")).map(l -> l.substring(l.indexOf(':') + 1).trim())
                .findFirst().orElse("");
    }

    @Override
    public void close() {
        socket.close();
    }
}
