package org.opensipis.sip.message;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import java.util.List;

/**
 * Splits a SIP byte stream (TCP/TLS, RFC 3261 section 18.3) into whole messages: the header
 * section up to the empty line, then Content-Length bytes. Emits each message as a retained
 * {@link ByteBuf} slice (the next handler releases it). CRLFs between messages are RFC 5626
 * keep-alives: with {@code emitPings} a CRLF CRLF is emitted as {@link #PING} (a server answers
 * it) and a lone CRLF (a pong) is skipped; without, every CRLF is skipped.
 *
 * <p>Content-Length is required on a stream (RFC 3261 18.3 / 20.14): a message without one, with
 * a negative or malformed one, or with two, cannot be framed; nor can one over the size limit.
 * The stream cannot be resynchronised, so the decoder fails with a {@link DecoderException}
 * whose cause is a {@link SipParseException} carrying what could be read of the header
 * section: the handler answers 400 ({@link WireResponses#error}) when it can and closes.
 */
public final class StreamFramer extends ByteToMessageDecoder {

    /** Marker for an RFC 5626 CRLF CRLF ping. */
    public static final Object PING = new Object() {
        @Override
        public String toString() {
            return "PING";
        }
    };

    /** The default limit on one message (header section and body). */
    public static final int DEFAULT_MAX_MESSAGE = 64 * 1024;

    private final int maxMessageBytes;
    private final boolean emitPings;

    public StreamFramer(int maxMessageBytes, boolean emitPings) {
        this.maxMessageBytes = maxMessageBytes;
        this.emitPings = emitPings;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (in.isReadable()) {
            if (!emitPings) {
                while (in.isReadable() && (in.getByte(in.readerIndex()) == '\r' || in.getByte(in.readerIndex()) == '\n')) {
                    in.skipBytes(1);
                }
                if (!in.isReadable()) {
                    return;
                }
            } else {
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
                    in.skipBytes(2); // a lone CRLF is a pong
                    continue;
                }
            }
            int start = in.readerIndex();
            int end = indexOfBlankLine(in, start, maxMessageBytes);
            if (end < 0) {
                if (in.readableBytes() > maxMessageBytes) {
                    throw new TooLongFrameException("SIP header section over " + maxMessageBytes + " bytes");
                }
                return;
            }
            long length = contentLength(in, start, end);
            long total = end + 4L - start + length;
            if (total > maxMessageBytes) {
                throw new TooLongFrameException("SIP message of " + total + " bytes, limit " + maxMessageBytes);
            }
            if (in.readableBytes() < total) {
                return;
            }
            out.add(in.readRetainedSlice((int) total));
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

    /** Index of the first CRLFCRLF at or after {@code from} (within {@code limit} bytes), or -1. */
    public static int indexOfBlankLine(ByteBuf in, int from, int limit) {
        int last = Math.min(in.writerIndex(), from + limit + 4) - 3;
        for (int i = from; i < last; i++) {
            if (in.getByte(i) == '\r' && in.getByte(i + 1) == '\n' && in.getByte(i + 2) == '\r' && in.getByte(i + 3) == '\n') {
                return i;
            }
        }
        return -1;
    }

    /**
     * The Content-Length of the header section {@code in[start, end)}, read in place (no String
     * per line); throws a {@link DecoderException} around a {@link SipParseException} when it
     * cannot frame the message.
     */
    static long contentLength(ByteBuf in, int start, int end) {
        long found = -1;
        int line = start;
        while (line < end) {
            int eol = in.indexOf(line, end, (byte) '\n');
            int lineEnd = eol < 0 ? end : eol;
            int colon = in.indexOf(line, lineEnd, (byte) ':');
            if (line > start && colon > line && isContentLengthName(in, line, colon)) {
                if (found >= 0) {
                    throw unframeable(in, start, end, "more than one Content-Length header");
                }
                found = digits(in, colon + 1, lineEnd);
                if (found < 0) {
                    throw unframeable(in, start, end, found == -2 ? "negative Content-Length" : "malformed Content-Length");
                }
            }
            line = lineEnd + 1;
        }
        if (found < 0) {
            throw unframeable(in, start, end, "missing Content-Length on a stream transport");
        }
        return found;
    }

    /**
     * The Content-Length of a header section given as text (without the empty line), as the
     * framer reads it: for test clients and tools that frame a stream by hand.
     *
     * @throws SipParseException when there is none, or it is negative, malformed or repeated
     */
    public static int contentLength(String head) {
        ByteBuf b = io.netty.buffer.Unpooled.copiedBuffer(head, java.nio.charset.StandardCharsets.UTF_8);
        try {
            return (int) contentLength(b, 0, b.writerIndex());
        } catch (DecoderException e) {
            throw (SipParseException) e.getCause();
        } finally {
            b.release();
        }
    }

    private static boolean isContentLengthName(ByteBuf in, int from, int colon) {
        int to = colon;
        while (to > from && (in.getByte(to - 1) == ' ' || in.getByte(to - 1) == '\t')) {
            to--;
        }
        int len = to - from;
        if (len == 1) {
            return (in.getByte(from) | 0x20) == 'l';
        }
        if (len != 14) {
            return false;
        }
        String name = "content-length";
        for (int i = 0; i < 14; i++) {
            if ((in.getByte(from + i) | 0x20) != name.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** The decimal value in {@code in[from, to)} (whitespace around it ignored); -2 when negative, -1 when malformed. */
    private static long digits(ByteBuf in, int from, int to) {
        while (from < to && isSpace(in.getByte(from))) {
            from++;
        }
        while (to > from && isSpace(in.getByte(to - 1))) {
            to--;
        }
        if (from < to && in.getByte(from) == '-') {
            return -2;
        }
        if (from == to || to - from > 9) {
            return -1;
        }
        long v = 0;
        for (int i = from; i < to; i++) {
            byte b = in.getByte(i);
            if (b < '0' || b > '9') {
                return -1;
            }
            v = v * 10 + (b - '0');
        }
        return v;
    }

    private static boolean isSpace(byte b) {
        return b == ' ' || b == '\t' || b == '\r';
    }

    private static DecoderException unframeable(ByteBuf in, int start, int end, String why) {
        byte[] head = new byte[end - start + 4];
        in.getBytes(start, head, 0, end - start);
        head[head.length - 4] = '\r';
        head[head.length - 3] = '\n';
        head[head.length - 2] = '\r';
        head[head.length - 1] = '\n';
        SipMessage partial;
        try {
            partial = SipMessage.parse(head);
        } catch (SipParseException e) {
            partial = e.partial();
        }
        if (partial != null && (partial.isResponse() || !partial.has(HeaderNames.VIA))) {
            partial = null;
        }
        return new DecoderException(new SipParseException(400, why, 0, partial));
    }
}
