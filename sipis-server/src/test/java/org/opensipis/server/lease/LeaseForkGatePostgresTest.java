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
}
