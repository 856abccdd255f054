package org.opensipis.core.settings;

import java.util.Objects;

/**
 * A configured secret (a password, an open-string password). Its {@link #toString()} is
 * masked, so it can never reach a log or {@code sipis check} output by accident; callers
 * that really need the value say so with {@link #reveal()}.
 */
public final class Secret {

    public static final String MASK = "********";

    private final String value;

    private Secret(String value) {
        this.value = Objects.requireNonNull(value, "value");
    }

    public static Secret of(String value) {
        return new Secret(value);
    }

    public String reveal() {
        return value;
    }

    public boolean isEmpty() {
        return value.isEmpty();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Secret && ((Secret) o).value.equals(value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }

    @Override
    public String toString() {
        return value.isEmpty() ? "" : MASK;
    }
}
