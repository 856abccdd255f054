package org.opensipis.core.xml;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * A typed, validating view of one settings element. Every getter records the name it asked
 * for, so that after a whole file is read, {@link #reportUnknown()} can warn about names
 * nobody asked for, with a "did you mean" hint. Bad values are reported to {@link Problems}
 * and the default is returned, so one pass finds every problem.
 *
 * <p>A reader may be "absent" (the element is not in the file): getters then return their
 * defaults and nothing is reported.
 */
public final class ElementReader {

    private final XmlNode node;
    private final String path;
    private final Problems problems;
    private final Set<String> askedAttributes = new LinkedHashSet<>();
    private final Map<String, String> askedChildren = new LinkedHashMap<>();
    private final List<ElementReader> visited = new ArrayList<>();
    /** Set by {@link #ownDuration} when a value was invalid (and already reported). */
    private boolean durationInvalid;

    private ElementReader(XmlNode node, String path, Problems problems) {
        this.node = node;
        this.path = path;
        this.problems = problems;
    }

    public static ElementReader root(XmlNode node, Problems problems) {
        return new ElementReader(node, node.name(), problems);
    }

    public static ElementReader absent(String path, Problems problems) {
        return new ElementReader(null, path, problems);
    }

    public boolean present() {
        return node != null;
    }

    public String path() {
        return path;
    }

    public Path file() {
        return node == null ? null : node.file();
    }

    public int line() {
        return node == null ? 0 : node.line();
    }

    public String text() {
        return node == null ? "" : node.text();
    }

    // ---- children ------------------------------------------------------------------------

    /** The single child of that name; absent if missing; an error if repeated. */
    public ElementReader child(String name) {
        askedChildren.put(XmlNode.key(name), name);
        String childPath = path + "/" + name;
        if (node == null) {
            return absent(childPath, problems);
        }
        List<XmlNode> found = node.children(name);
        if (found.isEmpty()) {
            return absent(childPath, problems);
        }
        if (found.size() > 1) {
            problems.error(found.get(1).file(), found.get(1).line(), path + "/" + found.get(1).name(),
                    "<" + name + "> appears " + found.size() + " times; expected at most once (first at line "
                            + found.get(0).line() + ")");
        }
        ElementReader r = new ElementReader(found.get(0), path + "/" + found.get(0).name(), problems);
        visited.add(r);
        return r;
    }

    /** All children of that name, in file order. */
    public List<ElementReader> children(String name) {
        askedChildren.put(XmlNode.key(name), name);
        List<ElementReader> out = new ArrayList<>();
        if (node == null) {
            return out;
        }
        for (XmlNode c : node.children(name)) {
            ElementReader r = new ElementReader(c, path + "/" + c.name(), problems);
            visited.add(r);
            out.add(r);
        }
        return out;
    }

    /** All children whose name is one of {@code names}, in file order. */
    public List<ElementReader> childrenNamed(String... names) {
        java.util.Set<String> keys = new java.util.HashSet<>();
        for (String n : names) {
            askedChildren.put(XmlNode.key(n), n);
            keys.add(XmlNode.key(n));
        }
        List<ElementReader> out = new ArrayList<>();
        if (node == null) {
            return out;
        }
        for (XmlNode c : node.children()) {
            if (keys.contains(c.key())) {
                ElementReader r = new ElementReader(c, path + "/" + c.name(), problems);
                visited.add(r);
                out.add(r);
            }
        }
        return out;
    }

    /** The lower-case name of this element. */
    public String key() {
        return XmlNode.key(path.substring(path.lastIndexOf('/') + 1));
    }

    /** Children that are known but not interpreted (for example Log/Email): no unknown-name warning. */
    public void ignore(String... names) {
        for (String n : names) {
            askedChildren.put(XmlNode.key(n), n);
        }
    }

    // ---- attributes ----------------------------------------------------------------------

    public Optional<String> optString(String name) {
        askedAttributes.add(name);
        if (node == null) {
            return Optional.empty();
        }
        XmlNode.Attribute a = node.attribute(name);
        return a == null ? Optional.empty() : Optional.of(a.value());
    }

    /**
     * A file path; a relative one is resolved against the directory of the file that wrote
     * it (so a Defaults file and its children may each use paths relative to themselves).
     */
    public Optional<Path> optPath(String name) {
        Optional<String> v = optString(name);
        if (v.isEmpty() || v.get().isBlank()) {
            return Optional.empty();
        }
        XmlNode.Attribute a = node.attribute(name);
        try {
            Path p = Path.of(v.get().trim());
            if (!p.isAbsolute() && a.file() != null && a.file().toAbsolutePath().getParent() != null) {
                p = a.file().toAbsolutePath().getParent().resolve(p).normalize();
            }
            return Optional.of(p);
        } catch (java.nio.file.InvalidPathException e) {
            bad(name, v.get(), "a file path");
            return Optional.empty();
        }
    }

    public String string(String name, String def) {
        return optString(name).orElse(def);
    }

    /** A string that must be present and not blank. */
    public String required(String name) {
        Optional<String> v = optString(name);
        if (v.isEmpty() || v.get().isBlank()) {
            if (node == null) {
                problems.error(null, 0, path, "element is missing; it must have a " + name + " attribute");
            } else {
                problems.error(node.file(), node.line(), path + "[" + name + "]",
                        v.isEmpty() ? "attribute is missing; it is required" : "must not be empty");
            }
            return "";
        }
        return v.get();
    }

    public int integer(String name, int def, int min, int max) {
        Optional<String> v = optString(name);
        if (v.isEmpty()) {
            return def;
        }
        try {
            int i = Integer.parseInt(v.get().trim());
            if (i < min || i > max) {
                bad(name, v.get(), "a whole number from " + min + " to " + max);
                return def;
            }
            return i;
        } catch (NumberFormatException e) {
            bad(name, v.get(), "a whole number from " + min + " to " + max);
            return def;
        }
    }

    public double decimal(String name, double def, double min, double max) {
        Optional<String> v = optString(name);
        if (v.isEmpty()) {
            return def;
        }
        try {
            double d = Double.parseDouble(v.get().trim());
            if (!(d >= min && d <= max)) {
                bad(name, v.get(), "a number from " + min + " to " + max);
                return def;
            }
            return d;
        } catch (NumberFormatException e) {
            bad(name, v.get(), "a number from " + min + " to " + max);
            return def;
        }
    }

    public int port(String name, int def) {
        return integer(name, def, 1, 65535);
    }

    /** {@code Yes}/{@code No} (also accepts true/false, case-insensitive). */
    public boolean yesNo(String name, boolean def) {
        Optional<String> v = optString(name);
        if (v.isEmpty()) {
            return def;
        }
        switch (v.get().trim().toLowerCase(Locale.ROOT)) {
            case "yes":
            case "true":
                return true;
            case "no":
            case "false":
                return false;
            default:
                bad(name, v.get(), "Yes or No");
                return def;
        }
    }

    /** One of the enum's constants, matched case-insensitively and ignoring '-' and '_'. */
    public <E extends Enum<E>> E choice(String name, E def, Class<E> type) {
        Optional<String> v = optString(name);
        if (v.isEmpty()) {
            return def;
        }
        String want = EnumNames.normalise(v.get());
        for (E e : type.getEnumConstants()) {
            if (EnumNames.normalise(e.name()).equals(want)) {
                return e;
            }
        }
        List<String> names = new ArrayList<>();
        for (E e : type.getEnumConstants()) {
            names.add(EnumNames.display(e.name()));
        }
        bad(name, v.get(), "one of " + String.join(", ", names));
        return def;
    }

    /** A value converted by {@code parser}, which throws IllegalArgumentException with the expectation. */
    public <T> Optional<T> parsed(String name, Function<String, T> parser) {
        Optional<String> v = optString(name);
        if (v.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(parser.apply(v.get()));
        } catch (IllegalArgumentException e) {
            bad(name, v.get(), e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * A duration written as this element's {@code Days/Hours/Minutes/Seconds} attributes
     * (missing ones count as 0), or {@code def} when the element has none of them.
     */
    public Duration ownDuration(Duration def) {
        askDurationNames();
        if (node == null) {
            return def;
        }
        EnumNames.Seconds parsed = EnumNames.durationSeconds(this);
        long seconds = parsed.seconds();
        boolean any = parsed.any();
        boolean invalid = parsed.invalid();
        durationInvalid = invalid;
        if (invalid) {
            return def == null ? Duration.ZERO : def;
        }
        return any ? Duration.ofSeconds(seconds) : def;
    }

    /** A duration child element, e.g. {@code <MaxAge Days="3"/>}. */
    public Duration duration(String childName, Duration def) {
        ElementReader c = child(childName);
        if (!c.present()) {
            return def;
        }
        Duration d = c.ownDuration(null);
        if (c.durationInvalid) {
            return def;
        }
        if (d == null) {
            problems.error(c.file(), c.line(), c.path(), "a duration needs at least one of the attributes Days, Hours, Minutes, Seconds");
            return def;
        }
        return d;
    }

    private void askDurationNames() {
        askedAttributes.add("Days");
        askedAttributes.add("Hours");
        askedAttributes.add("Minutes");
        askedAttributes.add("Seconds");
    }

    /** Reports a bad value of an attribute: where, what, what was expected. */
    public void bad(String attribute, String value, String expected) {
        if (node != null && node.attribute(attribute) != null) {
            attribute = node.attribute(attribute).name();
        }
        problems.error(node == null ? null : node.file(), node == null ? 0 : node.line(),
                path + "[" + attribute + "]", "\"" + value + "\" is not valid; expected " + expected);
    }

    public void error(String message) {
        problems.error(node == null ? null : node.file(), node == null ? 0 : node.line(), path, message);
    }

    public void warning(String message) {
        problems.warning(node == null ? null : node.file(), node == null ? 0 : node.line(), path, message);
    }

    // ---- unknown names --------------------------------------------------------------------

    /** Warns about every attribute and child that was never asked for, recursively. */
    public void reportUnknown() {
        if (node == null) {
            return;
        }
        Set<String> askedKeys = new LinkedHashSet<>();
        for (String a : askedAttributes) {
            askedKeys.add(XmlNode.key(a));
        }
        for (XmlNode.Attribute a : node.attributes().values()) {
            String k = XmlNode.key(a.name());
            if (!askedKeys.contains(k) && !k.equals("xmlns") && !k.startsWith("xmlns:") && !k.equals("schemalocation")) {
                problems.warning(a.file(), a.line(), path + "[" + a.name() + "]",
                        "unknown attribute, ignored" + hint(a.name(), askedAttributes));
            }
        }
        for (XmlNode c : node.children()) {
            if (!askedChildren.containsKey(c.key())) {
                problems.warning(c.file(), c.line(), path + "/" + c.name(),
                        "unknown element, ignored" + hint(c.name(), askedChildren.values()));
            }
        }
        for (ElementReader r : visited) {
            r.reportUnknown();
        }
    }

    private static String hint(String name, java.util.Collection<String> known) {
        return Suggest.closest(name, known).map(s -> "; did you mean " + s + "?").orElse("");
    }
}
