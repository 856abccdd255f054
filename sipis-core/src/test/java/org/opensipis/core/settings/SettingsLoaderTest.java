package org.opensipis.core.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opensipis.core.testing.Fixtures;
import org.opensipis.core.xml.Problem;

class SettingsLoaderTest {

    @TempDir
    Path dir;

    private Settings load(String xml) throws SettingsException {
        return SettingsLoader.load(Fixtures.write(dir.resolve("Settings.xml"), xml)).settings();
    }

    private List<String> errors(String xml) {
        Path f = Fixtures.write(dir.resolve("Bad.xml"), xml);
        try {
            SettingsLoader.load(f);
        } catch (SettingsException e) {
            return e.errors().stream().map(Problem::toString).collect(Collectors.toList());
        }
        throw new AssertionError("expected errors for " + xml);
    }

    @Test
    void namesAreCaseInsensitive() throws Exception {
        Settings lower = load("<sipis><server name=\"S\" port=\"15000\" filterinstancesaccordingtoloadbalancer2backendsection=\"Yes\""
                + " realm=\"R\" privateaddress=\"10.1.1.1\"/><httpserver port=\"5010\" authenticationmethod=\"basic\"/>"
                + "<instance><maxage hours=\"5\"/></instance></sipis>");
        Settings camel = load("<Sipis xmlns=\"http://acrobits.net/SipisSettings.xsd\"><Server Name=\"S\" Port=\"15000\""
                + " FilterInstancesAccordingToLoadBalancer2BackendSection=\"Yes\" Realm=\"R\" PrivateAddress=\"10.1.1.1\"/>"
                + "<HttpServer Port=\"5010\" AuthenticationMethod=\"Basic\"/><Instance><MaxAge Hours=\"5\"/></Instance></Sipis>");
        assertThat(camel).isEqualTo(lower);
        assertThat(camel.server().filterInstances()).isTrue();
        assertThat(camel.instance().maxAge()).isEqualTo(Duration.ofHours(5));
        assertThat(camel.httpServer().authenticationMethod()).isEqualTo(HttpServerSettings.AuthenticationMethod.BASIC);
    }

    @Test
    void defaultsMatchTheShippedValues() throws Exception {
        Settings s = load("<Sipis><Server Name=\"Sipis\"/></Sipis>");
        assertThat(s.server().realm()).isEqualTo("Sipis");
        assertThat(s.server().port()).isEqualTo(14998);
        assertThat(s.server().filterInstances()).isFalse();
        assertThat(s.httpServer().port()).isEqualTo(5000);
        assertThat(s.database().embedded()).isTrue();
        assertThat(s.instance().maxAge()).isEqualTo(Duration.ofDays(3));
        assertThat(s.instance().premiumMaxAge()).isEqualTo(Duration.ofDays(7));
        assertThat(s.instance().notRegisteredMaxAge()).isEqualTo(Duration.ofHours(12));
        assertThat(s.instance().silentIn()).isEqualTo(Duration.ofHours(24));
        assertThat(s.instance().silentPeriod()).isEqualTo(Duration.ofHours(1));
        assertThat(s.instance().intrusiveIn()).isEqualTo(Duration.ofHours(12));
        assertThat(s.instance().intrusivePeriod()).isEqualTo(Duration.ofHours(11));
        assertThat(s.incomingCall().notAnsweredMaxAge()).isEqualTo(Duration.ofMinutes(2));
        assertThat(s.incomingCall().onNoResponseFromDevice()).isEqualTo(new RejectWith(480, "Temporarily Unavailable"));
        assertThat(s.incomingTextMessageFilters()).hasSize(3);
        assertThat(s.dataProtection().keyFileName()).isEqualTo(dir.resolve("sipis.key"));
        assertThat(s.loadBalancer2File()).isEqualTo(SettingsLoader.DEFAULT_LB2_FILE);
        assertThat(s.registration().globalRate()).isEqualTo(500);
    }

