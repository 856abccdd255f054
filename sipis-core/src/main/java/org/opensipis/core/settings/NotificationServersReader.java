package org.opensipis.core.settings;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.opensipis.core.xml.ElementReader;

/**
 * Reads {@code <NotificationServers>}: Acrobits' {@code <NotificationServer>} entries (push
 * through the PNM gateway) and our {@code <Apns>} and {@code <Fcm>} entries (direct), in file
 * order. See docs/configure.md for the shape.
 */
final class NotificationServersReader {

    private NotificationServersReader() {
    }

    static List<PushRoute> read(ElementReader servers) {
        List<PushRoute> out = new ArrayList<>();
        if (!servers.present()) {
            return out;
        }
        for (ElementReader e : servers.childrenNamed("NotificationServer", "Apns", "Fcm")) {
            switch (e.key()) {
                case "notificationserver":
                    out.add(pnm(e));
                    break;
                case "apns":
                    apns(e).ifPresent(out::add);
                    break;
                default:
                    fcm(e).ifPresent(out::add);
                    break;
            }
        }
        return out;
    }

    private static PushRoute.Pnm pnm(ElementReader e) {
        String name = e.string("Name", "*");
        String host = e.required("Host");
        int port = e.port("Port", 6552);
        boolean premium = e.yesNo("Premium", false);
        boolean tls = e.yesNo("RequiresTls", true);
        return new PushRoute.Pnm(name, host, port, premium, tls, SettingsLoader.uri(e, "Url"));
    }

    private static Optional<PushRoute> apns(ElementReader e) {
        String appId = e.string("AppId", "*");
        Optional<String> topic = e.optString("Topic").filter(s -> !s.isBlank());
        Optional<Path> keyFile = e.optPath("KeyFile");
        Optional<String> keyId = e.optString("KeyId").filter(s -> !s.isBlank());
        Optional<String> teamId = e.optString("TeamId").filter(s -> !s.isBlank());
        Optional<Path> certFile = e.optPath("CertificateFile");
        Optional<Secret> certPassword = e.optString("CertificatePassword").map(Secret::of);
        String env = e.string("Environment", "Production");
        boolean production;
        if (env.equalsIgnoreCase("production")) {
            production = true;
        } else if (env.equalsIgnoreCase("development") || env.equalsIgnoreCase("sandbox")) {
            production = false;
        } else {
            e.bad("Environment", env, "Production or Development");
            production = true;
        }
        Optional<String> host = e.optString("Host").filter(s -> !s.isBlank());
        Optional<Integer> port = e.optString("Port").isPresent() ? Optional.of(e.port("Port", 443)) : Optional.empty();
        boolean premium = e.yesNo("Premium", false);
        if (keyFile.isPresent() == certFile.isPresent()) {
            e.error("an <Apns> entry needs exactly one of KeyFile (token auth, with KeyId and TeamId) or CertificateFile");
            return Optional.empty();
        }
        if (keyFile.isPresent() && (keyId.isEmpty() || teamId.isEmpty())) {
            e.error("token auth (KeyFile) also needs KeyId and TeamId");
            return Optional.empty();
        }
        if (topic.isEmpty() && (appId.equals("*") || appId.isEmpty())) {
            e.error("an <Apns> entry for every app (AppId=\"*\") needs a Topic (the app's bundle id)");
            return Optional.empty();
        }
        return Optional.of(new PushRoute.Apns(appId, topic, keyFile, keyId, teamId, certFile, certPassword,
                production, host, port, premium));
    }

    private static Optional<PushRoute> fcm(ElementReader e) {
        String appId = e.string("AppId", "*");
        Optional<Path> account = e.optPath("ServiceAccountFile");
        String projectId = e.required("ProjectId");
        boolean premium = e.yesNo("Premium", false);
        return Optional.of(new PushRoute.Fcm(appId, account, projectId, SettingsLoader.uri(e, "Endpoint"), premium));
    }
}
