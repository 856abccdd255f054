package org.opensipis.core.instance;

/**
 * Registration state of an instance, as shown on {@code /stats} and counted in
 * {@code /stats/summary/json}.
 */
public enum RegistrationState {
    /** The app is in the foreground and registers itself; SIPIS holds no registration. */
    IDLE("Idle"),
    /** A REGISTER is on its way (first registration, or after a failure). */
    REGISTERING("Registering"),
    /** SIPIS holds a binding at the registrar. */
    REGISTERED("Registered"),
    /** The registrar refused our credentials (401/403 after authenticating). */
    UNAUTHORIZED("Unauthorized"),
    /** Any other failure; retried with backoff. */
    ERROR("Error"),
    /** Expired or without push tokens; unregistered and about to be deleted. */
    OFF("Off");

    private final String display;

    RegistrationState(String display) {
        this.display = display;
    }

    /** The name /stats and the JSON summary use. */
    public String display() {
        return display;
    }
}
