package org.opensipis.sip.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class AppFramerTest {

    static final String MSG = "OPTIONS sip:a SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK-1\r\nCall-ID: c\r\nCSeq: 1 OPTIONS\r\n"
            + "Content-Length: 4\r\n\r\nbody";

    static void write(EmbeddedChannel ch, String s) {
        ch.writeInbound(Unpooled.copiedBuffer(s, StandardCharsets.UTF_8));
    }

    @Test
    void framesMessagesSplitAnywhereAndSpotsPings() {
        EmbeddedChannel ch = new EmbeddedChannel(new AppFramer());
        String stream = "\r\n\r\n" + MSG + "\r\n" + MSG + "\r\n\r\n";
        for (char c : stream.toCharArray()) {
            write(ch, String.valueOf(c));
        }
        assertThat((Object) ch.readInbound()).isSameAs(AppFramer.PING);
        assertThat(new String((byte[]) ch.readInbound(), StandardCharsets.UTF_8)).isEqualTo(MSG);
        assertThat(new String((byte[]) ch.readInbound(), StandardCharsets.UTF_8)).isEqualTo(MSG);
        assertThat((Object) ch.readInbound()).isSameAs(AppFramer.PING);
        assertThat((Object) ch.readInbound()).isNull();
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void aMessageWithoutContentLengthCannotBeFramed() {
        EmbeddedChannel ch = new EmbeddedChannel(new AppFramer());
        assertThatThrownBy(() -> write(ch, "REGISTER sip:a SIP/2.0\r\nVia: x\r\n\r\n"))
                .isInstanceOf(DecoderException.class).hasMessageContaining("without Content-Length");
    }

    @Test
    void anOversizedHeaderIsRefused() {
        EmbeddedChannel ch = new EmbeddedChannel(new AppFramer());
        assertThatThrownBy(() -> write(ch, "X".repeat(AppFramer.MAX_MESSAGE + 1)))
                .isInstanceOf(DecoderException.class).hasMessageContaining("over");
    }
}
