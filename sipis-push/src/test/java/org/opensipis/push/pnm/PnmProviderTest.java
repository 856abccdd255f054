package org.opensipis.push.pnm;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.opensipis.core.instance.DeviceToken;
import org.opensipis.core.push.PushOutcome;
import org.opensipis.core.push.PushRequest;
import org.opensipis.core.push.Verb;
import org.opensipis.core.settings.PushRoute;
import org.opensipis.push.FakeHttp;
import org.opensipis.push.InMemoryInstanceStore;
import org.opensipis.push.PushDispatcher;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PnmProviderTest {

    private static final String SELECTOR = "FEDCBA9876543210";
    private static final String APP = "com.acrobits.softphone";

    private FakeHttp gateway;
    private InMemoryInstanceStore store;
    private PushDispatcher dispatcher;

    @BeforeEach
    void start() throws Exception {
        gateway = new FakeHttp(body -> {
            if (body.contains("\"DeviceToken\":\"dead\"")) {
                return new FakeHttp.Reply(404, "");
            }
            if (body.contains("\"DeviceToken\":\"dead-in-body\"")) {
                return new FakeHttp.Reply(200, "{\"code\":404,\"response\":\"Not Found\"}");
            }
            if (body.contains("\"DeviceToken\":\"refused\"")) {
                return new FakeHttp.Reply(200, "{\"code\":400,\"response\":\"Missing Selector\"}");
            }
            return new FakeHttp.Reply(200, "{\"code\":200,\"response\":\"OK\"}");
        });
        // Acrobits' <NotificationServer Name="*" Host="pnm.example" Url="http://127.0.0.1:port/pnm2/send"/>
        PushRoute.Pnm route = new PushRoute.Pnm("*", "pnm.example", 6552, false, true,
                Optional.of(gateway.uri("/pnm2/send")));
        store = new InMemoryInstanceStore();
        dispatcher = PushDispatcher.builder(List.of(route), store, r -> PnmProvider.create((PushRoute.Pnm) r)).build();
    }

    @AfterEach
    void stop() {
        dispatcher.close();
        gateway.close();
    }

    private DeviceToken token(String t) {
        DeviceToken d = new DeviceToken(DeviceToken.Platform.APNS, DeviceToken.Kind.INCOMING_CALL, APP, t, Instant.now());
        store.put(InMemoryInstanceStore.record(SELECTOR, APP, Instant.now(), d));
        return d;
    }

    private static PushRequest request(DeviceToken t, Verb verb) {
        return PushRequest.builder(SELECTOR, t, verb, Instant.ofEpochMilli(1_700_000_000_000L)).callId("c1")
                .callerName("Bob").callerUri("sip:bob@example.org").deadline(Instant.now().plusSeconds(10)).build();
    }

    @Test
    void incomingCallGoesToTheGatewayAndIsAccepted() throws Exception {
        PushOutcome o = dispatcher.push(request(token("good"), Verb.INCOMING_CALL)).get();
        assertThat(o).isEqualTo(new PushOutcome.Accepted("OK"));
        FakeHttp.Seen seen = gateway.seen.get(0);
        assertThat(seen.method()).isEqualTo("POST");
        assertThat(seen.path()).isEqualTo("/pnm2/send");
        assertThat(seen.body()).contains("\"verb\":\"NotifyIncomingCall\"", "\"AppId\":\"" + APP + "\"",
                "\"DeviceToken\":\"good\"", "\"Selector\":\"" + SELECTOR + "\"", "\"UserDisplayName\":\"Bob\"",
                "\"UserName\":\"sip:bob@example.org\"", "\"SendTime\":1700000000000");
    }

    @Test
    void textMessageCarriesTheText() throws Exception {
        PushRequest r = PushRequest.builder(SELECTOR, token("good"), Verb.TEXT_MESSAGE, Instant.now())
                .messageText("hello").badge(3).build();
        assertThat(dispatcher.push(r).get().accepted()).isTrue();
        assertThat(gateway.seen.get(0).body()).contains("\"verb\":\"NotifyGenericTextMessage\"", "\"Message\":\"hello\"",
                "\"Badge\":3");
    }

    @Test
    void notFoundRemovesTheTokenAndTheEmptyInstance() throws Exception {
        PushOutcome o = dispatcher.push(request(token("dead"), Verb.MISSED_CALL)).get();
        assertThat(o).isInstanceOfSatisfying(PushOutcome.Rejected.class, r -> assertThat(r.permanentTokenError()).isTrue());
        assertThat(store.removedTokens).containsExactly("dead");
        assertThat(store.deleted).containsExactly(SELECTOR);
    }

    @Test
    void codeNotFoundInTheBodyAlsoRemovesTheToken() throws Exception {
        PushOutcome o = dispatcher.push(request(token("dead-in-body"), Verb.INCOMING_CALL)).get();
        assertThat(o).isEqualTo(PushOutcome.Rejected.deadToken("PNM 404: Not Found", Optional.empty()));
        assertThat(store.removedTokens).containsExactly("dead-in-body");
    }

    @Test
    void otherRefusalIsRejectedWithoutRemovingTheToken() throws Exception {
        PushOutcome o = dispatcher.push(request(token("refused"), Verb.INCOMING_CALL)).get();
        assertThat(o).isEqualTo(PushOutcome.Rejected.of("PNM 400: Missing Selector"));
        assertThat(store.removedTokens).isEmpty();
    }
}
