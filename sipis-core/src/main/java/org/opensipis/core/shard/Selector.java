package org.opensipis.core.shard;

import java.util.Locale;

/**
 * Selectors: the hex key of an instance (one account on one device), typically 40 hex digits
 * of SHA-1, a colon and 8 hex digits, e.g. {@code 12869E0E6E553673C54F29105A0647204C416A2A:7C3A0D14}.
 * The app computes it; the server treats it as opaque, routes on its leading bits and keeps it
 * in upper case.
 */
public final class Selector {

    public static final int MAX_LENGTH = 64;

    private Selector() {
    }

    /**
     * Checks and normalises a selector (upper case).
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static String normalise(String selector) {
        if (selector == null || selector.isEmpty()) {
            throw new IllegalArgumentException("selector is empty");
        }
        if (selector.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("selector is " + selector.length() + " characters long; at most "
                    + MAX_LENGTH + " are allowed");
        }
        String s = selector.toUpperCase(Locale.ROOT);
        int colon = s.indexOf(':');
        String head = colon < 0 ? s : s.substring(0, colon);
        String tail = colon < 0 ? "" : s.substring(colon + 1);
        if (head.isEmpty() || !isHex(head) || (colon >= 0 && (tail.isEmpty() || !isHex(tail)))) {
            throw new IllegalArgumentException("selector \"" + selector
                    + "\" is not hex digits, optionally followed by ':' and more hex digits");
        }
        return s;
    }

    public static boolean isValid(String selector) {
        try {
            normalise(selector);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    static boolean isHex(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.digit(s.charAt(i), 16) < 0) {
                return false;
            }
        }
        return true;
    }
}
