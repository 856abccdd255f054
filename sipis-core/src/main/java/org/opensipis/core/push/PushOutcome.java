package org.opensipis.core.push;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The result of a push, as a value. Switch on {@link #kind()} (Java 17) or use
 * {@code instanceof} patterns.
 */
public sealed interface PushOutcome permits PushOutcome.Accepted, PushOutcome.Rejected, PushOutcome.Failed {

    enum Kind { ACCEPTED, REJECTED, FAILED }

    Kind kind();

    default boolean accepted() {
        return kind() == Kind.ACCEPTED;
    }

    /**
     * The provider took the push.
     *
     * @param providerId the provider's id for it (APNs id, FCM message name), or empty
     */
    record Accepted(String providerId) implements PushOutcome {
        public Accepted {
            Objects.requireNonNull(providerId, "providerId");
        }

        @Override
        public Kind kind() {
            return Kind.ACCEPTED;
        }
    }

    /**
     * The provider refused the push for good; retrying would not help.
     *
     * @param reason              the provider's reason (e.g. {@code Unregistered}), or ours
     * @param permanentTokenError the token is dead; it has been removed from its instance
     * @param invalidSince        when the provider says the token stopped being valid
     */
    record Rejected(String reason, boolean permanentTokenError, Optional<Instant> invalidSince)
            implements PushOutcome {
        public Rejected {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(invalidSince, "invalidSince");
        }

        public static Rejected of(String reason) {
            return new Rejected(reason, false, Optional.empty());
        }

        public static Rejected deadToken(String reason, Optional<Instant> invalidSince) {
            return new Rejected(reason, true, invalidSince);
        }

        @Override
        public Kind kind() {
            return Kind.REJECTED;
        }
    }

    /**
     * The push could not be delivered to the provider.
     *
     * @param transientError the failure may go away (network, 5xx, throttling, open circuit);
     *                       as a final outcome it means retries ran out before the deadline
     * @param cause          what went wrong, for logs (no secrets)
     * @param attempts       how many times the push was tried
     */
    record Failed(boolean transientError, String cause, int attempts) implements PushOutcome {
        public Failed {
            Objects.requireNonNull(cause, "cause");
        }

        public static Failed transientFailure(String cause) {
            return new Failed(true, cause, 1);
        }

        public Failed withAttempts(int n) {
            return new Failed(transientError, cause, n);
        }

        @Override
        public Kind kind() {
            return Kind.FAILED;
        }
    }
}
