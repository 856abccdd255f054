package org.opensipis.server;

import org.opensipis.server.cli.SipisCommand;

/** {@code sipis} entry point; see {@link SipisCommand}. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        int code = SipisCommand.commandLine().execute(args);
        System.exit(code);
    }
}
