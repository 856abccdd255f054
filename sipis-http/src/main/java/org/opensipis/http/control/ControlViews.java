package org.opensipis.http.control;

import java.util.List;
import java.util.Map;

/**
 * The JSON shapes of the control API (Jackson writes the records' components in order;
 * times are ISO-8601 strings or null). Documented in docs/http-api.md.
 */
public final class ControlViews {

    private ControlViews() {
    }

    /** One row of {@code GET /control/instances}. */
    public record InstanceSummary(String selector, String user, String domain, String registrar, String state,
                                  String reason, String lastResponse, String lastResponseAt, String nextRefreshAt,
                                  boolean disabled) {
    }

    public record InstanceListing(long matching, int page, int size, List<InstanceSummary> instances) {
    }

    /** The account as the app handed it over, without its password. */
    public record Account(String user, String authUser, String domain, String proxy, int port, String transport,
                          String displayName, Long expiresSeconds) {
    }

    /** A device token, shortened to its last 8 characters. */
    public record Token(String platform, String kind, String appId, String tokenEnd, String lastSeen) {
    }

    /** {@code GET /control/instance?selector=}. */
    public record InstanceDetail(String selector, String server, String appId, boolean premium, boolean appForeground,
                                 String lastAppContact, Account account, String registrar, List<Token> tokens,
                                 String state, String reason, String lastResponse, String lastResponseAt,
                                 String nextRefreshAt, String registeredUntil, boolean registerInFlight, int failures,
                                 boolean disabled, String callId, long cseq, String flow, boolean appFlowBound) {
    }

    public record RegistrarError(String at, String selector, String state, String reason) {
    }

    /** One registrar host (proxy, else domain) of the instances this process serves. */
    public record RegistrarStatus(String registrar, long instances, Map<String, Long> states,
                                  List<RegistrarError> lastErrors) {
    }

    /** One registrar address as the throttle sees it. */
    public record ThrottleHost(String address, int queued, long granted, double grantedPerSecond) {
    }

    public record Throttle(long queued, long inFlight, double globalRate, double perRegistrarRate, int maxInFlight,
                           List<ThrottleHost> hosts) {
    }

    /** {@code GET /control/registrars}. */
    public record RegistrarReport(List<RegistrarStatus> registrars, Throttle throttle) {
    }

    /** What an action did: {@code result} is a short word, {@code detail} a sentence. */
    public record ActionResult(String selector, String action, String result, String detail) {
    }

    public record LogLevelChange(String logger, String level, String previous) {
    }
}
