package org.opensipis.core.abuse;

/**
 * How many instances may exist (in the whole database, so across every process) per registrar
 * host and per SIP user; 0 = no limit.
 *
 * @param perRegistrar instances whose registrar host (the proxy, else the domain) is the same
 * @param perUser      instances of the same SIP user (user@domain)
 */
public record Quotas(int perRegistrar, int perUser) {
    public static final Quotas NONE = new Quotas(0, 0);

    public Quotas {
        if (perRegistrar < 0 || perUser < 0) {
            throw new IllegalArgumentException("quotas must be 0 (no limit) or more");
        }
    }
}
