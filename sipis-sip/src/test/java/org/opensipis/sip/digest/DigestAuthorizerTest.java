package org.opensipis.sip.digest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Digest answers against the published RFC examples, and challenge selection. */
class DigestAuthorizerTest {

    @Test
    void rfc2617Section35Example() {
        DigestChallenge c = DigestChallenge.parse("Digest realm=\"testrealm@host.com\", qop=\"auth,auth-int\", "
                + "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"", false);
        String v = DigestAuthorizer.authorize(c, "Mufasa", "Circle Of Life", "GET", "/dir/index.html", "0a4f113b", 1, "");
        assertThat(v).contains("response=\"6629fae49393a05397450978507c4ef1\"", "nc=00000001", "qop=auth",
                "opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"");
    }

    @Test
    void rfc7616Section33ExamplesMd5AndSha256() {
        String common = "realm=\"http-auth@example.org\", qop=\"auth, auth-int\", "
                + "nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"";
        String cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";
        DigestChallenge sha = DigestChallenge.parse("Digest " + common + ", algorithm=SHA-256", false);
        DigestChallenge md5 = DigestChallenge.parse("Digest " + common + ", algorithm=MD5", false);
        assertThat(DigestAuthorizer.authorize(sha, "Mufasa", "Circle of Life", "GET", "/dir/index.html", cnonce, 1, ""))
                .contains("response=\"753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1\"");
        assertThat(DigestAuthorizer.authorize(md5, "Mufasa", "Circle of Life", "GET", "/dir/index.html", cnonce, 1, ""))
                .contains("response=\"8ca523f5e9506fed4657c9700eebdbec\"");
    }

    @Test
    void prefersSha256AndReadsStale() {
        DigestChallenge c = DigestChallenge.best(List.of(
                "Digest realm=\"r\", nonce=\"n1\", algorithm=MD5",
                "Digest realm=\"r\", nonce=\"n2\", algorithm=SHA-256, stale=TRUE",
                "Basic realm=\"r\""), List.of());
        assertThat(c.algorithm()).isEqualTo(DigestAlgorithm.SHA_256);
        assertThat(c.stale()).isTrue();
        assertThat(c.qop()).isNull();
    }

    @Test
    void proxyChallengeAnswersWithProxyAuthorization() {
        DigestChallenge c = DigestChallenge.best(List.of(), List.of("Digest realm=\"p\", nonce=\"n\", qop=\"auth-int\""));
        assertThat(DigestAuthorizer.headerName(c)).isEqualTo("Proxy-Authorization");
        assertThat(c.qop()).isEqualTo("auth-int");
    }

    @Test
    void randomCnonceAndCountedNc() {
        DigestChallenge c = DigestChallenge.parse("Digest realm=\"r\", nonce=\"n\", qop=\"auth\"", false);
        DigestAuthorizer a = new DigestAuthorizer();
        String first = a.authorize(c, "u", "p", "REGISTER", "sip:r");
        String second = a.authorize(c, "u", "p", "REGISTER", "sip:r");
        assertThat(first).contains("nc=00000001");
        assertThat(second).contains("nc=00000002");
        assertThat(cnonce(first)).isNotEqualTo(cnonce(second));
    }

    @Test
    void unsupportedAlgorithmIsSkipped() {
        assertThat(DigestChallenge.parse("Digest realm=\"r\", nonce=\"n\", algorithm=SHA-512-256", false)).isNull();
    }

    private static String cnonce(String v) {
        return v.substring(v.indexOf("cnonce=\""));
    }

    @Test
    void nonceCountIsEightHexDigits() {
        assertThat(DigestAuthorizer.nonceCount(1)).isEqualTo("00000001");
        assertThat(DigestAuthorizer.nonceCount(0xabcdef12)).isEqualTo("abcdef12");
        assertThat(DigestAuthorizer.nonceCount(0x1ff)).isEqualTo(String.format("%08x", 0x1ff));
    }
}
