package org.opensipis.server.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.EnumSet;
import java.util.concurrent.Callable;
import org.opensipis.core.crypto.SipisKey;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code sipis key create|rotate}: make and rotate the shared sipis.key. */
@Command(name = "key", mixinStandardHelpOptions = true, description = "Create or rotate sipis.key.",
        subcommands = {KeyCommand.Create.class, KeyCommand.Rotate.class})
final class KeyCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command: create or rotate");
    }

    /** Writes 16 random bytes to a new file with mode 0600; never overwrites. */
    static void writeNewKey(Path file, byte[] raw) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try (SeekableByteChannel ch = Files.newByteChannel(file,
                EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
            ch.write(ByteBuffer.wrap(raw));
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create a new sipis.key (16 random bytes, mode 0600). Never overwrites an existing file.")
    static final class Create implements Callable<Integer> {
        @CommandLine.Parameters(index = "0", arity = "0..1", paramLabel = "FILE", defaultValue = "/etc/sipis/sipis.key",
                description = "Where to write the key (default: ${DEFAULT-VALUE}).")
        Path file;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            PrintWriter out = spec.commandLine().getOut();
            byte[] raw = SipisKey.generateRaw();
            try {
                writeNewKey(file, raw);
            } catch (FileAlreadyExistsException e) {
                spec.commandLine().getErr().println("sipis: " + file + " already exists; not overwriting it "
                        + "(every SIPIS process of an installation must share the same key; use 'sipis key rotate' to change it)");
                return ExitCodes.FAILURE;
            }
            out.println("Created " + file + " (key id " + SipisKey.of(raw).id() + "). Copy this same file to every SIPIS machine.");
            SipisKey.wipe(raw);
            return ExitCodes.OK;
        }
    }

    @Command(name = "rotate", mixinStandardHelpOptions = true,
            description = "Replace sipis.key with a new key. The old key is kept as sipis.key.retired-<time> so stored "
                    + "secrets stay readable; they are sealed again with the new key.")
    static final class Rotate implements Callable<Integer> {
        @CommandLine.Parameters(index = "0", paramLabel = "FILE", description = "The sipis.key to rotate.")
        Path file;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            SipisKey old = SipisKey.load(file);
            Path retired = file.resolveSibling(file.getFileName() + ".retired-" + Instant.now().getEpochSecond());
            Path fresh = file.resolveSibling(file.getFileName() + ".new");
            byte[] raw = SipisKey.generateRaw();
            writeNewKey(fresh, raw);
            Files.move(file, retired);
            Files.move(fresh, file);
            out.println("Rotated " + file + ": new key id " + SipisKey.of(raw).id() + ", old key " + old.id()
                    + " kept as " + retired + ".");
            out.println("Copy " + file + " and " + retired + " to every SIPIS machine, then restart the processes.");
            SipisKey.wipe(raw);
            return ExitCodes.OK;
        }
    }
}
