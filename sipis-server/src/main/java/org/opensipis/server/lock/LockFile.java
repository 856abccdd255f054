package org.opensipis.server.lock;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * {@code Lock[FileName]}: an exclusive OS lock ({@code fcntl}/{@code flock} through
 * {@link FileChannel#tryLock()}) held for the life of the process, with the pid written
 * inside. The OS drops the lock when the process dies, so a file left behind by a killed
 * process never blocks a new start; a running holder does, and is named by pid.
 */
public final class LockFile implements AutoCloseable {

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;

    private LockFile(Path file, FileChannel channel, FileLock lock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes the lock or fails.
     *
     * @throws LockHeldException when another live process holds it (message names its pid)
     * @throws IOException       when the file cannot be created (message names the file)
     */
    public static LockFile acquire(Path file, long pid) throws IOException, LockHeldException {
        Path parent = file.toAbsolutePath().getParent();
        try {
            if (parent != null) {
                Files.createDirectories(parent);
            }
        } catch (IOException e) {
            throw new IOException("Lock[FileName] " + file + ": cannot create its directory: " + e.getMessage(), e);
        }
        FileChannel ch;
        try {
            ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new IOException("Lock[FileName] " + file + ": cannot open: " + e.getMessage(), e);
        }
        FileLock l;
        try {
            l = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            l = null;
        }
        if (l == null) {
            String holder = readPid(ch);
            ch.close();
            throw new LockHeldException(file, holder);
        }
        ch.truncate(0);
        ch.write(ByteBuffer.wrap((pid + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
        ch.force(false);
        return new LockFile(file, ch, l);
    }

    private static String readPid(FileChannel ch) {
        try {
            ByteBuffer b = ByteBuffer.allocate(32);
            ch.read(b, 0);
            return new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII).trim();
        } catch (IOException e) {
            return "";
        }
    }

    public Path file() {
        return file;
    }

    /** Releases the lock and removes the file. */
    @Override
    public void close() throws IOException {
        try {
            Files.deleteIfExists(file);
        } finally {
            lock.release();
            channel.close();
        }
    }
}
