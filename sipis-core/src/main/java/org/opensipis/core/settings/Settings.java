package org.opensipis.core.settings;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The whole, validated configuration of one SIPIS process, built once from a
 * {@code Settings*.xml} (after its {@code Defaults="…"} chain) by {@link SettingsLoader}.
 * Immutable; the composition root hands the parts each module needs.
 *
 * @param file              the settings file the process was started with
 * @param chain             that file and its Defaults files, child first
 * @param loadBalancer2File the LB2 settings file ({@code <LoadBalancer2 FileName>}, ours)
 * @param abuse             {@code <RegistrarTargets>} and {@code <RegisterLimits>} (ours)
 * @param lease             {@code <Lease>}: ownership of selector prefixes in the database (ours)
 */
public record Settings(Path file, List<Path> chain, ServerSettings server, HttpServerSettings httpServer,
                       AdministratorSettings administrator, DatabaseSettings database, LockSettings lock,
                       LogSettings log, List<PushRoute> notificationServers, List<String> ignoredAppIds,
                       List<TlsClientCertificate> tlsClientCertificates, TlsServerOptions tlsServerOptions,
                       Optional<Path> trustedCertificates, InstanceSettings instance,
                       IncomingCallSettings incomingCall, List<TextMessageFilter> incomingTextMessageFilters,
                       PushTestSettings pushTest, DataProtectionSettings dataProtection,
                       RestartSettings restart, RegistrationSettings registration, Path loadBalancer2File,
                       AbuseSettings abuse, LeaseSettings lease) {

    public Settings {
        Objects.requireNonNull(file, "file");
        chain = List.copyOf(chain);
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(httpServer, "httpServer");
        Objects.requireNonNull(administrator, "administrator");
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(lock, "lock");
        Objects.requireNonNull(log, "log");
        notificationServers = List.copyOf(notificationServers);
        ignoredAppIds = List.copyOf(ignoredAppIds);
        tlsClientCertificates = List.copyOf(tlsClientCertificates);
        Objects.requireNonNull(tlsServerOptions, "tlsServerOptions");
        Objects.requireNonNull(trustedCertificates, "trustedCertificates");
        Objects.requireNonNull(instance, "instance");
        Objects.requireNonNull(incomingCall, "incomingCall");
        incomingTextMessageFilters = List.copyOf(incomingTextMessageFilters);
        Objects.requireNonNull(pushTest, "pushTest");
        Objects.requireNonNull(dataProtection, "dataProtection");
        Objects.requireNonNull(restart, "restart");
        Objects.requireNonNull(registration, "registration");
        Objects.requireNonNull(loadBalancer2File, "loadBalancer2File");
        Objects.requireNonNull(abuse, "abuse");
        Objects.requireNonNull(lease, "lease");
    }

    /** The first push route whose app-id prefix matches, if any. */
    public Optional<PushRoute> pushRouteFor(String appId) {
        return notificationServers.stream().filter(r -> r.matches(appId)).findFirst();
    }

    /** Whether registrations from this app id are ignored ({@code <IgnoredAppIds>}). */
    public boolean ignores(String appId) {
        return ignoredAppIds.stream().anyMatch(appId::startsWith);
    }
}
