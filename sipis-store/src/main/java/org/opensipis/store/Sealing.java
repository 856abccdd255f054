package org.opensipis.store;

/**
 * The contexts secrets are sealed with: each binds the envelope to its selector and field, so a
 * sealed value copied to another row or column does not open.
 */
final class Sealing {

    private Sealing() {
    }

    static String sipPassword(String selector) {
        return "sip-password:" + selector;
    }

    static String appSecret(String selector) {
        return "app-secret:" + selector;
    }

    static String textMessage(String selector) {
        return "text-message:" + selector;
    }

    static String textHeaders(String selector) {
        return "text-headers:" + selector;
    }
}
