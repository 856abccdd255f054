package org.opensipis.sip.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.opensipis.core.testing.FakeClock;
import org.opensipis.sip.digest.DigestAuthorizer;
import org.opensipis.sip.digest.DigestChallenge;

/** Server-side digest: answers made by the module's own client-side authorizer must verify. */
class DigestVerifierTest {

    static final String SEL = "AB12:CD34";
    final FakeClock clock = new FakeClock();
    final DigestVerifier verifier = new DigestVerifier(new byte[32], "sipis.test", Duration.ofMinutes(5), clock);

    DigestCredentials answer(String selector, String user, String password, String uri) {
        DigestChallenge c = DigestChallenge.parse(verifier.challenge(selector, false), false);
        return DigestCredentials.parse(DigestAuthorizer.authorize(c, user, password, "REGISTER", uri, "0a4f113b", 1, ""));
    }

    @Test
    void aCorrectAnswerVerifiesAgainstItsOwnUri() {
        DigestCredentials c = answer(SEL, SEL, "s3cret", "sip:anything.example");
        assertThat(c.qop()).isEqualTo("auth");
        assertThat(verifier.verify(c, SEL, "REGISTER", "s3cret")).isEqualTo(DigestVerifier.Result.OK);
    }

    @Test
    void aWrongPasswordOrMethodFails() {
        DigestCredentials c = answer(SEL, SEL, "s3cret", "sip:sipis.test");
        assertThat(verifier.verify(c, SEL, "REGISTER", "other")).isEqualTo(DigestVerifier.Result.BAD_CREDENTIALS);
        assertThat(verifier.verify(c, SEL, "INVITE", "s3cret")).isEqualTo(DigestVerifier.Result.BAD_CREDENTIALS);
    }

    @Test
    void aNonceIsBoundToItsSelectorAndThisProcessKey() {
        DigestCredentials c = answer(SEL, SEL, "s3cret", "sip:sipis.test");
        assertThat(verifier.verify(c, "AB12:CD35", "REGISTER", "s3cret")).isEqualTo(DigestVerifier.Result.BAD_NONCE);
        DigestVerifier restarted = new DigestVerifier(new byte[] {1}, "sipis.test", Duration.ofMinutes(5), clock);
        assertThat(restarted.verify(c, SEL, "REGISTER", "s3cret")).isEqualTo(DigestVerifier.Result.BAD_NONCE);
        DigestCredentials garbage = DigestCredentials.parse("Digest username=\"x\", realm=\"sipis.test\", nonce=\"!!\", "
                + "uri=\"sip:a\", response=\"00\"");
        assertThat(verifier.verify(garbage, SEL, "REGISTER", "s3cret")).isEqualTo(DigestVerifier.Result.BAD_NONCE);
    }

    @Test
    void anExpiredNonceWithTheRightAnswerIsStale() {
        DigestCredentials c = answer(SEL, SEL, "s3cret", "sip:sipis.test");
        clock.advance(Duration.ofMinutes(6));
        assertThat(verifier.verify(c, SEL, "REGISTER", "s3cret")).isEqualTo(DigestVerifier.Result.STALE);
        assertThat(verifier.verify(c, SEL, "REGISTER", "wrong")).isEqualTo(DigestVerifier.Result.BAD_CREDENTIALS);
    }

    @Test
    void rfc2069AnswersWithoutQopAreAccepted() {
        String nonce = verifier.nonce(SEL);
        String ha1 = DigestAuthorizer.hash("MD5", SEL + ":sipis.test:s3cret");
        String ha2 = DigestAuthorizer.hash("MD5", "REGISTER:sip:sipis.test");
        String response = DigestAuthorizer.hash("MD5", ha1 + ":" + nonce + ":" + ha2);
        DigestCredentials c = DigestCredentials.parse("Digest username=\"" + SEL + "\",realm=\"sipis.test\",nonce=\"" + nonce
                + "\",uri=\"sip:sipis.test\",response=\"" + response.toUpperCase() + "\"");
        assertThat(verifier.verify(c, SEL, "REGISTER", "s3cret")).isEqualTo(DigestVerifier.Result.OK);
    }

    @Test
    void otherSchemesAndIncompleteHeadersAreNotCredentials() {
        assertThat(DigestCredentials.parse("Basic YWxhZGRpbjpvcGVuc2VzYW1l")).isNull();
        assertThat(DigestCredentials.parse("Digest username=\"a\", realm=\"r\"")).isNull();
    }
}
