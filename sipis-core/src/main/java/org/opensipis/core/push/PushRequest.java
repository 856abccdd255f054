package org.opensipis.core.push;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import org.opensipis.core.instance.DeviceToken;

/**
 * One push to one device token. Build with {@link #builder(String, DeviceToken, Verb, Instant)}.
 *
 * @param selector    the instance the push is about (always sent, as {@code s})
 * @param target      the device token to push to; its app id picks the NotificationServers entry
 * @param verb        what the push says
 * @param callId      the SIP Call-ID of the call, for call verbs
 * @param pairingId   an id the app echoes when it answers, pairing the push with the waiting call
 * @param callerName  the caller's display name
 * @param callerUri   the caller's SIP URI
 * @param sendTime    when SIPIS decided to push (the app drops stale call pushes)
 * @param badge       the badge count to show (missed calls and messages)
 * @param messageText the text shown for {@link Verb#TEXT_MESSAGE} or the warning verbs
 * @param deadline    retries stop so the outcome is known by then (for a call: within T1)
 */
public record PushRequest(String selector, DeviceToken target, Verb verb, Optional<String> callId,
                          Optional<String> pairingId, Optional<String> callerName, Optional<String> callerUri,
                          Instant sendTime, OptionalInt badge, Optional<String> messageText, Instant deadline) {

    public PushRequest {
        Objects.requireNonNull(selector, "selector");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(verb, "verb");
        Objects.requireNonNull(callId, "callId");
        Objects.requireNonNull(pairingId, "pairingId");
        Objects.requireNonNull(callerName, "callerName");
        Objects.requireNonNull(callerUri, "callerUri");
        Objects.requireNonNull(sendTime, "sendTime");
        Objects.requireNonNull(badge, "badge");
        Objects.requireNonNull(messageText, "messageText");
        Objects.requireNonNull(deadline, "deadline");
    }

    /** The app id of the target token. */
    public String appId() {
        return target.appId();
    }

    /** A short, non-secret description for logs. */
    public String describe() {
        return verb + " to " + target.shortForm() + " (" + target.appId() + ") for " + selector
                + callId.map(c -> " call " + c).orElse("");
    }

    public static Builder builder(String selector, DeviceToken target, Verb verb, Instant sendTime) {
        return new Builder(selector, target, verb, sendTime);
    }

    /** Builds a request; every payload field is optional, the deadline defaults to send time + 30 s. */
    public static final class Builder {
        private final String selector;
        private final DeviceToken target;
        private final Verb verb;
        private final Instant sendTime;
        private Optional<String> callId = Optional.empty();
        private Optional<String> pairingId = Optional.empty();
        private Optional<String> callerName = Optional.empty();
        private Optional<String> callerUri = Optional.empty();
        private OptionalInt badge = OptionalInt.empty();
        private Optional<String> messageText = Optional.empty();
        private Instant deadline;

        private Builder(String selector, DeviceToken target, Verb verb, Instant sendTime) {
            this.selector = selector;
            this.target = target;
            this.verb = verb;
            this.sendTime = Objects.requireNonNull(sendTime, "sendTime");
            this.deadline = sendTime.plusSeconds(30);
        }

        public Builder callId(String v) {
            callId = Optional.of(v);
            return this;
        }

        public Builder pairingId(String v) {
            pairingId = Optional.of(v);
            return this;
        }

        public Builder callerName(String v) {
            callerName = Optional.of(v);
            return this;
        }

        public Builder callerUri(String v) {
            callerUri = Optional.of(v);
            return this;
        }

        public Builder badge(int v) {
            badge = OptionalInt.of(v);
            return this;
        }

        public Builder messageText(String v) {
            messageText = Optional.of(v);
            return this;
        }

        public Builder deadline(Instant v) {
            deadline = Objects.requireNonNull(v, "deadline");
            return this;
        }

        public PushRequest build() {
            return new PushRequest(selector, target, verb, callId, pairingId, callerName, callerUri, sendTime,
                    badge, messageText, deadline);
        }
    }
}
