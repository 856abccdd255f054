package org.opensipis.core.shard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opensipis.core.testing.Fixtures;

class Lb2LoaderTest {

    @TempDir
    Path dir;

    @Test
    void readsFrontendAndBackendInAcrobitsCase() throws Exception {
        Path f = Fixtures.write(dir.resolve("Settings.xml"), "<LoadBalancer2><Frontend><Udp Address=\"0:4998\"/>"
                + "<Tcp Address=\"0:4998\"/><Tls Address=\"[::]:24998\"/><DefaultTlsOptions MinVersion=\"1.2\" MaxVersion=\"1.2\">"
                + "<CipherSuites>TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384</CipherSuites>"
                + "<Certificate FileName=\"/certs/fullchain.pem\"/><PrivateKey FileName=\"/certs/privkey.pem\"/>"
                + "</DefaultTlsOptions></Frontend><Backend><Sipis SelectorPrefix=\"\" AppIdPrefix=\"\" Address=\"sipis:14998\"/>"
                + "</Backend><Sentry Enabled=\"No\" Dsn=\"x\"/></LoadBalancer2>");
        Lb2Settings s = Lb2Loader.load(f).settings();
        assertThat(s.udp()).containsExactly(new HostPort("0.0.0.0", 4998));
        assertThat(s.tls()).containsExactly(new HostPort("::", 24998));
        assertThat(s.defaultTlsOptions().cipherSuites()).hasSize(2);
        assertThat(s.defaultTlsOptions().certificate()).contains(Path.of("/certs/fullchain.pem"));
        assertThat(s.route("ABC", "app")).get().extracting(Backend::address).isEqualTo(new HostPort("sipis", 14998));
        assertThat(s.shardOf("anything", true).isEmpty()).isTrue();
    }

    @Test
    void badPrefixesAreErrorsWithLines() {
        Path f = Fixtures.write(dir.resolve("Settings.xml"), "<loadbalancer2><backend>\n"
                + "<sipis name=\"A\" selectorprefix=\"D/2\" address=\"127.0.0.1:1\"/>\n"
                + "<sipis name=\"B\" selectorprefix=\"0/2\"/>\n</backend></loadbalancer2>");
        assertThatThrownBy(() -> Lb2Loader.load(f))
                .hasMessageContaining("Settings.xml:2: error: loadbalancer2/backend/sipis[selectorprefix]: \"D/2\"")
                .hasMessageContaining("Settings.xml:3: error: loadbalancer2/backend/sipis: [Address] is missing");
    }
}