    @Test
    void registrationSocketSitsNextToTheAppLegPortAndBindingsStayAtStopByDefault() throws Exception {
        Settings single = load("<Sipis><Server Name=\"S\"/></Sipis>");
        assertThat(single.registration().port()).isEqualTo(RegistrationSettings.DEFAULT_PORT);
        assertThat(single.registration().address()).isEqualTo("0.0.0.0");
        assertThat(single.registration().unregisterOnStop()).isFalse();
        assertThat(load("<Sipis><Server Name=\"S\" Port=\"14988\"/></Sipis>").registration().port()).isEqualTo(14989);
        Settings set = load("<Sipis><Server Name=\"S\"/><Registration Address=\"127.0.0.1\" Port=\"5070\""
                + " UnregisterOnStop=\"Yes\"/></Sipis>");
        assertThat(set.registration().address()).isEqualTo("127.0.0.1");
        assertThat(set.registration().port()).isEqualTo(5070);
        assertThat(set.registration().unregisterOnStop()).isTrue();
        assertThat(errors("<Sipis><Server Name=\"S\"/><Registration Port=\"70000\"/></Sipis>")).singleElement()
                .asString().contains("Sipis/Registration[Port]");
    }

    @Test
    void bothAboutToExpireForms() throws Exception {
        Settings nested = load("<Sipis><Server Name=\"S\"/><Instance><AboutToExpireIn><Silent Hours=\"20\"/>"
                + "<Intrusive Hours=\"10\"/></AboutToExpireIn><AboutToExpirePeriod><Silent Minutes=\"30\"/>"
                + "<Intrusive Hours=\"9\"/></AboutToExpirePeriod></Instance></Sipis>");
        assertThat(nested.instance().silentIn()).isEqualTo(Duration.ofHours(20));
        assertThat(nested.instance().intrusiveIn()).isEqualTo(Duration.ofHours(10));
        assertThat(nested.instance().silentPeriod()).isEqualTo(Duration.ofMinutes(30));
        assertThat(nested.instance().intrusivePeriod()).isEqualTo(Duration.ofHours(9));
        Settings older = load("<Sipis><Server Name=\"S\"/><Instance><AboutToExpireIn Minutes=\"4\"><Silent Minutes=\"1\"/>"
                + "</AboutToExpireIn></Instance></Sipis>");
        assertThat(older.instance().intrusiveIn()).isEqualTo(Duration.ofMinutes(4));
        assertThat(older.instance().silentIn()).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void reportsEveryProblemAtOnceWithFileLinePathValueAndExpectation() {
        List<String> errors = errors("<Sipis>\n<Server Name=\"S\" Port=\"70000\"\n Transport=\"Sctp\"/>\n"
                + "<HttpServer Port=\"http\"/>\n<Instance><MaxAge Days=\"-1\"/>\n<KeepAlivePackets Enabled=\"maybe\"/></Instance>\n"
                + "<Database OpenString=\"host=a bogus=1 password=hunter2\"/>\n</Sipis>");
        assertThat(errors).hasSize(6);
        assertThat(errors.get(0)).contains("Bad.xml:3").contains("Sipis/Server[Port]").contains("\"70000\"")
                .contains("1 to 65535");
        assertThat(String.join("\n", errors))
                .contains("Sipis/Server[Transport]: \"Sctp\" is not valid; expected one of Tcp, Tls")
                .contains("Sipis/HttpServer[Port]: \"http\"")
                .contains("Sipis/Instance/MaxAge[Days]")
                .contains("Sipis/Instance/KeepAlivePackets[Enabled]: \"maybe\" is not valid; expected Yes or No")
                .contains("unknown keyword \"bogus\"")
                .doesNotContain("hunter2");
    }

    @Test
    void unknownNamesAreWarningsWithAHint() throws Exception {
        SettingsLoader.Loaded loaded = SettingsLoader.load(Fixtures.write(dir.resolve("S.xml"),
                "<Sipis><Server Name=\"S\" Prot=\"1\"/><HttpSever Port=\"1\"/></Sipis>"));
        assertThat(loaded.warnings()).extracting(Problem::toString).containsExactlyInAnyOrder(
                dir.resolve("S.xml") + ":1: warning: Sipis/Server[Prot]: unknown attribute, ignored; did you mean Port?",
                dir.resolve("S.xml") + ":1: warning: Sipis/HttpSever: unknown element, ignored; did you mean HttpServer?");
    }

    @Test
    void missingServerNameIsAnError() {
        assertThat(errors("<Sipis><Server Port=\"1\"/></Sipis>")).singleElement().asString()
                .contains("Sipis/Server[Name]: attribute is missing; it is required");
        assertThat(errors("<Settings/>")).singleElement().asString().contains("root element must be <Sipis>");
    }

    @Test
    void defaultsChainOverridesAttributesAndReplacesLists() throws Exception {
        Fixtures.write(dir.resolve("base/Base.xml"), "<Sipis><Server Name=\"Base\" Port=\"1000\" Realm=\"R\"/>"
                + "<NotificationServers><NotificationServer Name=\"*\" Host=\"a\"/><NotificationServer Name=\"b\" Host=\"b\"/>"
                + "</NotificationServers><Log FileName=\"base.log\" Level=\"Debug\"/></Sipis>");
        Fixtures.write(dir.resolve("Middle.xml"), "<Sipis Defaults=\"base/Base.xml\"><Server Port=\"2000\"/></Sipis>");
        Settings s = load("<sipis defaults=\"Middle.xml\"><server name=\"Child\"/><notificationservers>"
                + "<notificationserver name=\"x\" host=\"x\"/></notificationservers></sipis>");
        assertThat(s.server().name()).isEqualTo("Child");
        assertThat(s.server().port()).isEqualTo(2000);
        assertThat(s.server().realm()).isEqualTo("R");
        assertThat(s.notificationServers()).singleElement()
                .satisfies(r -> assertThat(((PushRoute.Pnm) r).host()).isEqualTo("x"));
        // a relative path resolves against the file that wrote it
        assertThat(s.log().fileName()).isEqualTo(dir.resolve("base/base.log"));
        assertThat(s.log().level()).isEqualTo(LogSettings.Level.DEBUG);
        assertThat(s.chain()).hasSize(3);
    }

    @Test
    void defaultsCycleAndMissingFileNameTheChain() {
        Fixtures.write(dir.resolve("A.xml"), "<Sipis Defaults=\"B.xml\"><Server Name=\"A\"/></Sipis>");
        Fixtures.write(dir.resolve("B.xml"), "<Sipis\n Defaults=\"A.xml\"/>");
        assertThatThrownBy(() -> SettingsLoader.load(dir.resolve("A.xml")))
                .hasMessageContaining("B.xml:2")
                .hasMessageContaining("makes a cycle: " + dir.resolve("A.xml") + " -> " + dir.resolve("B.xml") + " -> "
                        + dir.resolve("A.xml"));
        Fixtures.write(dir.resolve("C.xml"), "<Sipis Defaults=\"nope/Defaults.xml\"><Server Name=\"C\"/></Sipis>");
        assertThatThrownBy(() -> SettingsLoader.load(dir.resolve("C.xml")))
                .hasMessageContaining("C.xml:1")
                .hasMessageContaining("Defaults=\"nope/Defaults.xml\"")
                .hasMessageContaining("file not found");
    }

    @Test
    void textMessageFiltersInBothConditionForms() throws Exception {
        Settings s = load("<Sipis><Server Name=\"S\"/><IncomingTextMessage><Filter>"
                + "<Entry Action=\"AcceptAndDrop\" Enabled=\"Yes\"><Header Name=\"Content-Type\" Equal=\"text/x\"/></Entry>"
                + "<Entry Action=\"Reject\"><Header Name=\"Content-Length\"><UintGt Value=\"10\"/></Header>"
                + "<RejectWith Code=\"413\" Phrase=\"Too Big\"/></Entry></Filter></IncomingTextMessage></Sipis>");
        assertThat(s.incomingTextMessageFilters()).hasSize(2);
        TextMessageFilter reject = s.incomingTextMessageFilters().get(1);
        assertThat(reject.rejectWith()).contains(new RejectWith(413, "Too Big"));
        assertThat(reject.matches(h -> h.equals("Content-Length") ? "11" : null)).isTrue();
        assertThat(reject.matches(h -> h.equals("Content-Length") ? "10" : null)).isFalse();
    }

    @Test
    void pushRoutesKeepFileOrderAndValidateAuth() throws Exception {
        Settings s = load("<Sipis><Server Name=\"S\"/><NotificationServers>"
                + "<Apns AppId=\"com.a\" KeyFile=\"k.p8\" KeyId=\"K\" TeamId=\"T\" Topic=\"com.a\"/>\n"
                + "<Fcm AppId=\"com.b\" ProjectId=\"p\" Endpoint=\"http://127.0.0.1:1\"/>\n"
                + "<NotificationServer Name=\"*\" Host=\"pnm.example\"/>\n</NotificationServers></Sipis>");
        assertThat(s.notificationServers()).extracting(PushRoute::kind)
                .containsExactly(PushRoute.Kind.APNS, PushRoute.Kind.FCM, PushRoute.Kind.PNM);
        assertThat(s.pushRouteFor("com.b.x")).get().extracting(PushRoute::kind).isEqualTo(PushRoute.Kind.FCM);
        assertThat(s.pushRouteFor("other")).get().extracting(PushRoute::kind).isEqualTo(PushRoute.Kind.PNM);
        assertThat(errors("<Sipis><Server Name=\"S\"/><NotificationServers><Apns AppId=\"com.a\" KeyFile=\"k.p8\"/>"
                + "</NotificationServers></Sipis>")).singleElement().asString().contains("needs KeyId and TeamId");
    }

    @Test
    void secretsAreMaskedInToString() throws Exception {
        Settings s = load("<Sipis><Server Name=\"S\"/><Administrator UserName=\"admin\" Password=\"adminpw\"/>"
                + "<Database OpenString=\"host=db password='p w'\"/></Sipis>");
        assertThat(s.toString()).doesNotContain("adminpw").doesNotContain("p w");
        assertThat(s.administrator().password().reveal()).isEqualTo("adminpw");
        assertThat(s.database().openString().get().get("password")).contains("p w");
    }

    @Test
    void hostileAndBrokenXmlGetsClearErrors() throws Exception {
        String laughs = "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;\">]>"
                + "<Sipis><Server Name=\"&lol2;\"/></Sipis>";
        assertThat(errors(laughs)).singleElement().asString().contains("DOCTYPE declarations are not allowed");
        String xxe = "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><Sipis><Server Name=\"&e;\"/></Sipis>";
        assertThat(errors(xxe)).singleElement().asString().contains("DOCTYPE");
        assertThat(errors("<Sipis><Server Name=\"S\"></Sipis>")).singleElement().asString()
                .contains("Bad.xml:1").contains("malformed XML");
        assertThat(errors("<Sipis><Server Name=\"S\"/>")).singleElement().asString().contains("malformed XML");
        assertThat(errors("")).singleElement().asString().contains("Bad.xml");
        assertThat(errors("not xml at all")).singleElement().asString().contains("malformed XML");
        assertThat(errors("<Sipis><Server Name=\"S\" Name=\"T\"/></Sipis>")).singleElement().asString().contains("appears twice");
        Path big = dir.resolve("Big.xml");
        Files.writeString(big, "<Sipis><Server Name=\"S\"/><!--" + "x".repeat(10 * 1024 * 1024) + "--></Sipis>");
        assertThatThrownBy(() -> SettingsLoader.load(big)).hasMessageContaining("a settings file may be at most 1048576 bytes");
        assertThatThrownBy(() -> SettingsLoader.load(dir.resolve("absent.xml"))).hasMessageContaining("file not found");
    }

    @Test
    void repeatedSingleElementIsAnError() {
        assertThat(errors("<Sipis><Server Name=\"S\"/>\n<Server Name=\"T\"/></Sipis>")).singleElement().asString()
                .contains("Bad.xml:2").contains("<Server> appears 2 times");
    }
}
