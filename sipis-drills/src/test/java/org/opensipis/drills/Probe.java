package org.opensipis.drills;

import java.io.BufferedWriter;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CountDownLatch;

/**
 * The drills' little helpers as a command line, for use inside a network namespace
 * ({@code ip netns exec NS java -cp <test classpath> org.opensipis.drills.Probe ...}), where the
 * test JVM itself cannot reach:
 * <pre>
 *   register-all HTTPHOSTPORT REGISTRAR EXPIRES FROM TO   POST instances [FROM, TO); prints "acked N"
 *   app-register HOST PORT INDEX                          an app REGISTER through LB2; prints the status line
 *   resolve NAME                                          the address NAME resolves to (hosts file)
 *   get URL                                               prints the body
 *   pnm ADDRESS PORTFILE CALLSFILE                        runs the PNM fake until killed
 * </pre>
 */
public final class Probe {

    private Probe() {
    }

    public static void main(String[] a) throws Exception {
        switch (a[0]) {
            case "register-all" -> {
                Apps apps = new Apps(a[2], Integer.parseInt(a[3]));
                apps.registerAll(Integer.parseInt(a[4]), Integer.parseInt(a[5]), a[1]);
                System.out.println("acked " + apps.acked.size());
            }
            case "app-register" -> System.out.println(AppRegister.send(a[1], Integer.parseInt(a[2]),
                    Integer.parseInt(a[3])).lines().findFirst().orElse(""));
            case "resolve" -> System.out.println(InetAddress.getByName(a[1]).getHostAddress());
            case "get" -> System.out.println(HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(a[1]))
                    .GET().build(), HttpResponse.BodyHandlers.ofString()).body());
            case "pnm" -> {
                Path calls = Path.of(a[3]);
                try (PnmFake pnm = new PnmFake(a[1]);
                     BufferedWriter out = Files.newBufferedWriter(calls, StandardCharsets.UTF_8,
                             StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
                    pnm.onPushedCall = id -> {
                        synchronized (out) {
                            try {
                                out.write(id + "\n");
                                out.flush();
                            } catch (IOException e) {
                                throw new IllegalStateException(e);
                            }
                        }
                    };
                    Files.writeString(Path.of(a[2]), Integer.toString(pnm.port()));
                    new CountDownLatch(1).await();
                }
            }
            default -> throw new IllegalArgumentException("unknown probe " + a[0]);
        }
    }
}
