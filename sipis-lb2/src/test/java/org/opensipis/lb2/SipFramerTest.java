package org.opensipis.lb2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SipFramerTest {

    private static ByteBuf buf(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.UTF_8);
    }

    @Test
    void splitsMessagesAcrossAndWithinReads() {
        EmbeddedChannel ch = new EmbeddedChannel(new SipFramer(4096));
        String m1 = "MESSAGE sip:a@b SIP/2.0\r\nContent-Length: 5\r\n\r\nhello";
        String m2 = "OPTIONS sip:a@b SIP/2.0\r\nl: 0\r\n\r\n";
        String all = m1 + "\r\n\r\n" + m2 + "\r\n";
        ch.writeInbound(buf(all.substring(0, 10)));
        assertThat((Object) ch.readInbound()).isNull();
        ch.writeInbound(buf(all.substring(10)));
        ByteBuf first = ch.readInbound();
        assertThat(first.toString(StandardCharsets.UTF_8)).isEqualTo(m1);
        first.release();
        assertThat((Object) ch.readInbound()).isSameAs(SipFramer.PING);
        ByteBuf second = ch.readInbound();
        assertThat(second.toString(StandardCharsets.UTF_8)).isEqualTo(m2);
        second.release();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void refusesOversizedAndUnframeableInput() {
        EmbeddedChannel big = new EmbeddedChannel(new SipFramer(100));
        assertThatThrownBy(() -> big.writeInbound(buf("MESSAGE sip:a@b SIP/2.0\r\nContent-Length: 500\r\n\r\n")))
                .isInstanceOf(DecoderException.class).hasMessageContaining("limit 100");
        EmbeddedChannel junk = new EmbeddedChannel(new SipFramer(100_000));
        assertThatThrownBy(() -> junk.writeInbound(buf("x".repeat(SipFramer.MAX_HEADER_BYTES + 10))))
                .isInstanceOf(DecoderException.class).hasMessageContaining("header section longer");
        EmbeddedChannel badLength = new EmbeddedChannel(new SipFramer(100_000));
        assertThatThrownBy(() -> badLength.writeInbound(buf("A sip:a SIP/2.0\r\nContent-Length: -4\r\n\r\n")))
                .isInstanceOf(DecoderException.class);
    }
}
