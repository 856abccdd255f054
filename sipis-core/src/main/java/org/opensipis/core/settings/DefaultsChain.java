package org.opensipis.core.settings;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.opensipis.core.xml.SecureXml;
import org.opensipis.core.xml.XmlException;
import org.opensipis.core.xml.XmlNode;

/**
 * Loads a settings file after the files named by its {@code Defaults="…"} attribute (a chain
 * of any length), merging each child over its parent:
 * <ul>
 * <li>attributes of the child override or add to the parent's;</li>
 * <li>an element that appears once in both is merged recursively;</li>
 * <li>list items (the entries of {@code NotificationServers}, {@code IgnoredAppIds},
 *     {@code TlsClientCertificates}, {@code TrustedCertificates}, a {@code Filter}, and
 *     {@code Log/Instance}) or any element repeated in either file: the child's list
 *     replaces the parent's list, since list items have no unique path to merge on.</li>
 * </ul>
 * Relative {@code Defaults} paths resolve against the directory of the referencing file.
 * A missing file or a cycle is an error that names the chain and the referencing line.
 */
final class DefaultsChain {

    /** Elements whose children are list items. */
    private static final Set<String> LIST_CONTAINERS = Set.of("notificationservers", "ignoredappids",
            "tlsclientcertificates", "trustedcertificates", "filter", "backend");

    /** Longest chain we follow; deeper is surely a mistake. */
    static final int MAX_DEPTH = 16;

    private DefaultsChain() {
    }

    /** The merged tree and the files it came from (child first). */
    record Merged(XmlNode root, List<Path> files) {
    }

    static Merged load(Path file) throws XmlException {
        List<Path> chain = new ArrayList<>();
        XmlNode merged = load(file.toAbsolutePath().normalize(), chain, null, 0);
        return new Merged(merged, chain);
    }

    private static XmlNode load(Path file, List<Path> chain, XmlNode.Attribute referencedBy, int depth)
            throws XmlException {
        if (chain.contains(file)) {
            throw new XmlException(referencedBy.file(), referencedBy.line(),
                    "Defaults=\"" + referencedBy.value() + "\" makes a cycle: " + describe(chain) + " -> " + file);
        }
        if (depth > MAX_DEPTH) {
            throw new XmlException(referencedBy.file(), referencedBy.line(),
                    "Defaults chain is longer than " + MAX_DEPTH + " files: " + describe(chain));
        }
        chain.add(file);
        XmlNode node;
        try {
            node = SecureXml.parse(file);
        } catch (XmlException e) {
            if (referencedBy != null && e.line() == 0) {
                throw new XmlException(referencedBy.file(), referencedBy.line(), "Defaults=\"" + referencedBy.value()
                        + "\": " + e.getMessage() + " (chain: " + describe(chain) + ")");
            }
            throw e;
        }
        XmlNode.Attribute defaults = node.attribute("Defaults");
        if (defaults == null || defaults.value().isBlank()) {
            return node;
        }
        Path parentFile = Path.of(defaults.value().trim());
        if (!parentFile.isAbsolute()) {
            parentFile = file.getParent().resolve(parentFile);
        }
        XmlNode parent = load(parentFile.normalize(), chain, defaults, depth + 1);
        if (!parent.key().equals(node.key())) {
            throw new XmlException(defaults.file(), defaults.line(), "Defaults=\"" + defaults.value()
                    + "\" has root <" + parent.name() + ">, but this file's root is <" + node.name() + ">");
        }
        return merge(parent, node);
    }

    private static String describe(List<Path> chain) {
        List<String> s = new ArrayList<>();
        for (Path p : chain) {
            s.add(p.toString());
        }
        return String.join(" -> ", s);
    }

    /** A new tree: {@code child} laid over a copy of {@code parent}. */
    static XmlNode merge(XmlNode parent, XmlNode child) {
        XmlNode out = parent.copy();
        mergeInto(out, child);
        return out;
    }

    private static void mergeInto(XmlNode target, XmlNode child) {
        for (XmlNode.Attribute a : child.attributes().values()) {
            target.putAttribute(a);
        }
        if (LIST_CONTAINERS.contains(target.key())) {
            if (!child.children().isEmpty()) {
                replaceAllChildren(target, child);
            }
            return;
        }
        Map<String, List<XmlNode>> byName = new LinkedHashMap<>();
        for (XmlNode c : child.children()) {
            byName.computeIfAbsent(c.key(), k -> new ArrayList<>()).add(c);
        }
        for (Map.Entry<String, List<XmlNode>> e : byName.entrySet()) {
            List<XmlNode> mine = target.children(e.getKey());
            boolean listItem = e.getValue().size() > 1 || mine.size() > 1
                    || (target.key().equals("log") && e.getKey().equals("instance"));
            if (!listItem && mine.size() == 1) {
                mergeInto(mine.get(0), e.getValue().get(0));
            } else {
                target.removeChildrenNamed(e.getKey());
                for (XmlNode c : e.getValue()) {
                    target.addChild(c.copy());
                }
            }
        }
    }

    private static void replaceAllChildren(XmlNode target, XmlNode child) {
        for (XmlNode c : new ArrayList<>(target.children())) {
            target.removeChildrenNamed(c.key());
        }
        for (XmlNode c : child.children()) {
            target.addChild(c.copy());
        }
    }
}
