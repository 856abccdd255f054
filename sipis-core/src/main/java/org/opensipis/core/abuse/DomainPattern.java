package org.opensipis.core.abuse;

import java.util.Locale;

/**
 * A host name pattern: {@code sip.example.com} (exactly that name), {@code *.example.com}
 * (any name below example.com, not example.com itself) or {@code *} (every name).
 * Case-insensitive; a trailing dot is ignored. Immutable.
 */
public record DomainPattern(String pattern) {

    public DomainPattern {
        String p = pattern.trim().toLowerCase(Locale.ROOT);
        if (p.endsWith(".")) {
            p = p.substring(0, p.length() - 1);
        }
        if (!p.equals("*") && !p.matches("(\\*\\.)?[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*")) {
            throw new IllegalArgumentException("a host name, \"*.\" followed by a domain, or \"*\"");
        }
        pattern = p;
    }

    public static DomainPattern parse(String text) {
        return new DomainPattern(text);
    }

    /** Whether the host name matches (IP literals only match {@code *}). */
    public boolean matches(String host) {
        String h = host.trim().toLowerCase(Locale.ROOT);
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        if (pattern.equals("*")) {
            return true;
        }
        if (pattern.startsWith("*.")) {
            return h.endsWith(pattern.substring(1)) && h.length() > pattern.length() - 1;
        }
        return h.equals(pattern);
    }

    @Override
    public String toString() {
        return pattern;
    }
}
