package org.opensipis.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.opensipis.core.crypto.SipisKey;
import org.opensipis.core.instance.DeviceToken;
import org.opensipis.core.instance.InstanceRecord;
import org.opensipis.core.instance.SipAccount;
import org.opensipis.core.settings.HttpServerSettings.AuthenticationMethod;
import org.opensipis.http.register.RegisterEndpoint;

@Timeout(60)
class RegisterEndpointTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static TestServer t;

    @BeforeAll
    static void start() {
        t = new TestServer(AuthenticationMethod.DIGEST);
    }

    @AfterAll
    static void stop() {
        t.close();
    }

    @BeforeEach
    void clear() {
        t.store.records.clear();
        t.store.failing = false;
    }

    @Test
    void plainRegistrationIsStoredAndNamesTheOwner() throws Exception {
        HttpResponse<String> r = t.postJson("/sipis/register", TestServer.registration(TestServer.SEL1.toLowerCase()));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode n = JSON.readTree(r.body());
        assertThat(n.get("result").asText()).isEqualTo("registered");
        assertThat(n.get("selector").asText()).isEqualTo(TestServer.SEL1);
        assertThat(n.get("owner").get("name").asText()).isEqualTo("Sipis1");
        assertThat(n.get("owner").get("address").asText()).isEqualTo("127.0.0.1:14998");
        assertThat(n.get("ownedByThisServer").asBoolean()).isTrue();
        assertThat(n.get("answeredBy").asText()).isEqualTo("Sipis1");

        InstanceRecord rec = t.store.records.get(TestServer.SEL1);
        assertThat(rec.appId()).isEqualTo("com.acrobits.softphone");
        assertThat(rec.premium()).isTrue();
        assertThat(rec.appSecret().reveal()).isEqualTo("app-leg-secret");
        assertThat(rec.lastAppContact()).isEqualTo(t.clock.instant());
        SipAccount a = rec.account();
        assertThat(a.user()).isEqualTo("alice");
        assertThat(a.authUser()).isEqualTo("alice-auth");
        assertThat(a.password().reveal()).isEqualTo("pw");
        assertThat(a.proxy()).contains("proxy.example.com");
        assertThat(a.port()).isEqualTo(5070);
        assertThat(a.transport()).isEqualTo(SipAccount.Transport.TLS);
        assertThat(a.expires()).contains(Duration.ofSeconds(600));
        assertThat(rec.tokens()).extracting(DeviceToken::kind)
                .containsExactly(DeviceToken.Kind.INCOMING_CALL, DeviceToken.Kind.OTHER);
        assertThat(rec.tokens().get(0).appId()).isEqualTo("com.acrobits.softphone");
    }

    @Test
    void replyNamesAnotherOwnerWhenTheShardIsNotOurs() throws Exception {
        HttpResponse<String> r = t.postJson("/sipis/register", TestServer.registration(TestServer.SEL2));
        JsonNode n = JSON.readTree(r.body());
        assertThat(n.get("owner").get("name").asText()).isEqualTo("Sipis2");
        assertThat(n.get("ownedByThisServer").asBoolean()).isFalse();
        assertThat(t.store.records).containsKey(TestServer.SEL2);
    }

    @Test
    void sealedEnvelopeIsOpenedWithSipisKey() throws Exception {
        String sealed = TestServer.KEY.seal(TestServer.registration(TestServer.SEL1), RegisterEndpoint.SEAL_CONTEXT);
        HttpResponse<String> r = t.post("/sipis/register", RegisterEndpoint.SEALED_TYPE, sealed);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(t.store.records.get(TestServer.SEL1).account().password().reveal()).isEqualTo("pw");
    }

    @Test
    void sealedEnvelopeWithOtherContextOrKeyIsRejected() throws Exception {
        String wrongContext = TestServer.KEY.seal(TestServer.registration(TestServer.SEL1), "other");
        HttpResponse<String> r = t.post("/sipis/register", RegisterEndpoint.SEALED_TYPE, wrongContext);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("cannot be opened");
        String otherKey = SipisKey.of(SipisKey.generateRaw()).seal(TestServer.registration(TestServer.SEL1),
                RegisterEndpoint.SEAL_CONTEXT);
        r = t.post("/sipis/register", RegisterEndpoint.SEALED_TYPE, otherKey);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("not this installation's sipis.key");
        assertThat(t.store.records).isEmpty();
    }

    @Test
    void plainBodiesAreRefusedWhenOnlySealedAreAccepted() throws Exception {
        try (TestServer sealedOnly = new TestServer(AuthenticationMethod.NONE, false, HttpLimits.DEFAULTS, "Sipis1",
                new InMemoryStore(), new FakeInstances())) {
            HttpResponse<String> r = sealedOnly.postJson("/sipis/register", TestServer.registration(TestServer.SEL1));
            assertThat(r.statusCode()).isEqualTo(403);
            assertThat(r.body()).contains("AcceptPlainRegistrations");
            String sealed = TestServer.KEY.seal(TestServer.registration(TestServer.SEL1), RegisterEndpoint.SEAL_CONTEXT);
            assertThat(sealedOnly.post("/sipis/register", RegisterEndpoint.SEALED_TYPE, sealed).statusCode())
                    .isEqualTo(200);
        }
    }

    @Test
    void everyInvalidFieldIsListed() throws Exception {
        String body = """
                {"selector":"xyz","appId":"bad app","premium":"yes","appSecret":"",
                 "account":{"user":"a b","domain":"exa mple","port":70000,"transport":"SCTP","expires":5,
                            "colour":"red"},
                 "tokens":[{"platform":"BLACKBERRY","kind":"INCOMING_CALL","token":"t"},
                           {"platform":"FCM","kind":"whatever","token":""}],
                 "selecter":"typo"}
                """;
        HttpResponse<String> r = t.postJson("/sipis/register", body);
        assertThat(r.statusCode()).isEqualTo(400);
        JsonNode n = JSON.readTree(r.body());
        List<String> fields = new ArrayList<>();
        n.get("fields").forEach(f -> {
            fields.add(f.get("field").asText());
            assertThat(f.get("message").asText()).isNotBlank();
        });
        assertThat(fields).contains("selector", "appId", "premium", "appSecret", "account.user", "account.domain",
                "account.port", "account.transport", "account.expires", "account.colour", "account.password",
                "tokens[0].platform", "tokens[1].kind", "tokens[1].token", "selecter");
        assertThat(r.body()).doesNotContain("Exception").doesNotContain("at org.");
        assertThat(t.store.records).isEmpty();
    }

    @Test
    void missingPartsAreNamed() throws Exception {
        HttpResponse<String> r = t.postJson("/sipis/register", "{\"selector\":\"ABC\"}");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("\"appId\"", "\"account\"", "\"tokens\"", "\"appSecret\"", "is required");
    }

    @Test
    void malformedJsonGetsReadable400() throws Exception {
        for (String bad : new String[] {"{", "[1,2]", "null", "\"text\"", "{\"selector\":}", "", "{}{}"}) {
            HttpResponse<String> r = t.postJson("/sipis/register", bad);
            assertThat(r.statusCode()).as(bad).isEqualTo(400);
            assertThat(r.body()).as(bad).contains("\"error\"");
        }
    }

    @Test
    void wrongContentTypeIs415() throws Exception {
        HttpResponse<String> r = t.post("/sipis/register", "text/xml", "<x/>");
        assertThat(r.statusCode()).isEqualTo(415);
    }

    @Test
    void unregisterRefreshAndTokenUpdate() throws Exception {
        assertThat(t.postJson("/sipis/register", TestServer.registration(TestServer.SEL1)).statusCode()).isEqualTo(200);
        t.clock.advance(Duration.ofMinutes(3));

        HttpResponse<String> r = t.postJson("/sipis/refresh",
                "{\"selector\":\"" + TestServer.SEL1 + "\",\"foreground\":true}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).contains("\"refreshed\"");
        InstanceRecord rec = t.store.records.get(TestServer.SEL1);
        assertThat(rec.lastAppContact()).isEqualTo(t.clock.instant());
        assertThat(rec.appForeground()).isTrue();

        r = t.postJson("/sipis/register", "{\"action\":\"tokens\",\"selector\":\"" + TestServer.SEL1
                + "\",\"tokens\":[{\"platform\":\"FCM\",\"kind\":\"incoming-call\",\"token\":\"newtoken\"}]}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        rec = t.store.records.get(TestServer.SEL1);
        assertThat(rec.tokens()).singleElement().satisfies(tok -> {
            assertThat(tok.platform()).isEqualTo(DeviceToken.Platform.FCM);
            assertThat(tok.appId()).isEqualTo("com.acrobits.softphone");
        });
        assertThat(rec.account().password().reveal()).isEqualTo("pw");

        r = t.postJson("/sipis/register", "{\"action\":\"unregister\",\"selector\":\"" + TestServer.SEL1 + "\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(t.store.records).isEmpty();
        assertThat(t.postJson("/sipis/unregister", "{\"selector\":\"" + TestServer.SEL1 + "\"}").statusCode())
                .isEqualTo(404);
        assertThat(t.postJson("/sipis/refresh", "{\"selector\":\"" + TestServer.SEL1 + "\"}").statusCode())
                .isEqualTo(404);
    }

    @Test
    void actionContradictingThePathIsRejected() throws Exception {
        HttpResponse<String> r = t.postJson("/sipis/refresh",
                "{\"action\":\"unregister\",\"selector\":\"" + TestServer.SEL1 + "\"}");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("contradicts the path");
    }

    @Test
    void databaseOutageIs503WithRetryAfter() throws Exception {
        t.store.failing = true;
        HttpResponse<String> r = t.postJson("/sipis/register", TestServer.registration(TestServer.SEL1));
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.headers().firstValue("Retry-After")).contains("5");
        assertThat(r.body()).contains("nothing was stored").contains("database is unavailable");
    }

    @Test
    void saturatedStoreIs503BusyWithRetryAfterNotDatabaseUnavailable() throws Exception {
        t.store.busy = true;
        HttpResponse<String> r = t.postJson("/sipis/register", TestServer.registration(TestServer.SEL1));
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.headers().firstValue("Retry-After")).contains("1");
        assertThat(r.body()).contains("busy").contains("nothing was stored").doesNotContain("database is unavailable");
        t.store.busy = false;
        assertThat(t.postJson("/sipis/register", TestServer.registration(TestServer.SEL1)).statusCode()).isEqualTo(200);
    }

    @Test
    void oversizedBodyIs413() throws Exception {
        String huge = "{\"selector\":\"" + "A".repeat(70 * 1024) + "\"}";
        HttpResponse<String> r = t.postJson("/sipis/register", huge);
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(r.body()).contains("larger than the limit");
        assertThat(t.postJson("/sipis/register", TestServer.registration(TestServer.SEL1)).statusCode()).isEqualTo(200);
    }
}
