package org.opensipis.core.call;

import java.time.Instant;
import java.util.Objects;

/**
 * A SIP MESSAGE kept until the app fetches it (a row of the {@code text_messages} table; Acrobits calls it {@code siptextmessages}).
 *
 * @param msgId       a unique id (the Call-ID and CSeq of the MESSAGE)
 * @param from        the sender's From header value
 * @param contentType the Content-Type (empty when absent)
 * @param body        the body as received
 * @param headers     the other headers worth keeping, one {@code Name: value} per line
 * @param received    when it arrived
 */
public record TextMessage(String msgId, String from, String contentType, String body, String headers,
                          Instant received) {
    public TextMessage {
        Objects.requireNonNull(msgId, "msgId");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(headers, "headers");
        Objects.requireNonNull(received, "received");
    }
}
