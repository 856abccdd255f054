package org.opensipis.core.shard;

import java.math.BigInteger;
import java.util.Locale;
import java.util.Optional;

/**
 * An LB2 {@code SelectorPrefix}: empty (matches all), {@code HEX} (the first len(HEX) hex
 * digits) or {@code HEX/BITS} (the first BITS bits of the selector, written as hex digits
 * padded with zero bits: {@code C/2} is binary {@code 11}).
 */
public final class SelectorPrefix {

    public static final SelectorPrefix ALL = new SelectorPrefix("", 0);

    private final String hex;
    private final int bits;

    private SelectorPrefix(String hex, int bits) {
        this.hex = hex;
        this.bits = bits;
    }

    /**
     * Parses {@code ""}, {@code HEX} or {@code HEX/BITS}.
     *
     * @throws IllegalArgumentException with the expected form, for use in settings messages
     */
    public static SelectorPrefix parse(String text) {
        String t = text.trim();
        if (t.isEmpty()) {
            return ALL;
        }
        int slash = t.indexOf('/');
        String hex = (slash < 0 ? t : t.substring(0, slash)).toUpperCase(Locale.ROOT);
        if (hex.isEmpty() || !Selector.isHex(hex)) {
            throw new IllegalArgumentException("a selector prefix: hex digits, optionally /BITS (e.g. \"C\", \"C/2\", \"A/4\")");
        }
        if (slash < 0) {
            return new SelectorPrefix(hex, hex.length() * 4);
        }
        int bits;
        try {
            bits = Integer.parseInt(t.substring(slash + 1).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("a selector prefix HEX/BITS with BITS a whole number (e.g. \"C/2\")");
        }
        if (bits < 0 || bits > hex.length() * 4) {
            throw new IllegalArgumentException("a selector prefix whose BITS is 0.." + hex.length() * 4
                    + " for " + hex.length() + " hex digit(s)");
        }
        BigInteger v = new BigInteger(hex, 16);
        int spare = hex.length() * 4 - bits;
        if (spare > 0 && v.and(BigInteger.ONE.shiftLeft(spare).subtract(BigInteger.ONE)).signum() != 0) {
            throw new IllegalArgumentException("a selector prefix whose bits after the first " + bits
                    + " are zero (\"" + hex + "/" + bits + "\" sets bits past " + bits + "; did you mean \""
                    + toHex(v.shiftRight(spare).shiftLeft(spare), hex.length()) + "/" + bits + "\"?)");
        }
        // Keep just the digits that hold the BITS (e.g. "C0/2" == "C/2").
        int digits = (bits + 3) / 4;
        return new SelectorPrefix(hex.substring(0, digits), bits);
    }

    public int bits() {
        return bits;
    }

    public boolean isAll() {
        return bits == 0;
    }

    /** Whether the selector's leading bits equal this prefix. */
    public boolean matches(String selector) {
        if (bits == 0) {
            return true;
        }
        if (selector.length() < hex.length()) {
            return false;
        }
        int full = bits / 4;
        for (int i = 0; i < full; i++) {
            if (Character.toUpperCase(selector.charAt(i)) != hex.charAt(i)) {
                return false;
            }
        }
        int rest = bits % 4;
        if (rest == 0) {
            return true;
        }
        int a = Character.digit(selector.charAt(full), 16);
        int b = Character.digit(hex.charAt(full), 16);
        if (a < 0) {
            return false;
        }
        int mask = (0xF << (4 - rest)) & 0xF;
        return (a & mask) == (b & mask);
    }

    /** Inclusive lower bound of the matching selectors, as an upper-case string. */
    public String lowerBound() {
        return hex;
    }

    /**
     * Exclusive upper bound of the matching selectors under byte-wise ("C" collation)
     * comparison of upper-case selectors; empty when the range runs to the end.
     */
    public Optional<String> upperBound() {
        if (bits == 0) {
            return Optional.empty();
        }
        int spare = hex.length() * 4 - bits;
        BigInteger next = new BigInteger(hex, 16).shiftRight(spare).add(BigInteger.ONE);
        if (next.bitLength() > bits) {
            return Optional.empty();
        }
        return Optional.of(toHex(next.shiftLeft(spare), hex.length()));
    }

    private static String toHex(BigInteger v, int digits) {
        String s = v.toString(16).toUpperCase(Locale.ROOT);
        return "0".repeat(Math.max(0, digits - s.length())) + s;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SelectorPrefix && ((SelectorPrefix) o).hex.equals(hex) && ((SelectorPrefix) o).bits == bits;
    }

    @Override
    public int hashCode() {
        return hex.hashCode() * 31 + bits;
    }

    /** {@code HEX/BITS}, or {@code ""} for all. */
    @Override
    public String toString() {
        return bits == 0 ? "" : hex + "/" + bits;
    }
}
