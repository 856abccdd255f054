package org.opensipis.lb2;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.CorruptedFrameException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Splits a SIP byte stream (TCP/TLS) into whole messages, framed by the header section's
 * blank line and {@code Content-Length} (RFC 3261 §18.3). A double CRLF between messages is
 * an RFC 5626 keep-alive ping and is emitted as {@link #PING}; a single CRLF (a pong) is
 * skipped. Oversized or unframeable input raises a decoder exception: the stream cannot be
 * resynchronised, so the connection is closed by the caller.
 */
final class SipFramer extends ByteToMessageDecoder {

    /** Marker for an RFC 5626 CRLF CRLF ping. */
    static final Object PING = new Object() {
        @Override
        public String toString() {
            return "PING";
        }
    };

    static final int MAX_HEADER_BYTES = 16 * 1024;

    private final int maxMessageBytes;

    SipFramer(int maxMessageBytes) {
        this.maxMessageBytes = maxMessageBytes;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (in.isReadable()) {
            int crlfs = leadingCrlfPairs(in);
            if (crlfs > 0) {
                if (crlfs >= 2) {
                    in.skipBytes(crlfs * 2);
                    out.add(PING);
                    continue;
                }
                if (in.readableBytes() == 2) {
                    return; // maybe the first half of a ping; wait
                }
                in.skipBytes(2); // a lone CRLF is a pong
                continue;
            }
            int headerEnd = indexOfBlankLine(in);
            if (headerEnd < 0) {
                if (in.readableBytes() > MAX_HEADER_BYTES) {
                    throw new TooLongFrameException("SIP header section longer than " + MAX_HEADER_BYTES + " bytes");
                }
                return;
            }
            int headerLength = headerEnd - in.readerIndex();
            String head = in.toString(in.readerIndex(), headerLength, StandardCharsets.UTF_8);
            int contentLength = SipHead.contentLength(head);
            if (contentLength < 0) {
                throw new CorruptedFrameException("bad Content-Length");
            }
            int total = headerLength + 4 + contentLength;
            if (total > maxMessageBytes) {
                throw new TooLongFrameException("SIP message of " + total + " bytes, limit " + maxMessageBytes);
            }
            if (in.readableBytes() < total) {
                return;
            }
            out.add(in.readRetainedSlice(total));
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

    /** Index of the first CRLFCRLF, or -1. */
    static int indexOfBlankLine(ByteBuf in) {
        int end = Math.min(in.writerIndex(), in.readerIndex() + MAX_HEADER_BYTES + 4);
        for (int i = in.readerIndex(); i + 3 < end; i++) {
            if (in.getByte(i) == '\r' && in.getByte(i + 1) == '\n' && in.getByte(i + 2) == '\r' && in.getByte(i + 3) == '\n') {
                return i;
            }
        }
        return -1;
    }
}
