package org.opensipis.push;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opensipis.core.settings.PushRoute;
import org.opensipis.core.settings.Secret;
import org.opensipis.push.apns.ApnsProvider;
import org.opensipis.push.fcm.FcmProvider;

/** A bad credential file stops start-up with a message naming the entry and the file. */
class ProviderConfigErrorsTest {

    @TempDir
    Path dir;

    @Test
    void unreadableApnsKeyNamesTheFile() throws Exception {
        Path key = Files.writeString(dir.resolve("AuthKey_BAD.p8"), "not a key");
        PushRoute.Apns route = new PushRoute.Apns("com.example", Optional.of("com.example"), Optional.of(key),
                Optional.of("KEYID12345"), Optional.of("TEAM123456"), Optional.empty(), Optional.empty(), true,
                Optional.empty(), Optional.empty(), false);
        assertThatThrownBy(() -> ApnsProvider.builder(route).build())
                .isInstanceOf(PushConfigException.class)
                .hasMessageContaining("<Apns AppId=\"com.example\">")
                .hasMessageContaining("KeyFile=" + key);
    }

    @Test
    void unreadableApnsCertificateNamesTheFileButNotThePassword() throws Exception {
        Path p12 = Files.writeString(dir.resolve("push.p12"), "not a keystore");
        PushRoute.Apns route = new PushRoute.Apns("com.example", Optional.of("com.example"), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.of(p12), Optional.of(Secret.of("hunter2")), true,
                Optional.empty(), Optional.empty(), false);
        assertThatThrownBy(() -> ApnsProvider.builder(route).build())
                .isInstanceOf(PushConfigException.class)
                .hasMessageContaining("CertificateFile=" + p12)
                .satisfies(e -> org.assertj.core.api.Assertions.assertThat(e.getMessage()).doesNotContain("hunter2"));
    }

    @Test
    void missingServiceAccountNamesTheFile() {
        Path missing = dir.resolve("nope.json");
        PushRoute.Fcm route = new PushRoute.Fcm("com.example", Optional.of(missing), "demo", Optional.empty(), false);
        assertThatThrownBy(() -> FcmProvider.builder(route).build())
                .isInstanceOf(PushConfigException.class)
                .hasMessageContaining("<Fcm AppId=\"com.example\" ProjectId=\"demo\">")
                .hasMessageContaining("ServiceAccountFile=" + missing);
    }

    @Test
    void staticTokenNeedsNoFile() {
        PushRoute.Fcm route = new PushRoute.Fcm("com.example", Optional.empty(), "demo", Optional.empty(), false);
        FcmProvider p = FcmProvider.builder(route).staticAccessToken(Secret.of("t")).build();
        p.close().join();
    }
}
