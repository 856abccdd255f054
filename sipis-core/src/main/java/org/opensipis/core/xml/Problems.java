package org.opensipis.core.xml;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** Collects every problem found while reading settings, so all are reported at once. */
public final class Problems {

    private final List<Problem> list = new ArrayList<>();

    public void error(Path file, int line, String path, String message) {
        list.add(new Problem(Problem.Severity.ERROR, file, line, path, message));
    }

    public void warning(Path file, int line, String path, String message) {
        list.add(new Problem(Problem.Severity.WARNING, file, line, path, message));
    }

    public void add(Problem p) {
        list.add(p);
    }

    public boolean hasErrors() {
        return list.stream().anyMatch(Problem::isError);
    }

    public List<Problem> all() {
        return List.copyOf(list);
    }

    public List<Problem> warnings() {
        return list.stream().filter(p -> !p.isError()).collect(Collectors.toUnmodifiableList());
    }

    public List<Problem> errors() {
        return list.stream().filter(Problem::isError).collect(Collectors.toUnmodifiableList());
    }
}
