package org.opensipis.sip.app;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.opensipis.core.instance.InstanceRecord;
import org.opensipis.core.instance.SipAccount;
import org.opensipis.core.settings.Secret;
import org.opensipis.core.settings.TlsServerOptions;
import org.opensipis.core.testing.FakeClock;
import org.opensipis.sip.message.SipMessage;
import org.opensipis.sip.owner.ManualOwner;

/** An app leg on loopback port 0 with a fake clock, a manual owner and hand-written fakes. */
final class AppLegHarness implements AutoCloseable {

    static final String REALM = "sipis.test";
    static final TlsServerOptions NO_TLS = new TlsServerOptions("1.2", "1.3", Optional.empty(), Optional.empty(), List.of());

    final FakeClock clock = new FakeClock();
    final ManualOwner owner = new ManualOwner(clock);
    final Directory directory = new Directory();
    final Presence presence = new Presence();
    final AppLegServer server;

    AppLegHarness() throws IOException {
        this(config(0));
    }

    AppLegHarness(AppLegConfig cfg) throws IOException {
        server = AppLegServer.start(cfg, directory, presence, owner, clock);
    }

    /** With a real owner thread (for clients that block on their socket instead of running the owner). */
    AppLegHarness(org.opensipis.sip.owner.Owner realOwner) throws IOException {
        server = AppLegServer.start(config(0), directory, presence, realOwner, clock);
    }

    static AppLegConfig config(int port) {
        return new AppLegConfig("127.0.0.1", port, false, NO_TLS, REALM, Duration.ofMinutes(30), Duration.ofMinutes(1),
                60, 3600, 5, 1);
    }

    static InstanceRecord record(String selector, String appSecret) {
        SipAccount a = new SipAccount("alice", "alice", Secret.of("provider-password"), "provider.test", Optional.empty(),
                5060, SipAccount.Transport.UDP, "Alice", Optional.empty());
        return new InstanceRecord(selector, "com.example.app", false, a, Secret.of(appSecret), List.of(),
                Instant.parse("2026-01-01T00:00:00Z"), false);
    }

    AppClient connect() throws IOException {
        return new AppClient(new Socket("127.0.0.1", server.port()));
    }

    /** Sends and waits (running the owner) for the next thing the server sends. */
    SipMessage exchange(AppClient client, String text) throws IOException {
        client.send(text);
        return SipMessage.parse(next(client));
    }

    String next(AppClient client) {
        String[] got = new String[1];
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(2)).until(() -> {
            owner.runReady();
            got[0] = client.received.poll();
            return got[0] != null;
        });
        return got[0];
    }

    /** Registers with digest: REGISTER, 401, REGISTER with credentials; returns the final response. */
    SipMessage register(AppClient client, String toUser, String user, String secret, int expires, String... extra)
            throws IOException {
        SipMessage challenge = exchange(client, client.register(toUser, expires, extra));
        if (challenge.status() != 401) {
            return challenge;
        }
        return exchange(client, AppClient.authorized(client.register(toUser, expires, extra), challenge, user, secret));
    }

    @Override
    public void close() {
        server.close();
    }

    /** The composition root's view, as a map and a set of selectors owned by another process. */
    static final class Directory implements AppDirectory {
        final Map<String, InstanceRecord> records = new ConcurrentHashMap<>();
        final Set<String> elsewhere = ConcurrentHashMap.newKeySet();

        @Override
        public Optional<InstanceRecord> find(String selector) {
            return Optional.ofNullable(records.get(selector));
        }

        @Override
        public boolean owns(String selector, String appId) {
            return !elsewhere.contains(selector);
        }
    }

    /** Records every call as a line: "foreground S", "background S", "progress S pairing". */
    static final class Presence implements AppPresence {
        final ConcurrentLinkedQueue<String> events = new ConcurrentLinkedQueue<>();

        @Override
        public void foreground(String selector) {
            events.add("foreground " + selector);
        }

        @Override
        public void background(String selector) {
            events.add("background " + selector);
        }

        @Override
        public void progress(String selector, Optional<String> pairingId) {
            events.add("progress " + selector + " " + pairingId.orElse("-"));
        }

        @Override
        public void pushToken(String selector, org.opensipis.core.instance.DeviceToken token) {
            events.add("token " + selector + " " + token.platform() + "/" + token.kind() + "/" + token.appId() + "/"
                    + token.token());
        }

        List<String> drain() {
            List<String> out = new java.util.ArrayList<>();
            for (String s; (s = events.poll()) != null; ) {
                out.add(s);
            }
            return out;
        }
    }

    static Set<String> set(String... s) {
        return new HashSet<>(List.of(s));
    }
}
