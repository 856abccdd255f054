package org.opensipis.core.settings;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * A configured secret (a password, an open-string password). Its {@link #toString()} is
 * masked, so it can never reach a log or {@code sipis check} output by accident; callers
 * that really need the value say so with {@link #reveal()}.
 *
 * <p>The value is kept as its UTF-8 bytes, not as a {@code String}: a process keeps two secrets per
 * instance (the SIP password and the app's secret), and the {@code String} around the bytes would
 * be 24 B more of each, 4.8 MB at 100,000 instances. {@link #reveal()} makes the string when asked.
 */
public final class Secret {

    public static final String MASK = "********";

    private final byte[] value;

    private Secret(String value) {
        this.value = Objects.requireNonNull(value, "value").getBytes(StandardCharsets.UTF_8);
    }

    private Secret(byte[] utf8) {
        this.value = utf8;
    }

    public static Secret of(String value) {
        return new Secret(value);
    }

    /**
     * A secret around {@code utf8} as it is, not copied: for holders that keep many secrets as their
     * bytes ({@code SipAccount}, {@code InstanceRecord}: 16 B less per secret) and hand out a
     * {@code Secret} when asked. Nobody may change the array afterwards.
     */
    public static Secret wrapping(byte[] utf8) {
        return new Secret(Objects.requireNonNull(utf8, "utf8"));
    }

    /** The UTF-8 bytes themselves, not a copy, for such a holder to keep; never to be changed or logged. */
    public byte[] wrapped() {
        return value;
    }

    public String reveal() {
        return new String(value, StandardCharsets.UTF_8);
    }

    public boolean isEmpty() {
        return value.length == 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Secret && Arrays.equals(((Secret) o).value, value);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return value.length == 0 ? "" : MASK;
    }
}
