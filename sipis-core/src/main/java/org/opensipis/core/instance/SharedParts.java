package org.opensipis.core.instance;

import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Makes the records a process keeps for a long time share their repeated parts: the app id (of
 * the instance and of each token), the SIP domain, the outbound proxy and the expiry are the same
 * for most instances of a deployment, but every row read from the database brings its own copy
 * of each. {@link #compact} returns an equal record whose repeated values are one shared object
 * (the record itself keeps a token's app id and last-seen time once when they equal its own). At 100,000 instances this is several hundred bytes of
 * heap per instance.
 *
 * <p>At most {@link #MAX_VALUES} distinct values are shared; later ones are kept as they come, so
 * what the apps send bounds what this keeps. Thread-safe.
 */
public final class SharedParts {

    /** How many distinct values are shared at most. */
    public static final int MAX_VALUES = 4096;

    private final ConcurrentHashMap<Object, Object> values = new ConcurrentHashMap<>();

    /** An equal record whose repeated parts are shared. */
    public InstanceRecord compact(InstanceRecord r) {
        return compact(r, r.selector());
    }

    /** An equal record whose repeated parts are shared and whose selector is {@code selector} (an equal string). */
    public InstanceRecord compact(InstanceRecord r, String selector) {
        SipAccount a = r.account();
        // (the account itself keeps an auth user or display name equal to the user, or empty, once)
        SipAccount account = new SipAccount(a.user(), a.authUser(), a.password(),
                share(a.domain()), share(a.proxy()), a.port(), a.transport(), a.displayName(), share(a.expires()));
        // (the record keeps its tokens packed, a token's app id or last-seen time equal to its own once)
        return r.sharing(selector, share(r.appId()), account);
    }

    /** The shared value equal to {@code v}, an immutable value (it becomes the shared one if there is none yet and room). */
    @SuppressWarnings("unchecked")
    public <T> T share(T v) {
        Objects.requireNonNull(v, "v");
        Object known = values.get(v);
        if (known != null) {
            return (T) known;
        }
        if (values.size() >= MAX_VALUES) {
            return v;
        }
        Object raced = values.putIfAbsent(v, v);
        return raced == null ? v : (T) raced;
    }

    /** How many distinct values are shared now. */
    public int size() {
        return values.size();
    }
}
