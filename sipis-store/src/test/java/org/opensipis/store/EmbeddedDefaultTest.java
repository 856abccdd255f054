package org.opensipis.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.opensipis.core.instance.InstanceRecord;
import org.opensipis.core.settings.DatabaseSettings;

/** With no Database[OpenString] the store runs an embedded PostgreSQL whose data persists. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EmbeddedDefaultTest {

    @TempDir
    Path dir;

    @Test
    void dataSurvivesARestartOfTheEmbeddedDatabase() throws Exception {
        DatabaseSettings embedded = new DatabaseSettings(Optional.empty(), dir.resolve("pgdata"), 4);
        InstanceRecord r = TestPg.record("1234ABCD", "com.example", "pw");
        try (Store store = Store.open(embedded, TestPg.FAST, TestPg.KEY, "Sipis1", Clock.systemUTC())) {
            assertThat(store.describe()).contains("embedded PostgreSQL").contains(dir.resolve("pgdata").toString());
            store.saveRegistration(r).get();
        }
        assertThat(dir.resolve("pgdata").resolve("postgresql.conf")).exists();
        try (Store store = Store.open(embedded, TestPg.FAST, TestPg.KEY, "Sipis1", Clock.systemUTC())) {
            assertThat(store.find("1234ABCD").get()).contains(r);
        }
    }
}
