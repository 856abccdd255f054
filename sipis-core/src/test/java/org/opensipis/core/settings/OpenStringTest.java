package org.opensipis.core.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class OpenStringTest {

    @Test
    void parsesQuotedEscapedAndMultiHost() {
        OpenString o = OpenString.parse("host=db1,db2 port = 5432 dbname=sipis user=sipis password='it\\'s a \\\\ secret'");
        assertThat(o.hosts()).containsExactly("db1", "db2");
        assertThat(o.get("port")).contains("5432");
        assertThat(o.get("password")).contains("it's a \\ secret");
        assertThat(o.toString()).isEqualTo("host=db1,db2 port=5432 dbname=sipis user=sipis password=********");
    }

    @Test
    void refusesBrokenStrings() {
        assertThatThrownBy(() -> OpenString.parse("host")).hasMessageContaining("has no '='");
        assertThatThrownBy(() -> OpenString.parse("hots=a")).hasMessageContaining("did you mean host?");
        assertThatThrownBy(() -> OpenString.parse("password='open")).hasMessageContaining("never closed");
        assertThatThrownBy(() -> OpenString.parse("  ")).hasMessageContaining("libpq open string");
    }
}
