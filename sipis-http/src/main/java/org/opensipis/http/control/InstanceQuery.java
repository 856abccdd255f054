package org.opensipis.http.control;

import java.util.Objects;
import java.util.Optional;
import org.opensipis.core.instance.RegistrationState;

/**
 * A filter and page of {@code GET /control/instances}.
 *
 * @param state     only instances in this state
 * @param registrar only instances whose registrar host (proxy, else domain) equals this, ignoring case
 * @param user      only instances whose SIP user equals this
 * @param prefix    upper-case selector prefix, empty = all
 * @param offset    rows to skip
 * @param limit     rows to return (1..500)
 */
public record InstanceQuery(Optional<RegistrationState> state, Optional<String> registrar, Optional<String> user,
                            String prefix, int offset, int limit) {
    public InstanceQuery {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(registrar, "registrar");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(prefix, "prefix");
    }
}
