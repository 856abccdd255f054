package org.opensipis.server.plan;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

/** Writes a plan's files under a directory. */
final class PlanFiles {

    private PlanFiles() {
    }

    /** Writes every file (overwriting); {@code Defaults.xml}, which holds the database password, owner-only. */
    static void write(Path out, Map<String, String> files) throws IOException {
        for (Map.Entry<String, String> f : files.entrySet()) {
            Path target = out.resolve(f.getKey());
            Files.createDirectories(target.toAbsolutePath().getParent());
            if (f.getKey().equals("Defaults.xml")) {
                Files.deleteIfExists(target);
                try {
                    Files.createFile(target,
                            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                } catch (UnsupportedOperationException | FileAlreadyExistsException e) {
                    // not a POSIX file system, or created meanwhile: a plain write follows
                }
            }
            Files.writeString(target, f.getValue(), StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE);
        }
    }
}
