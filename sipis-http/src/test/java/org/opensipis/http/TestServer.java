package org.opensipis.http;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.net.InetAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.opensipis.core.abuse.Cidr;
import org.opensipis.core.abuse.HostResolver;
import org.opensipis.core.crypto.SipisKey;
import org.opensipis.core.settings.AbuseSettings;
import org.opensipis.http.abuse.AbuseControls;
import org.opensipis.core.settings.AdministratorSettings;
import org.opensipis.core.settings.HttpServerSettings;
import org.opensipis.core.settings.HttpServerSettings.AuthenticationMethod;
import org.opensipis.core.settings.Secret;
import org.opensipis.core.shard.Backend;
import org.opensipis.core.shard.HostPort;
import org.opensipis.core.shard.Lb2Settings;
import org.opensipis.core.shard.SelectorPrefix;
import org.opensipis.core.shard.Shard;
import org.opensipis.core.testing.FakeClock;

/** One HttpServer on 127.0.0.1:0 with fakes behind it, plus a java.net.http client. */
final class TestServer implements AutoCloseable {

    static final SipisKey KEY = SipisKey.of(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16});
    static final AdministratorSettings ADMIN = new AdministratorSettings("admin", Secret.of("s3cret"));

    /** Two processes: Sipis1 owns selectors whose first bit is 0, Sipis2 the rest. */
    static final Lb2Settings LB2 = new Lb2Settings(Path.of("lb2-Settings.xml"), List.of(), List.of(), List.of(),
            new Lb2Settings.TlsOptions("1.2", "1.2", Optional.empty(), Optional.empty(), List.of()),
            List.of(new Backend(Optional.of("Sipis1"), SelectorPrefix.parse("0/1"), "", new HostPort("127.0.0.1", 14998),
                            Path.of("lb2-Settings.xml"), 10),
                    new Backend(Optional.of("Sipis2"), SelectorPrefix.parse("8/1"), "", new HostPort("127.0.0.1", 14988),
                            Path.of("lb2-Settings.xml"), 11)));

    final InMemoryStore store;
    final FakeInstances instances;
    final FakeClock clock = new FakeClock(Instant.parse("2026-01-01T00:00:00Z"));
    final PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    final HttpServer server;
    final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    TestServer(AuthenticationMethod auth) {
        this(auth, true, HttpLimits.DEFAULTS, "Sipis1", new InMemoryStore(), FakeInstances.withRows(20));
    }

    TestServer(AuthenticationMethod auth, boolean acceptPlain, HttpLimits limits, String name, InMemoryStore store,
               FakeInstances instances) {
        this(auth, acceptPlain, limits, name, store, instances, AbuseSettings.defaults(), new ConcurrentHashMap<>());
    }

    /**
     * With abuse settings of the test's own, and {@code names} as the DNS the registrar check
     * at registration time sees (a name not in it has no address).
     */
    TestServer(AuthenticationMethod auth, boolean acceptPlain, HttpLimits limits, String name, InMemoryStore store,
               FakeInstances instances, AbuseSettings abuse, Map<String, List<InetAddress>> names) {
        this.store = store;
        this.instances = instances;
        HostResolver resolver = host -> names.getOrDefault(host, List.of());
        HttpServices services = new HttpServices(store, Optional.of(KEY), acceptPlain, Optional.of(LB2),
                Shard.filtered(name, LB2.backends()), new FakeStatus(name), instances, meters, clock, limits,
                new AbuseControls(abuse, store, resolver));
        server = HttpServer.start(new HttpServerSettings("127.0.0.1", 0, auth), ADMIN, services);
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String path, String contentType, String body) throws Exception {
        return client.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> postJson(String path, String body) throws Exception {
        return post(path, "application/json", body);
    }

    @Override
    public void close() {
        server.close();
        meters.close();
    }

    /** A valid registration body; {@code selector} e.g. "0ABC...". */
    static String registration(String selector) {
        return """
                {"selector":"%s","appId":"com.acrobits.softphone","premium":true,"foreground":false,
                 "appSecret":"app-leg-secret",
                 "account":{"user":"alice","authUser":"alice-auth","password":"pw","domain":"sip.example.com",
                            "proxy":"proxy.example.com:5070","port":5070,"transport":"tls","displayName":"Alice",
                            "expires":600},
                 "tokens":[{"platform":"APNS","kind":"INCOMING_CALL","token":"aabbccdd0011"},
                           {"platform":"apns","kind":"other","appId":"com.acrobits.softphone","token":"eeff0011"}]}
                """.formatted(selector);
    }

    static final String SEL1 = "12869E0E6E553673C54F29105A0647204C416A2A:7C3A0D14";
    static final String SEL2 = "92869E0E6E553673C54F29105A0647204C416A2A:7C3A0D14";
}
