package org.opensipis.core.settings;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * One {@code <IncomingTextMessage><Filter><Entry Action Enabled>} with its
 * {@code <Header Name>} condition ({@code Equal}, {@code Contains} or {@code UintGt}) and, for
 * {@code Reject}, its {@code <RejectWith Code Phrase>}.
 */
public record TextMessageFilter(Action action, boolean enabled, String header, Condition condition,
                                String value, Optional<RejectWith> rejectWith) {

    public enum Action { ACCEPT_AND_DROP, ACCEPT_AND_DO_NOT_PUSH, REJECT }

    public enum Condition { EQUAL, CONTAINS, UINT_GT }

    public TextMessageFilter {
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(header, "header");
        Objects.requireNonNull(condition, "condition");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(rejectWith, "rejectWith");
    }

    /** Whether a message matches, given a header lookup (case-insensitive header names). */
    public boolean matches(Function<String, String> headerValue) {
        if (!enabled) {
            return false;
        }
        String v = headerValue.apply(header);
        if (v == null) {
            return false;
        }
        switch (condition) {
            case EQUAL:
                return v.trim().equalsIgnoreCase(value);
            case CONTAINS:
                return v.toLowerCase(Locale.ROOT).contains(value.toLowerCase(Locale.ROOT));
            case UINT_GT:
                try {
                    return Long.parseLong(v.trim()) > Long.parseLong(value.trim());
                } catch (NumberFormatException e) {
                    return false;
                }
            default:
                return false;
        }
    }
}
