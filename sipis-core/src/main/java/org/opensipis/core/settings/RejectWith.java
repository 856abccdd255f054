package org.opensipis.core.settings;

import java.util.Objects;

/** A final SIP response to send: {@code <RejectWith Code Phrase>}. */
public record RejectWith(int code, String phrase) {
    public RejectWith {
        Objects.requireNonNull(phrase, "phrase");
        if (code < 300 || code > 699) {
            throw new IllegalArgumentException("reject code must be 300..699, was " + code);
        }
    }
}
