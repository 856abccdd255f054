package org.opensipis.sip.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The one stream framer: split anywhere, pings, and one behaviour for a Content-Length it cannot use. */
class StreamFramerTest {

    static final String MSG = "OPTIONS sip:a@h SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK-1\r\nFrom: <sip:b@h>;tag=1\r\n"
            + "To: <sip:a@h>\r\nCall-ID: c\r\nCSeq: 1 OPTIONS\r\nContent-Length: 4\r\n\r\nbody";

    static void write(EmbeddedChannel ch, String s) {
        ch.writeInbound(Unpooled.copiedBuffer(s, StandardCharsets.UTF_8));
    }

    static String read(EmbeddedChannel ch) {
        ByteBuf b = ch.readInbound();
        try {
            return b.toString(StandardCharsets.UTF_8);
        } finally {
            b.release();
        }
    }

    @Test
    void framesMessagesSplitAnywhereAndSpotsPings() {
        EmbeddedChannel ch = new EmbeddedChannel(new StreamFramer(StreamFramer.DEFAULT_MAX_MESSAGE, true));
        String stream = "\r\n\r\n" + MSG + "\r\n" + MSG.replace("Content-Length: 4", "l:4") + "\r\n\r\n";
        for (char c : stream.toCharArray()) {
            write(ch, String.valueOf(c));
        }
        assertThat((Object) ch.readInbound()).isSameAs(StreamFramer.PING);
        assertThat(read(ch)).isEqualTo(MSG);
        assertThat(read(ch)).endsWith("l:4\r\n\r\nbody");
        assertThat((Object) ch.readInbound()).isSameAs(StreamFramer.PING);
        assertThat((Object) ch.readInbound()).isNull();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aClientSideFramerSkipsEveryCrlf() {
        EmbeddedChannel ch = new EmbeddedChannel(new StreamFramer(StreamFramer.DEFAULT_MAX_MESSAGE, false));
        write(ch, "\r\n\r\n\r\n" + MSG + "\r\n\r\n");
        assertThat(read(ch)).isEqualTo(MSG);
        assertThat((Object) ch.readInbound()).isNull();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "Content-Length: 4|Content-Length: -4|negative Content-Length",
        "Content-Length: 4|X-No-Length: 4|missing Content-Length on a stream transport",
        "Content-Length: 4|Content-Length: four|malformed Content-Length",
        "Content-Length: 4|Content-Length: 4{CRLF}l: 4|more than one Content-Length header"})
    void aContentLengthItCannotUseFailsWithAnAnswerableProblem(String from, String to, String problem) {
        EmbeddedChannel ch = new EmbeddedChannel(new StreamFramer(StreamFramer.DEFAULT_MAX_MESSAGE, true));
        assertThatThrownBy(() -> write(ch, MSG.replace(from, to.replace("{CRLF}", "\r\n")))).isInstanceOf(DecoderException.class)
                .cause().isInstanceOf(SipParseException.class).hasMessage(problem + " (at byte 0)")
                .satisfies(e -> assertThat(new String(WireResponses.error((SipParseException) e), StandardCharsets.UTF_8))
                        .startsWith("SIP/2.0 400 " + Character.toUpperCase(problem.charAt(0)) + problem.substring(1)));
    }

    @Test
    void oversizedInputIsRefused() {
        EmbeddedChannel big = new EmbeddedChannel(new StreamFramer(100, true));
        assertThatThrownBy(() -> write(big, "MESSAGE sip:a@b SIP/2.0\r\nContent-Length: 500\r\n\r\n"))
                .isInstanceOf(DecoderException.class).hasMessageContaining("limit 100");
        EmbeddedChannel junk = new EmbeddedChannel(new StreamFramer(1000, true));
        assertThatThrownBy(() -> write(junk, "x".repeat(1010)))
                .isInstanceOf(DecoderException.class).hasMessageContaining("header section over 1000");
    }

    @Test
    void contentLengthOfAHeadAsText() {
        assertThat(StreamFramer.contentLength("INVITE sip:u@h SIP/2.0\r\nContent-Length : 12")).isEqualTo(12);
        assertThatThrownBy(() -> StreamFramer.contentLength("INVITE sip:u@h SIP/2.0\r\nl: x"))
                .hasMessageContaining("malformed");
    }
}
