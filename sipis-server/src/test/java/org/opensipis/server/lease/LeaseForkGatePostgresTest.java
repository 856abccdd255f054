package org.opensipis.server.lease;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.opensipis.core.crypto.SipisKey;
import org.opensipis.core.settings.DatabaseSettings;
import org.opensipis.core.settings.RestartSettings;
import org.opensipis.server.lease.LeaseForkGate.Holding;
import org.opensipis.sip.call.ForkGate.Verdict;
import org.opensipis.store.Store;

/**
 * Two processes' fork gates on one real (embedded) PostgreSQL {@code push_claims} table: a
 * MESSAGE forked to both during an overlap is stored and pushed by one; an INVITE and a MESSAGE
 * are claimed apart.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class LeaseForkGatePostgresTest {

    private static Path dir;
    private static Store store;

    @BeforeAll
    static void startPostgres() throws Exception {
        dir = Files.createTempDirectory("sipis-forkgate-test");
        store = Store.open(new DatabaseSettings(Optional.empty(), dir.resolve("pgdata"), 4),
                new RestartSettings(Duration.ofMillis(100), Duration.ofHours(1)), SipisKey.of(new byte[16]), "A",
                Clock.systemUTC());
    }

    @AfterAll
    static void stop() {
        store.close();
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (java.io.IOException e) {
            // temp files
        }
    }

    private static LeaseForkGate gate(String name) {
        return new LeaseForkGate(name, s -> Holding.CONTESTED, store.leases()::claimPush, Runnable::run);
    }

    private static Verdict message(LeaseForkGate g, String key) {
        return g.message("4ABC", key).toCompletableFuture().join();
    }

    @Test
    void aForkedMessageIsPushedByTheFirstProcessToClaimItWhicheverItIs() {
        LeaseForkGate loser = gate("S3");
        LeaseForkGate gainer = gate("S2");
        for (int i = 0; i < 10; i++) {
            String key = "msg-" + i + "@x|tagM|1";
            boolean gainerFirst = i % 2 == 0;
            Verdict first = message(gainerFirst ? gainer : loser, key);
            Verdict second = message(gainerFirst ? loser : gainer, key);
            assertThat(first.push()).isTrue();
            assertThat(second.push()).isFalse();
            assertThat(second.reason()).isEqualTo("pushed by " + (gainerFirst ? "S2" : "S3"));
            // a retransmission at the winner is still its own
            assertThat(message(gainerFirst ? gainer : loser, key).push()).isTrue();
        }
    }

    @Test
    void theNextMessageOfTheSameSenderIsAnotherClaim() {
        LeaseForkGate loser = gate("S3");
        LeaseForkGate gainer = gate("S2");
        assertThat(message(loser, "chat@x|tagC|1").push()).isTrue();
        assertThat(message(gainer, "chat@x|tagC|2").push()).isTrue();
        assertThat(message(loser, "chat@x|tagC|2").push()).isFalse();
    }

    @Test
    void theGainerTakesInACallForwardedFromTheLosersAnnouncedAddressOnly() {
        store.leases().announceSipAddress("L1", "127.0.0.1:5171");
        store.leases().announceSipAddress("G1", "127.0.0.1:5172");
        store.leases().announceSipAddress("L1", "127.0.0.1:5173"); // a restart on another port: the last one counts
        assertThat(store.leases().sipAddressOf("L1")).contains("127.0.0.1:5173");
        assertThat(store.leases().sipAddressOf("nobody")).isEmpty();

        LeaseForkGate loser = new LeaseForkGate("L1", s -> Holding.NOT_HELD, store.leases()::claimPush,
                store.leases()::sipAddressOf, Runnable::run);
        LeaseForkGate gainer = new LeaseForkGate("G1", s -> Holding.CONTESTED, store.leases()::claimPush,
                store.leases()::sipAddressOf, Runnable::run);
        loser.handingOver("4ABC", "fwd@x|tagF|1").toCompletableFuture().join();
        Verdict forwarded = gainer.invite("4ABC", "fwd@x|tagF|1", new java.net.InetSocketAddress("127.0.0.1", 5173))
                .toCompletableFuture().join();
        assertThat(forwarded.isHandOver()).isTrue();
        assertThat(forwarded.handedOverBy()).isEqualTo("L1");
        Verdict oldPort = gainer.invite("4ABC", "fwd@x|tagF|1", new java.net.InetSocketAddress("127.0.0.1", 5171))
                .toCompletableFuture().join();
        assertThat(oldPort.isHandOver()).isFalse();
        assertThat(oldPort.push()).isFalse();
    }
}
