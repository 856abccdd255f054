package org.opensipis.http.control;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * The runtime view and handles an administrator gets over {@code /control/...} (and
 * {@code sipis ctl}). Implemented by the composition root. Called on HTTP worker threads: every
 * method either answers from snapshots or returns a stage completed by the owning component;
 * none may block. Nothing returned may hold a secret (SIP password, app secret, full token).
 */
public interface ControlPlane {

    /** What an administrator can do to one instance. */
    enum Action {
        REFRESH("refresh"), DISABLE("disable"), ENABLE("enable"), UNREGISTER("unregister"), PUSH_TEST("push-test");

        private final String path;

        Action(String path) {
            this.path = path;
        }

        /** The last path segment: {@code /control/instance/<path>}. */
        public String path() {
            return path;
        }
    }

    /** One page of instances matching the query, ordered by selector. */
    CompletionStage<ControlViews.InstanceListing> instances(InstanceQuery query);

    /** One instance in full; empty if this process does not serve it. */
    CompletionStage<Optional<ControlViews.InstanceDetail>> instance(String selector);

    /** Per registrar: instances, states, last errors; and the throttle's queues and rates. */
    CompletionStage<ControlViews.RegistrarReport> registrars();

    /** Runs an action; the result says what happened (a selector this process does not serve: "not found"). */
    CompletionStage<ControlViews.ActionResult> act(String selector, Action action);

    /** Logger name ("ROOT" for the root) to its configured level, for every logger with a level of its own. */
    Map<String, String> logLevels();

    /**
     * Sets a logger's level at run time (until the next restart).
     *
     * @param level {@code error}, {@code warn}, {@code info}, {@code debug}, {@code trace}, {@code off},
     *              or {@code inherit} to drop the logger's own level
     * @throws IllegalArgumentException naming the bad logger name or level
     */
    ControlViews.LogLevelChange setLogLevel(String logger, String level);
}
