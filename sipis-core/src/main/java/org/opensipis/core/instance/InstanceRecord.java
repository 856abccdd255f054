package org.opensipis.core.instance;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.opensipis.core.settings.Secret;

/**
 * What the app registered for one instance (one account on one device), as stored in the
 * database and shared between processes. Runtime state lives in {@link InstanceState}.
 *
 * <p>A value class with the accessors of a record. A process keeps one per instance for as long
 * as it holds it, and reads the push tokens only to push: they are kept packed in one byte array
 * ({@link PackedTokens}), not as a list of {@link DeviceToken}s (≈ 100 B less per instance), and
 * {@link #tokens()} unpacks them on each call.
 */
public final class InstanceRecord {

    private final String selector;
    private final String appId;
    private final boolean premium;
    private final SipAccount account;
    /** The app secret's UTF-8 bytes ({@link Secret#wrapping}): 16 B less than a {@code Secret}. */
    private final byte[] appSecret;
    private final byte[] tokens;
    private final Instant lastAppContact;
    private final boolean appForeground;

    /**
     * @param selector        the instance key, upper-case hex (see {@code Selector})
     * @param appId           the app id that registered it (used by LB2 AppIdPrefix routing)
     * @param premium         premium instances live {@code PremiumMaxAge} instead of {@code MaxAge}
     * @param account         the SIP account to keep registered
     * @param appSecret       the app leg's digest secret (sealed at rest)
     * @param tokens          the device's push tokens
     * @param lastAppContact  last registration or refresh from the app; resets the instance's age
     * @param appForeground   whether the app said it is in the foreground (then SIPIS stays Idle)
     */
    public InstanceRecord(String selector, String appId, boolean premium, SipAccount account,
                          Secret appSecret, List<DeviceToken> tokens, Instant lastAppContact,
                          boolean appForeground) {
        this.selector = Objects.requireNonNull(selector, "selector");
        this.appId = Objects.requireNonNull(appId, "appId");
        this.premium = premium;
        this.account = Objects.requireNonNull(account, "account");
        this.appSecret = Objects.requireNonNull(appSecret, "appSecret").wrapped();
        this.lastAppContact = Objects.requireNonNull(lastAppContact, "lastAppContact");
        this.tokens = PackedTokens.pack(Objects.requireNonNull(tokens, "tokens"), appId, lastAppContact);
        this.appForeground = appForeground;
    }

    private InstanceRecord(InstanceRecord r, String selector, String appId, SipAccount account) {
        this.selector = selector;
        this.appId = appId;
        this.premium = r.premium;
        this.account = account;
        this.appSecret = r.appSecret;
        this.tokens = r.tokens;
        this.lastAppContact = r.lastAppContact;
        this.appForeground = r.appForeground;
    }

    /** This record with an equal selector, app id and account (shared ones, see {@link SharedParts}); the tokens stay packed. */
    InstanceRecord sharing(String equalSelector, String equalAppId, SipAccount equalAccount) {
        if (!equalSelector.equals(selector) || !equalAppId.equals(appId) || !equalAccount.equals(account)) {
            throw new IllegalArgumentException("not equal to the record's own");
        }
        return new InstanceRecord(this, equalSelector, equalAppId, equalAccount);
    }

    public String selector() {
        return selector;
    }

    public String appId() {
        return appId;
    }

    public boolean premium() {
        return premium;
    }

    public SipAccount account() {
        return account;
    }

    public Secret appSecret() {
        return Secret.wrapping(appSecret);
    }

    /** The device's push tokens, in the order given (an immutable list, unpacked on each call). */
    public List<DeviceToken> tokens() {
        return PackedTokens.unpack(tokens, appId, lastAppContact);
    }

    public Instant lastAppContact() {
        return lastAppContact;
    }

    public boolean appForeground() {
        return appForeground;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof InstanceRecord r && premium == r.premium && appForeground == r.appForeground
                && selector.equals(r.selector) && appId.equals(r.appId) && account.equals(r.account)
                && java.util.Arrays.equals(appSecret, r.appSecret) && lastAppContact.equals(r.lastAppContact)
                && java.util.Arrays.equals(tokens, r.tokens);
    }

    @Override
    public int hashCode() {
        return Objects.hash(selector, appId, premium, account, java.util.Arrays.hashCode(appSecret), java.util.Arrays.hashCode(tokens),
                lastAppContact, appForeground);
    }

    /** Like a record's (the secrets masked, the tokens in their short form). */
    @Override
    public String toString() {
        return "InstanceRecord[selector=" + selector + ", appId=" + appId + ", premium=" + premium + ", account=" + account
                + ", appSecret=" + appSecret() + ", tokens=" + tokens() + ", lastAppContact=" + lastAppContact
                + ", appForeground=" + appForeground + "]";
    }
}
