package org.opensipis.core.xml;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * One element of a settings file, as written, with the file and line it came from.
 *
 * <p>Names are matched case-insensitively everywhere ({@code <server name=…>} and
 * {@code <Server Name=…>} are the same thing), so the tree is keyed by lower-case names
 * while keeping the spelling of the source for messages. Nodes are mutable only while a
 * file is parsed or merged; the settings builders treat them as read-only.
 */
public final class XmlNode {

    /** An attribute value with the place it was written. */
    public record Attribute(String name, String value, Path file, int line) {
        public Attribute {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
        }
    }

    private final String name;
    private final Path file;
    private final int line;
    private final Map<String, Attribute> attributes = new LinkedHashMap<>();
    private final List<XmlNode> children = new ArrayList<>();
    private String text = "";

    public XmlNode(String name, Path file, int line) {
        this.name = Objects.requireNonNull(name, "name");
        this.file = file;
        this.line = line;
    }

    public static String key(String name) {
        return name.toLowerCase(Locale.ROOT);
    }

    public String name() {
        return name;
    }

    public String key() {
        return key(name);
    }

    public Path file() {
        return file;
    }

    public int line() {
        return line;
    }

    public String text() {
        return text;
    }

    void setText(String text) {
        this.text = text;
    }

    public Map<String, Attribute> attributes() {
        return Collections.unmodifiableMap(attributes);
    }

    public Attribute attribute(String attributeName) {
        return attributes.get(key(attributeName));
    }

    /** Adds or replaces an attribute; used by the parser and by the Defaults merge. */
    public void putAttribute(Attribute attribute) {
        attributes.put(key(attribute.name()), attribute);
    }

    public List<XmlNode> children() {
        return Collections.unmodifiableList(children);
    }

    public List<XmlNode> children(String childName) {
        String k = key(childName);
        List<XmlNode> out = new ArrayList<>(2);
        for (XmlNode c : children) {
            if (c.key().equals(k)) {
                out.add(c);
            }
        }
        return out;
    }

    public void addChild(XmlNode child) {
        children.add(child);
    }

    public void removeChildrenNamed(String childName) {
        String k = key(childName);
        children.removeIf(c -> c.key().equals(k));
    }

    /** A deep copy, so that a merge never changes a parsed parent file. */
    public XmlNode copy() {
        XmlNode n = new XmlNode(name, file, line);
        n.attributes.putAll(attributes);
        n.text = text;
        for (XmlNode c : children) {
            n.children.add(c.copy());
        }
        return n;
    }

    /** "file:line" for messages. */
    public String where() {
        return (file == null ? "<input>" : file.toString()) + ":" + line;
    }

    @Override
    public String toString() {
        return "<" + name + "> at " + where();
    }
}
