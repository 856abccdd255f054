package org.opensipis.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.opensipis.core.instance.StoreBusyException;

/** A saturated store says "busy" at once, distinct from an unavailable database. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StoreIoTest {

    @Test
    void aFullQueueFailsAtOnceWithBusy() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        // a database that is up but slow: every connection waits until released
        DataSource slow = (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {DataSource.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("getConnection")) {
                        release.await();
                        throw new java.sql.SQLException("released", "XX000");
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
        try (StoreIo io = new StoreIo(slow, 2)) {
            List<CompletableFuture<Object>> calls = new ArrayList<>();
            for (int i = 0; i < StoreIo.QUEUE + 2; i++) {
                calls.add(io.tx("reading selector S" + i, c -> null));
            }
            CompletableFuture<Object> over = io.tx("reading selector OVER", c -> null);
            assertThat(over).isCompletedExceptionally();
            assertThat(over).failsWithin(Duration.ZERO).withThrowableThat().havingCause()
                    .isInstanceOf(StoreBusyException.class).withMessageContaining("busy").withMessageContaining("OVER");
            Group<String> group = (Connection c, List<String> items) -> { };
            for (int i = 0; i < StoreIo.QUEUE; i++) {
                io.batched("saving the registration of selector B" + i, "B" + i, group);
            }
            CompletableFuture<Void> overBatch = io.batched("saving the registration of selector BOVER", "BOVER", group);
            assertThat(overBatch).failsWithin(Duration.ZERO).withThrowableThat().havingCause()
                    .isInstanceOf(StoreBusyException.class);
            release.countDown();
        }
    }
}
