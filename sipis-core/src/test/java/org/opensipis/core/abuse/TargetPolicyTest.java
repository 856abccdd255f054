package org.opensipis.core.abuse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TargetPolicyTest {

    private static InetAddress ip(String s) {
        return Cidr.literal(s).orElseThrow();
    }

    private static TargetRule allow(String network) {
        return new TargetRule(true, Optional.empty(), Optional.of(Cidr.parse(network)), Optional.empty(), "");
    }

    private static TargetRule deny(String network) {
        return new TargetRule(false, Optional.empty(), Optional.of(Cidr.parse(network)), Optional.empty(), "");
    }

    @Test
    void defaultsRefuseInwardAndMetadataAddressesAndAllowPublicOnes() {
        TargetPolicy p = TargetPolicy.defaults();
        for (String inward : List.of("127.0.0.1", "127.9.9.9", "0.0.0.0", "169.254.1.1", "224.0.0.1", "255.255.255.255",
                "10.0.0.7", "172.16.3.4", "192.168.1.1", "100.64.0.1", "::1", "::", "fe80::1", "ff02::1", "fd12::1",
                "::ffff:127.0.0.1", "64:ff9b::7f00:1", "2002:7f00:1::1", "169.254.169.254", "100.100.100.200",
                "fd00:ec2::254", "fd20:ce::254")) {
            assertThat(p.check("h", ip(inward), 5060)).as(inward).isPresent();
        }
        assertThat(p.check("sip.example.com", ip("192.0.2.10"), 5060)).isEmpty();
        assertThat(p.check("x", ip("2001:db8::1"), 5061)).isEmpty();
        assertThat(p.check("x", ip("127.0.0.1"), 5060).orElseThrow()).contains("loopback")
                .contains("<RegistrarTargets><Allow Network=\"127.0.0.0/8\"/>");
        assertThat(p.check("meta.example", ip("169.254.169.254"), 80).orElseThrow())
                .contains("meta.example -> 169.254.169.254:80").contains("cloud metadata");
    }

    @Test
    void allowNetworkOptsInButNotMetadataUnlessNamedExactly() {
        TargetPolicy p = new TargetPolicy(true, PortSet.ALL, List.of(allow("10.0.0.0/8"), allow("169.254.0.0/16")));
        assertThat(p.check("h", ip("10.1.2.3"), 5060)).isEmpty();
        assertThat(p.check("h", ip("169.254.1.1"), 5060)).isEmpty();
        assertThat(p.check("h", ip("169.254.169.254"), 5060)).isPresent();
        assertThat(p.check("h", ip("192.168.1.1"), 5060)).isPresent();
        TargetPolicy exact = new TargetPolicy(true, PortSet.ALL, List.of(allow("169.254.169.254/32")));
        assertThat(exact.check("h", ip("169.254.169.254"), 5060)).isEmpty();
    }

    @Test
    void denyWinsOverAllowAndNamesTheRule() {
        TargetPolicy p = new TargetPolicy(true, PortSet.ALL, List.of(allow("127.0.0.0/8"),
                new TargetRule(false, Optional.empty(), Optional.of(Cidr.parse("127.0.0.2")), Optional.empty(), "S.xml:7")));
        assertThat(p.check("h", ip("127.0.0.1"), 5060)).isEmpty();
        assertThat(p.check("h", ip("127.0.0.2"), 5060).orElseThrow())
                .contains("RegistrarTargets/Deny[Network=\"127.0.0.2/32\"] (S.xml:7)");
        TargetPolicy publicDeny = new TargetPolicy(true, PortSet.ALL, List.of(deny("192.0.2.0/24")));
        assertThat(publicDeny.check("h", ip("192.0.2.9"), 5060)).isPresent();
        assertThat(publicDeny.check("h", ip("::ffff:192.0.2.9"), 5060)).isPresent();
    }

    @Test
    void domainsPortsAndAllowOthers() {
        TargetRule denyInternal = new TargetRule(false, Optional.of(DomainPattern.parse("*.internal")), Optional.empty(),
                Optional.empty(), "");
        TargetRule allowVoip = new TargetRule(true, Optional.of(DomainPattern.parse("*.voip.example")), Optional.empty(),
                Optional.empty(), "");
        TargetPolicy p = new TargetPolicy(false, PortSet.parse("5060-5061, 5080"), List.of(denyInternal, allowVoip));
        assertThat(p.checkName("db.internal", 0).orElseThrow()).contains("Deny[Domain=\"*.internal\"]");
        assertThat(p.checkName("sip.voip.example", 22).orElseThrow()).contains("RegistrarTargets[Ports=\"5060-5061,5080\"]");
        assertThat(p.checkName("sip.voip.example", 5080)).isEmpty();
        assertThat(p.check("sip.voip.example", ip("192.0.2.1"), 5060)).isEmpty();
        assertThat(p.check("other.example", ip("192.0.2.1"), 5060).orElseThrow()).contains("AllowOthers");
        assertThat(p.check("SIP.VOIP.EXAMPLE.", ip("10.0.0.1"), 5060)).isPresent(); // a name does not open inward ranges
        assertThat(p.checkName("127.0.0.1", 5060)).isPresent(); // literals are checked completely
    }

    @Test
    void checkAllRefusesWhenAnyAddressIsInward() {
        TargetPolicy p = TargetPolicy.defaults();
        assertThat(p.checkAll("mixed.example", List.of(new InetSocketAddress(ip("192.0.2.1"), 5060),
                new InetSocketAddress(ip("127.0.0.1"), 5060)))).isPresent();
        assertThat(p.checkAll("ok.example", List.of(new InetSocketAddress(ip("192.0.2.1"), 5060)))).isEmpty();
    }

    @Test
    void parsing() {
        assertThat(Cidr.parse("10.1.2.3/8").toString()).isEqualTo("10.0.0.0/8");
        assertThat(Cidr.parse("FD00::1/8").toString()).isEqualTo("fd00:0:0:0:0:0:0:0/8");
        assertThat(Cidr.parse("10.0.0.0/8").within(Cidr.parse("0.0.0.0/0"))).isTrue();
        assertThat(Cidr.literal("not.an.ip")).isEmpty();
        assertThat(Cidr.literal("1.2.3")).isEmpty();
        assertThat(Cidr.literal("[::1]")).isPresent();
        assertThatThrownBy(() -> Cidr.parse("10.0.0.0/33")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Cidr.parse("example.com")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PortSet.parse("0-5")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DomainPattern.parse("a.*.b")).isInstanceOf(IllegalArgumentException.class);
        assertThat(DomainPattern.parse("*.example.com").matches("example.com")).isFalse();
        assertThat(DomainPattern.parse("*.example.com").matches("a.b.example.com")).isTrue();
        assertThat(Cidr.networkOf(ip("2001:db8:1:2:3:4:5:6"), 64)).isEqualTo("2001:db8:1:2:0:0:0:0/64");
    }
}
