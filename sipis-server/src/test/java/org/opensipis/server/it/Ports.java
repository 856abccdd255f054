package org.opensipis.server.it;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.opensipis.core.crypto.SipisKey;
import org.opensipis.core.testing.Fixtures;

/** Loopback ports and a settings file for an in-process SIPIS on a given database. */
final class Ports {

    private Ports() {
    }

    static int free() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /**
     * Settings.xml (name "Ops", everything on 127.0.0.1, admin "admin"/"secret") with a sipis.key
     * and an LB2 file with one catch-all entry, in {@code dir}.
     *
     * @param openString {@code Database[OpenString]}, or null for the embedded database in dir/pgdata
     */
    static Path settings(Path dir, String openString, String authMethod) throws Exception {
        Files.write(dir.resolve("sipis.key"), SipisKey.generateRaw());
        Fixtures.write(dir.resolve("lb2/Settings.xml"),
                "<LoadBalancer2><Backend><Sipis Name=\"Ops\" SelectorPrefix=\"\" Address=\"127.0.0.1:14998\"/>"
                        + "</Backend></LoadBalancer2>");
        String db = openString == null ? "<Database EmbeddedDirectory=\"pgdata\"/>"
                : "<Database OpenString=\"" + openString + "\" PoolSize=\"4\"/>";
        return Fixtures.write(dir.resolve("Settings.xml"), "<Sipis><Server Name=\"Ops\" Realm=\"Ops\" Address=\"127.0.0.1\""
                + " Port=\"" + free() + "\" FilterInstancesAccordingToLoadBalancer2BackendSection=\"Yes\"/>"
                + "<HttpServer Address=\"127.0.0.1\" Port=\"" + free() + "\" AuthenticationMethod=\"" + authMethod + "\"/>"
                + "<Administrator UserName=\"admin\" Password=\"secret\"/>"
                + db + "<Lock FileName=\"sipis.lock\"/><Log FileName=\"sipis.log\"/>"
                + "<LoadBalancer2 FileName=\"lb2/Settings.xml\"/>"
                + "<RegistrarTargets><Allow Network=\"127.0.0.0/8\"/></RegistrarTargets></Sipis>");
    }
}
