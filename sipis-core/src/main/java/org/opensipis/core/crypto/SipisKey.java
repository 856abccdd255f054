package org.opensipis.core.crypto;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The shared {@code sipis.key}: a raw 16- or 32-byte AES key (as made by
 * {@code head -c 16 /dev/urandom}), the same on every SIPIS process of an installation.
 *
 * <p>Secrets are sealed with AES-GCM into a versioned envelope, written as text
 * {@code v1.<key id>.<base64url(nonce ‖ ciphertext ‖ tag)>}: version, the first 4 bytes of
 * SHA-256 of the key (hex) so the right key can be chosen after a rotation, a random 96-bit
 * nonce, and a 128-bit tag. The caller's "associated data" (e.g. selector and field name)
 * is authenticated, so a ciphertext cannot be moved to another row or field.
 *
 * <p>A key ring holds the current key and any retired keys ({@code sipis.key.retired-*}
 * files beside it): {@link #seal} always uses the current key, {@link #open} any key whose id
 * matches. Thread-safe.
 */
public final class SipisKey {

    private static final String VERSION = "v1";
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final Key current;
    private final List<Key> retired;
    private final SecureRandom random = new SecureRandom();
    /**
     * One cipher per thread, initialised anew for each operation (fresh nonce): a restore opens
     * 200,000 secrets, and creating a Cipher (provider lookup) and expanding the AES key for each
     * cost as much as the decryption itself. A reused Cipher keeps its key schedule.
     */
    private final ThreadLocal<Cipher> ciphers = ThreadLocal.withInitial(SipisKey::newCipher);

    private record Key(String id, SecretKeySpec spec) {
    }

    private SipisKey(Key current, List<Key> retired) {
        this.current = current;
        this.retired = List.copyOf(retired);
    }

    /** A key ring of one raw key (16 or 32 bytes). */
    public static SipisKey of(byte[] raw) {
        return new SipisKey(key(raw, "key"), List.of());
    }

    /** A key ring with a current key and retired keys that can still open old envelopes. */
    public static SipisKey of(byte[] current, List<byte[]> retired) {
        List<Key> r = new ArrayList<>();
        for (byte[] k : retired) {
            r.add(key(k, "retired key"));
        }
        return new SipisKey(key(current, "key"), r);
    }

    /**
     * Loads {@code file} and any {@code <file>.retired-*} files beside it.
     *
     * @throws KeyFileException naming the file when it is missing, unreadable or of the wrong size
     */
    public static SipisKey load(Path file) throws KeyFileException {
        byte[] current = read(file);
        List<byte[]> retired = new ArrayList<>();
        Path dir = file.toAbsolutePath().getParent();
        String prefix = file.getFileName().toString() + ".retired-";
        if (dir != null && Files.isDirectory(dir)) {
            try (var files = Files.list(dir)) {
                for (Path p : (Iterable<Path>) files.sorted()::iterator) {
                    if (p.getFileName().toString().startsWith(prefix)) {
                        retired.add(read(p));
                    }
                }
            } catch (IOException e) {
                throw new KeyFileException(file, "cannot list its directory for retired keys: " + e.getMessage());
            }
        }
        return of(current, retired);
    }

    private static byte[] read(Path file) throws KeyFileException {
        try {
            byte[] raw = Files.readAllBytes(file);
            if (raw.length != 16 && raw.length != 32) {
                throw new KeyFileException(file, "is " + raw.length
                        + " bytes; a sipis.key holds exactly 16 or 32 random bytes (create one with 'sipis key create')");
            }
            return raw;
        } catch (NoSuchFileException e) {
            throw new KeyFileException(file, "does not exist; create it once with 'sipis key create " + file
                    + "' and copy the same file to every SIPIS machine");
        } catch (IOException e) {
            throw new KeyFileException(file, "cannot be read: " + e.getMessage());
        }
    }

    /** True when group or others may read the file (worth a warning at start-up). */
    public static boolean readableByOthers(Path file) {
        try {
            Set<PosixFilePermission> p = Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS);
            return p.contains(PosixFilePermission.OTHERS_READ);
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    private static Key key(byte[] raw, String what) {
        if (raw.length != 16 && raw.length != 32) {
            throw new IllegalArgumentException("a " + what + " must be 16 or 32 bytes, was " + raw.length);
        }
        return new Key(idOf(raw), new SecretKeySpec(raw.clone(), "AES"));
    }

    private static String idOf(byte[] raw) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(raw);
            return HexFormat.of().formatHex(h, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    /** The id of the current key (8 hex digits): safe to log, reveals nothing about the key. */
    public String id() {
        return current.id();
    }

    /** Seals a UTF-8 secret; {@code context} is authenticated (e.g. "sip-password:" + selector). */
    public String seal(String plaintext, String context) {
        return seal(plaintext.getBytes(StandardCharsets.UTF_8), context);
    }

    public String seal(byte[] plaintext, String context) {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            Cipher c = ciphers.get();
            c.init(Cipher.ENCRYPT_MODE, current.spec(), new GCMParameterSpec(TAG_BITS, nonce));
            c.updateAAD(aad(context));
            byte[] ct = c.doFinal(plaintext);
            ByteBuffer out = ByteBuffer.allocate(NONCE_BYTES + ct.length).put(nonce).put(ct);
            return VERSION + "." + current.id() + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(out.array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available", e);
        }
    }

    private static Cipher newCipher() {
        try {
            return Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available", e);
        }
    }

    /** Opens an envelope made by {@link #seal(String, String)} with the same context. */
    public String openString(String envelope, String context) throws SealedDataException {
        return new String(open(envelope, context), StandardCharsets.UTF_8);
    }

    public byte[] open(String envelope, String context) throws SealedDataException {
        String[] parts = envelope.split("\\.", 3);
        if (parts.length != 3 || !parts[0].equals(VERSION)) {
            throw new SealedDataException("not a sealed value (expected \"v1.<key id>.<data>\")");
        }
        Key k = keyFor(parts[1]);
        byte[] data;
        try {
            data = Base64.getUrlDecoder().decode(parts[2]);
        } catch (IllegalArgumentException e) {
            throw new SealedDataException("sealed value is not base64url");
        }
        if (data.length < NONCE_BYTES + TAG_BITS / 8) {
            throw new SealedDataException("sealed value is truncated");
        }
        try {
            Cipher c = ciphers.get();
            c.init(Cipher.DECRYPT_MODE, k.spec(), new GCMParameterSpec(TAG_BITS, data, 0, NONCE_BYTES));
            c.updateAAD(aad(context));
            return c.doFinal(data, NONCE_BYTES, data.length - NONCE_BYTES);
        } catch (javax.crypto.AEADBadTagException e) {
            throw new SealedDataException("sealed value does not authenticate with key " + k.id()
                    + " (tampered, or sealed for another record)");
        } catch (GeneralSecurityException e) {
            throw new SealedDataException("cannot open sealed value: " + e.getMessage());
        }
    }

    /** The id of the key that sealed an envelope, or empty text if it is not an envelope. */
    public static String keyIdOf(String envelope) {
        String[] parts = envelope.split("\\.", 3);
        return parts.length == 3 && parts[0].equals(VERSION) ? parts[1] : "";
    }

    /** Whether an envelope was sealed with a retired key and should be sealed again. */
    public boolean isStale(String envelope) {
        return !keyIdOf(envelope).equals(current.id());
    }

    private Key keyFor(String id) throws SealedDataException {
        if (current.id().equals(id)) {
            return current;
        }
        for (Key k : retired) {
            if (k.id().equals(id)) {
                return k;
            }
        }
        throw new SealedDataException("sealed with key " + id + ", which is not this installation's sipis.key ("
                + current.id() + ") nor a retired one; copy the right sipis.key to this machine");
    }

    private static byte[] aad(String context) {
        return context.getBytes(StandardCharsets.UTF_8);
    }

    /** Makes a new random raw key of 16 bytes. */
    public static byte[] generateRaw() {
        byte[] raw = new byte[16];
        new SecureRandom().nextBytes(raw);
        return raw;
    }

    @Override
    public String toString() {
        return "SipisKey[id=" + current.id() + ", retired=" + retired.size() + "]";
    }

    /** Overwrites a raw key buffer once it is no longer needed. */
    public static void wipe(byte[] raw) {
        Arrays.fill(raw, (byte) 0);
    }
}
