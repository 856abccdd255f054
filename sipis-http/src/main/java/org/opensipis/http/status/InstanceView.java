package org.opensipis.http.status;

import java.util.Map;
import org.opensipis.core.instance.RegistrationState;

/**
 * The instances this process serves, as {@code /stats} and the summary show them. Implemented
 * by the composition root over the instance registry. Called from HTTP worker threads; both
 * methods must be non-blocking and cost at most O(page size + log n) (keep a sorted snapshot).
 */
public interface InstanceView {

    /** How many instances are in each state (missing states count 0). */
    Map<RegistrationState, Long> countByState();

    /**
     * One page of instances ordered by selector.
     *
     * @param selectorPrefix upper-case hex prefix to filter on; empty = all
     * @param offset         rows to skip (>= 0)
     * @param limit          rows to return (1..500)
     */
    InstancePage page(String selectorPrefix, int offset, int limit);
}
