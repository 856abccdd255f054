package org.opensipis.core.push;

/** What a push tells the app. See docs/push.md for the payload of each verb per provider. */
public enum Verb {
    /** A call is waiting: wake the app (VoIP push on iOS) so it answers through SIPIS. */
    INCOMING_CALL,
    /** A call the device was alerted for ended before it was answered. */
    MISSED_CALL,
    /** A call the device was alerted for was answered on another device. */
    ANSWERED_ELSEWHERE,
    /** A text message arrived (with its text, or a request to fetch messages). */
    TEXT_MESSAGE,
    /** The instance expires soon: a background push asking the app to renew silently. */
    ABOUT_TO_EXPIRE_SILENT,
    /** The instance expires soon: a visible warning asking the user to open the app. */
    ABOUT_TO_EXPIRE_INTRUSIVE,
    /** The instance expired or lost its registration: no more calls until the app is opened. */
    INSTANCE_OFF,
    /** A periodic test push checking that the token still works. */
    PUSH_TEST;

    /** Whether the push is shown to the user (alert) rather than handled in the background. */
    public boolean visible() {
        switch (this) {
            case MISSED_CALL:
            case TEXT_MESSAGE:
            case ABOUT_TO_EXPIRE_INTRUSIVE:
            case INSTANCE_OFF:
                return true;
            default:
                return false;
        }
    }
}
