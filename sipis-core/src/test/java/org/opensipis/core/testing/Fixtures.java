package org.opensipis.core.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.opensipis.core.shard.Shard;

/**
 * Copies the seed's example settings (test resources under {@code seed/}) into a directory,
 * so tests in every module can load them from real files.
 */
public final class Fixtures {

    public static final List<String> SINGLE = List.of("Settings1.xml", "Settings2.xml", "Settings3.xml",
            "Settings4.xml", "lb2/Settings.xml");

    private Fixtures() {
    }

    /** Copies {@code seed/single} (Settings1–4 + lb2/Settings.xml) into {@code dir}. */
    public static Path single(Path dir) {
        for (String f : SINGLE) {
            copy("seed/single/" + f, dir.resolve(f));
        }
        return dir;
    }

    /** Copies {@code seed/multi} (Defaults.xml, Settingssipis0–F.xml, lb2/Settings.xml) into {@code dir}. */
    public static Path multi(Path dir) {
        copy("seed/multi/Defaults.xml", dir.resolve("Defaults.xml"));
        copy("seed/multi/lb2/Settings.xml", dir.resolve("lb2/Settings.xml"));
        for (char c : "0123456789ABCDEF".toCharArray()) {
            copy("seed/multi/Settingssipis" + c + ".xml", dir.resolve("Settingssipis" + c + ".xml"));
        }
        return dir;
    }

    public static void copy(String resource, Path to) {
        try (InputStream in = Fixtures.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no test resource " + resource);
            }
            Files.createDirectories(to.toAbsolutePath().getParent());
            Files.copy(in, to, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Path write(Path file, String content) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, content);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A selector of the usual form (40 hex digits, ':', 8 hex digits) from a seeded source. */
    public static String randomSelector(Random random) {
        StringBuilder b = new StringBuilder(49);
        String hex = "0123456789ABCDEF";
        for (int i = 0; i < 40; i++) {
            b.append(hex.charAt(random.nextInt(16)));
        }
        b.append(':');
        for (int i = 0; i < 8; i++) {
            b.append(hex.charAt(random.nextInt(16)));
        }
        return b.toString();
    }

    /** The names of the shards that own the instance (exactly one, in a consistent layout). */
    public static List<String> owners(List<Shard> shards, String selector, String appId) {
        List<String> owners = new ArrayList<>();
        for (Shard s : shards) {
            if (s.owns(selector, appId)) {
                owners.add(s.serverName());
            }
        }
        return owners;
    }
}
