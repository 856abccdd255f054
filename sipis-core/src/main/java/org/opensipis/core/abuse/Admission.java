package org.opensipis.core.abuse;

import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of {@link AdmissionStore#admit}: stored, or refused by a quota (nothing stored).
 *
 * @param refusal why it was not stored, naming the quota setting; empty = stored
 * @param created whether the instance did not exist before (only meaningful when stored)
 */
public record Admission(Optional<String> refusal, boolean created) {
    public Admission {
        Objects.requireNonNull(refusal, "refusal");
    }

    public static Admission stored(boolean created) {
        return new Admission(Optional.empty(), created);
    }

    public static Admission refused(String why) {
        return new Admission(Optional.of(why), false);
    }

    public boolean isStored() {
        return refusal.isEmpty();
    }
}
