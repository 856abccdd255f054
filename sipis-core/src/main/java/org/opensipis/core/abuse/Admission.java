package org.opensipis.core.abuse;

import java.util.Objects;

/**
 * The outcome of {@link AdmissionStore#admit}: stored, or refused by a quota (nothing stored).
 *
 * @param outcome what happened
 * @param message why it was refused, naming the quota setting; empty when stored
 * @param created whether the instance did not exist before (only meaningful when stored)
 */
public record Admission(Outcome outcome, String message, boolean created) {

    public enum Outcome {
        STORED,
        /** {@code RegisterLimits[MaxInstancesPerRegistrar]} is reached. */
        REGISTRAR_QUOTA,
        /** {@code RegisterLimits[MaxInstancesPerUser]} is reached. */
        USER_QUOTA
    }

    public Admission {
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(message, "message");
    }

    public static Admission stored(boolean created) {
        return new Admission(Outcome.STORED, "", created);
    }

    /** Refused: {@code count} instances of {@code key} already exist, the quota is {@code quota}. */
    public static Admission refused(Outcome outcome, String key, int quota) {
        String setting = outcome == Outcome.USER_QUOTA ? "MaxInstancesPerUser" : "MaxInstancesPerRegistrar";
        String what = outcome == Outcome.USER_QUOTA ? "SIP user " : "registrar ";
        return new Admission(outcome, what + key + " already has " + quota + " instances, the most "
                + "RegisterLimits[" + setting + "=\"" + quota + "\"] allows; nothing was stored", false);
    }

    public boolean isStored() {
        return outcome == Outcome.STORED;
    }
}
