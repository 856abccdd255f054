package org.opensipis.push;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.opensipis.core.settings.PushRoute;

/**
 * The credential files a NotificationServers entry reads (APNs {@code KeyFile} or
 * {@code CertificateFile}, FCM {@code ServiceAccountFile}) and a digest of their contents, so
 * that a reload notices a renewed certificate or a rotated key at the same path. Only the
 * digest is kept, never the contents.
 */
final class CredentialFiles {

    private CredentialFiles() {
    }

    /** Setting name → digest of that file's contents ("unreadable" when it cannot be read). */
    record Fingerprint(Map<String, String> digests) {
        Fingerprint {
            digests = Map.copyOf(digests);
        }
    }

    static Map<String, Path> of(PushRoute route) {
        Map<String, Path> files = new LinkedHashMap<>();
        if (route instanceof PushRoute.Apns a) {
            a.keyFile().ifPresent(p -> files.put("KeyFile", p));
            a.certificateFile().ifPresent(p -> files.put("CertificateFile", p));
        } else if (route instanceof PushRoute.Fcm f) {
            f.serviceAccountFile().ifPresent(p -> files.put("ServiceAccountFile", p));
        }
        return files;
    }

    static Fingerprint fingerprint(PushRoute route) {
        Map<String, String> digests = new LinkedHashMap<>();
        of(route).forEach((setting, file) -> digests.put(setting, digest(file)));
        return new Fingerprint(digests);
    }

    /** The settings whose file contents differ between two fingerprints of the same entry. */
    static Stream<String> changed(Fingerprint a, Fingerprint b) {
        return b.digests().entrySet().stream()
                .filter(e -> !Optional.ofNullable(a.digests().get(e.getKey())).equals(Optional.of(e.getValue())))
                .map(Map.Entry::getKey);
    }

    private static String digest(Path file) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (IOException | RuntimeException e) {
            return "unreadable";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
