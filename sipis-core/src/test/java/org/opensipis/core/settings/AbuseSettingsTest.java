package org.opensipis.core.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opensipis.core.abuse.Cidr;
import org.opensipis.core.testing.Fixtures;

class AbuseSettingsTest {

    @TempDir
    Path dir;

    @Test
    void defaults() throws Exception {
        Settings s = SettingsLoader.load(Fixtures.write(dir.resolve("S.xml"), "<Sipis><Server Name=\"A\"/></Sipis>")).settings();
        AbuseSettings.RegisterLimits l = s.abuse().limits();
        assertThat(l.perSourceRate()).isEqualTo(10);
        assertThat(l.perSourceBurst()).isEqualTo(100);
        assertThat(l.trustedProxies()).containsExactly(Cidr.parse("127.0.0.0/8"), Cidr.parse("::1"));
        assertThat(l.quotas().perRegistrar()).isEqualTo(50_000);
        assertThat(l.quotas().perUser()).isEqualTo(10);
        assertThat(s.abuse().targets().allowOthers()).isTrue();
        assertThat(s.abuse().targets().rules()).isEmpty();
        assertThat(s.abuse().targets().check("h", Cidr.literal("127.0.0.1").orElseThrow(), 5060)).isPresent();
    }

    @Test
    void readsRulesAndLimits() throws Exception {
        SettingsLoader.Loaded loaded = SettingsLoader.load(Fixtures.write(dir.resolve("S.xml"), """
                <sipis><server name="A"/>
                  <registrartargets allowothers="No" ports="5060-5061">
                    <allow network="127.0.0.0/8"/>
                    <deny domain="*.internal"/>
                    <allow domain="*.voip.example" ports="5060"/>
                  </registrartargets>
                  <registerlimits persourcerate="2.5" persourceburst="7" trustedproxies="10.0.0.1, ::1"
                                  maxinstancesperregistrar="0" maxinstancesperuser="3" ipv6sourceprefix="56"/>
                </sipis>"""));
        assertThat(loaded.warnings()).isEmpty();
        AbuseSettings a = loaded.settings().abuse();
        assertThat(a.targets().allowOthers()).isFalse();
        assertThat(a.targets().rules()).hasSize(3);
        assertThat(a.targets().rules().get(1).describe()).isEqualTo("RegistrarTargets/Deny[Domain=\"*.internal\"] (S.xml:4)");
        assertThat(a.targets().check("h", Cidr.literal("127.0.0.1").orElseThrow(), 5060)).isEmpty();
        assertThat(a.limits().perSourceRate()).isEqualTo(2.5);
        assertThat(a.limits().perSourceBurst()).isEqualTo(7);
        assertThat(a.limits().ipv6SourcePrefix()).isEqualTo(56);
        assertThat(a.limits().trustedProxies()).containsExactly(Cidr.parse("10.0.0.1"), Cidr.parse("::1"));
        assertThat(a.limits().quotas().perRegistrar()).isZero();
        assertThat(a.limits().quotas().perUser()).isEqualTo(3);
    }

    @Test
    void badValuesNameSettingAndLine() {
        Path f = Fixtures.write(dir.resolve("Bad.xml"), "<Sipis><Server Name=\"A\"/>\n<RegistrarTargets Ports=\"0\">\n"
                + "<Allow Network=\"10.0.0.0/99\"/>\n<Deny/>\n</RegistrarTargets>\n"
                + "<RegisterLimits TrustedProxies=\"nginx\" PerSourceBurst=\"0\"/></Sipis>");
        assertThatThrownBy(() -> SettingsLoader.load(f)).isInstanceOf(SettingsException.class)
                .hasMessageContaining("Bad.xml:2").hasMessageContaining("RegistrarTargets[Ports]")
                .hasMessageContaining("Bad.xml:3").hasMessageContaining("Allow[Network]")
                .hasMessageContaining("Bad.xml:4").hasMessageContaining("needs Domain, Network or Ports")
                .hasMessageContaining("RegisterLimits[TrustedProxies]").hasMessageContaining("\"nginx\" is not one")
                .hasMessageContaining("RegisterLimits[PerSourceBurst]");
    }
}
