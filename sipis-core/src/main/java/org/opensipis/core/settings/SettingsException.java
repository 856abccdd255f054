package org.opensipis.core.settings;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.opensipis.core.xml.Problem;

/**
 * The settings cannot be used. {@link #problems()} lists every problem found (errors and
 * warnings), each naming file, line, element path and what was expected; the message is
 * that list, one per line, ready to print.
 */
public final class SettingsException extends Exception {

    private static final long serialVersionUID = 1L;

    private final transient List<Problem> problems;

    public SettingsException(Path file, List<Problem> problems) {
        super(describe(file, problems));
        this.problems = List.copyOf(problems);
    }

    public List<Problem> problems() {
        return problems;
    }

    public List<Problem> errors() {
        return problems.stream().filter(Problem::isError).collect(Collectors.toUnmodifiableList());
    }

    private static String describe(Path file, List<Problem> problems) {
        long errors = problems.stream().filter(Problem::isError).count();
        StringBuilder b = new StringBuilder();
        b.append(file).append(": ").append(errors).append(errors == 1 ? " error" : " errors");
        for (Problem p : problems) {
            b.append(System.lineSeparator()).append("  ").append(p);
        }
        return b.toString();
    }
}
