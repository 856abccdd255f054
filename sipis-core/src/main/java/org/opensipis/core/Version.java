package org.opensipis.core;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The product version and build time, from the build (shown by --version, /about, /stats). */
public record Version(String version, String build) {

    /** Reads the version written into the core jar at build time. */
    public static Version current() {
        Properties p = new Properties();
        try (InputStream in = Version.class.getResourceAsStream("/org/opensipis/core/version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // fall through to "unknown"
        }
        String v = p.getProperty("version", "unknown");
        String b = p.getProperty("build", "unknown");
        return new Version(v.startsWith("${") ? "unknown" : v, b.startsWith("${") ? "unknown" : b);
    }

    /** A number exporters can compare: major*10000 + minor*100 + patch (0 when unknown). */
    public long number() {
        String[] parts = version.split("[.-]");
        long n = 0;
        for (int i = 0; i < 3; i++) {
            long part = 0;
            if (i < parts.length) {
                try {
                    part = Long.parseLong(parts[i]);
                } catch (NumberFormatException e) {
                    part = 0;
                }
            }
            n = n * 100 + part;
        }
        return n;
    }
}
