package org.opensipis.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.opensipis.core.settings.DatabaseSettings;
import org.opensipis.core.settings.OpenString;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConnectionConfigTest {

    @Test
    void severalHostsLookForThePrimary() {
        ConnectionConfig c = ConnectionConfig.from(OpenString.parse(
                "host=db1,db2 port=5432 dbname=sipis user=sipis password='it\\'s secret' sslmode=require"));
        assertThat(c.url()).isEqualTo("jdbc:postgresql://db1:5432,db2:5432/sipis");
        assertThat(c.properties().getProperty("targetServerType")).isEqualTo("primary");
        assertThat(c.properties().getProperty("user")).isEqualTo("sipis");
        assertThat(c.properties().getProperty("sslmode")).isEqualTo("require");
        assertThat(c.shown()).doesNotContain("secret");
    }

    @Test
    void portsPerHostAndIpv6() {
        ConnectionConfig c = ConnectionConfig.from(OpenString.parse("host=a,::1 port=5433,5434 dbname=x user=u"));
        assertThat(c.url()).isEqualTo("jdbc:postgresql://a:5433,[::1]:5434/x");
    }

    @Test
    void oneHostConnectsToAnyServerUnlessTold() {
        assertThat(ConnectionConfig.from(OpenString.parse("host=h user=u")).properties().getProperty("targetServerType"))
                .isEqualTo("any");
        assertThat(ConnectionConfig.from(OpenString.parse("host=h user=u target_session_attrs=read-write")).properties()
                .getProperty("targetServerType")).isEqualTo("primary");
    }

    @Test
    void unusableValuesNameTheSettingAndHideThePassword() {
        assertThatThrownBy(() -> ConnectionConfig.from(OpenString.parse("host=a,b,c port=1,2 password=hunter2")))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("Database[OpenString]").hasMessageContaining("3 hosts but 2 ports")
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> ConnectionConfig.from(OpenString.parse("host=h sslmode=sometimes password=hunter2")))
                .hasMessageContaining("sslmode=sometimes").hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> ConnectionConfig.from(OpenString.parse("host=/var/run/postgresql")))
                .hasMessageContaining("Unix socket");
        assertThatThrownBy(() -> ConnectionConfig.from(OpenString.parse("host=h port=99999")))
                .hasMessageContaining("port \"99999\"");
    }

    @Test
    void anUnreachableDatabaseIsAClearErrorAtStart() throws Exception {
        int closedPort = TestPg.freePort();
        DatabaseSettings db = new DatabaseSettings(Optional.of(OpenString.parse("host=127.0.0.1 port=" + closedPort
                + " dbname=sipis user=sipis password=hunter2 connect_timeout=2")), Path.of("unused"), 2);
        assertThatThrownBy(() -> Store.open(db, TestPg.FAST, TestPg.KEY, "Sipis1", Clock.systemUTC()))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("Database[OpenString]")
                .hasMessageContaining("127.0.0.1:" + closedPort)
                .hasMessageContaining("password=********")
                .hasMessageNotContaining("hunter2");
    }
}
