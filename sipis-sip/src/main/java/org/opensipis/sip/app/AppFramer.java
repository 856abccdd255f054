package org.opensipis.sip.app;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * Frames SIP messages on an app flow (RFC 3261 section 18.3) and spots RFC 5626 keep-alives:
 * a CRLF CRLF between messages is emitted as {@link #PING}, a lone CRLF (a pong) is skipped.
 * Emits byte arrays otherwise. The module's {@code transport.StreamFramer} (client side) skips
 * every CRLF, but a server must answer pings, hence this variant. Unframeable input throws: the
 * stream cannot be resynchronised and the flow is closed.
 */
final class AppFramer extends ByteToMessageDecoder {

    static final Object PING = new Object() {
        @Override
        public String toString() {
            return "PING";
        }
    };

    static final int MAX_MESSAGE = 64 * 1024;

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (in.isReadable()) {
            int pairs = leadingCrlfPairs(in);
            if (pairs >= 2) {
                in.skipBytes(pairs * 2);
                out.add(PING);
                continue;
            }
            if (pairs == 1) {
                if (in.readableBytes() == 2
                        || (in.readableBytes() == 3 && in.getByte(in.readerIndex() + 2) == '\r')) {
                    return; // perhaps the first half of a ping
                }
                in.skipBytes(2);
                continue;
            }
            int start = in.readerIndex();
            int end = indexOfBlankLine(in, start);
            if (end < 0) {
                if (in.readableBytes() > MAX_MESSAGE) {
                    throw new TooLongFrameException("SIP header section over " + MAX_MESSAGE + " bytes");
                }
                return;
            }
            String head = in.toString(start, end - start, StandardCharsets.UTF_8);
            int total = end + 4 - start + contentLength(head);
            if (total > MAX_MESSAGE) {
                throw new TooLongFrameException("SIP message of " + total + " bytes, limit " + MAX_MESSAGE);
            }
            if (in.readableBytes() < total) {
                return;
            }
            byte[] msg = new byte[total];
            in.readBytes(msg);
            out.add(msg);
        }
    }

    private static int leadingCrlfPairs(ByteBuf in) {
        int n = 0;
        int i = in.readerIndex();
        while (i + 1 < in.writerIndex() && in.getByte(i) == '\r' && in.getByte(i + 1) == '\n') {
            n++;
            i += 2;
        }
        return n;
    }

    private static int indexOfBlankLine(ByteBuf in, int from) {
        int last = Math.min(in.writerIndex(), from + MAX_MESSAGE) - 3;
        for (int i = from; i < last; i++) {
            if (in.getByte(i) == '\r' && in.getByte(i + 1) == '\n' && in.getByte(i + 2) == '\r' && in.getByte(i + 3) == '\n') {
                return i;
            }
        }
        return -1;
    }

    static int contentLength(String head) {
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            if (name.equals("content-length") || name.equals("l")) {
                String v = line.substring(colon + 1).trim();
                try {
                    int n = Integer.parseInt(v);
                    if (n < 0) {
                        throw new CorruptedFrameException("negative Content-Length: " + v);
                    }
                    return n;
                } catch (NumberFormatException e) {
                    throw new CorruptedFrameException("bad Content-Length: " + v);
                }
            }
        }
        throw new CorruptedFrameException("stream message without Content-Length");
    }
}
