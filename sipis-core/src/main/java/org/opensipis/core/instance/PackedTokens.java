package org.opensipis.core.instance;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

/**
 * The push tokens of one {@link InstanceRecord} in one byte array. Per token: a flags byte
 * (platform in bits 0–1, kind in bit 2, bit 3 set when its app id is the record's, bit 4 when it was
 * last seen at the record's last app contact), then the app id (length-prefixed UTF-8) unless bit 3,
 * the last-seen time (8 bytes of epoch seconds, 4 of nanoseconds) unless bit 4, and the token
 * (length-prefixed UTF-8). Lengths are unsigned varints.
 */
final class PackedTokens {

    private static final byte[] NONE = new byte[0];
    private static final int SAME_APP = 1 << 3;
    private static final int SAME_TIME = 1 << 4;
    private static final DeviceToken.Platform[] PLATFORMS = DeviceToken.Platform.values();
    private static final DeviceToken.Kind[] KINDS = DeviceToken.Kind.values();

    private PackedTokens() {
    }

    static byte[] pack(List<DeviceToken> tokens, String appId, Instant lastAppContact) {
        if (tokens.isEmpty()) {
            return NONE;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(32 * tokens.size());
        for (DeviceToken t : tokens) {
            boolean sameApp = t.appId().equals(appId);
            boolean sameTime = t.lastSeen().equals(lastAppContact);
            out.write(t.platform().ordinal() | t.kind().ordinal() << 2 | (sameApp ? SAME_APP : 0) | (sameTime ? SAME_TIME : 0));
            if (!sameApp) {
                text(out, t.appId());
            }
            if (!sameTime) {
                long s = t.lastSeen().getEpochSecond();
                for (int i = 56; i >= 0; i -= 8) {
                    out.write((int) (s >>> i));
                }
                int n = t.lastSeen().getNano();
                for (int i = 24; i >= 0; i -= 8) {
                    out.write(n >>> i);
                }
            }
            text(out, t.token());
        }
        return out.toByteArray();
    }

    static List<DeviceToken> unpack(byte[] b, String appId, Instant lastAppContact) {
        if (b.length == 0) {
            return List.of();
        }
        DeviceToken[] out = new DeviceToken[count(b)];
        int[] pos = {0};
        for (int k = 0; k < out.length; k++) {
            int flags = b[pos[0]++];
            String app = (flags & SAME_APP) != 0 ? appId : text(b, pos);
            Instant seen = lastAppContact;
            if ((flags & SAME_TIME) == 0) {
                long s = 0;
                for (int i = 0; i < 8; i++) {
                    s = s << 8 | (b[pos[0]++] & 0xFF);
                }
                int n = 0;
                for (int i = 0; i < 4; i++) {
                    n = n << 8 | (b[pos[0]++] & 0xFF);
                }
                seen = Instant.ofEpochSecond(s, n);
            }
            out[k] = new DeviceToken(PLATFORMS[flags & 3], KINDS[flags >> 2 & 1], app, text(b, pos), seen);
        }
        return List.of(out);
    }

    private static int count(byte[] b) {
        int n = 0;
        int[] pos = {0};
        while (pos[0] < b.length) {
            int flags = b[pos[0]++];
            if ((flags & SAME_APP) == 0) {
                skip(b, pos);
            }
            if ((flags & SAME_TIME) == 0) {
                pos[0] += 12;
            }
            skip(b, pos);
            n++;
        }
        return n;
    }

    private static void text(ByteArrayOutputStream out, String s) {
        byte[] u = s.getBytes(StandardCharsets.UTF_8);
        int n = u.length;
        while (n >= 0x80) {
            out.write(n & 0x7F | 0x80);
            n >>>= 7;
        }
        out.write(n);
        out.write(u, 0, u.length);
    }

    private static String text(byte[] b, int[] pos) {
        int n = length(b, pos);
        String s = new String(b, pos[0], n, StandardCharsets.UTF_8);
        pos[0] += n;
        return s;
    }

    private static void skip(byte[] b, int[] pos) {
        int n = length(b, pos);   // (not "pos[0] += length(…)": that would add to pos[0] as it was before the length)
        pos[0] += n;
    }

    private static int length(byte[] b, int[] pos) {
        int n = 0;
        for (int shift = 0; ; shift += 7) {
            int v = b[pos[0]++];
            n |= (v & 0x7F) << shift;
            if ((v & 0x80) == 0) {
                return n;
            }
        }
    }
}
