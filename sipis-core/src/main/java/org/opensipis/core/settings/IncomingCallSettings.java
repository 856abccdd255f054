package org.opensipis.core.settings;

import java.time.Duration;
import java.util.Objects;

/**
 * {@code <IncomingCall>}.
 *
 * @param notAnsweredMaxAge    T1: how long a call waits for a device to make progress (2 min)
 * @param progressMaxAge       T2: how long it then waits for the device to answer
 *                             ({@code DeviceMakingProgressMaxAge}, ours; defaults to T1)
 * @param onNoResponseFromDevice what to answer when T1 expires (480 Temporarily Unavailable)
 */
public record IncomingCallSettings(Duration notAnsweredMaxAge, Duration progressMaxAge,
                                   RejectWith onNoResponseFromDevice) {
    public IncomingCallSettings {
        Objects.requireNonNull(notAnsweredMaxAge, "notAnsweredMaxAge");
        Objects.requireNonNull(progressMaxAge, "progressMaxAge");
        Objects.requireNonNull(onNoResponseFromDevice, "onNoResponseFromDevice");
    }
}
