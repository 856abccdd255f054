package org.opensipis.sip.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.CorruptedFrameException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * Frames SIP messages on a stream (RFC 3261 section 18.3): header block up to the empty line,
 * then Content-Length bytes. Leading CRLFs (keep-alive pongs) are skipped. Emits byte arrays.
 */
final class StreamFramer extends ByteToMessageDecoder {

    private static final int MAX_MESSAGE = 64 * 1024;

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (true) {
            while (in.isReadable() && (in.getByte(in.readerIndex()) == '\r' || in.getByte(in.readerIndex()) == '\n')) {
                in.skipBytes(1);
            }
            if (!in.isReadable()) {
                return;
            }
            int start = in.readerIndex();
            int end = indexOfBlankLine(in, start);
            if (end < 0) {
                if (in.readableBytes() > MAX_MESSAGE) {
                    throw new CorruptedFrameException("SIP header block over " + MAX_MESSAGE + " bytes");
                }
                return;
            }
            String head = in.toString(start, end - start, StandardCharsets.UTF_8);
            int length = contentLength(head);
            int total = end + 4 - start + length;
            if (total > MAX_MESSAGE) {
                throw new CorruptedFrameException("SIP message of " + total + " bytes");
            }
            if (in.readableBytes() < total) {
                return;
            }
            byte[] msg = new byte[total];
            in.readBytes(msg);
            out.add(msg);
        }
    }

    private static int indexOfBlankLine(ByteBuf in, int from) {
        int last = in.writerIndex() - 3;
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
                try {
                    return Integer.parseInt(line.substring(colon + 1).trim());
                } catch (NumberFormatException e) {
                    throw new CorruptedFrameException("bad Content-Length: " + line);
                }
            }
        }
        throw new CorruptedFrameException("stream message without Content-Length");
    }
}
