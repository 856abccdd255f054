package org.opensipis.core.xml;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import javax.xml.stream.Location;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * Parses a settings file into an {@link XmlNode} tree, refusing what a settings file never
 * needs: DTDs, entity declarations and external entities (XXE, billion laughs), and files
 * larger than {@link #MAX_BYTES}. Every failure is an {@link XmlException} naming the file
 * and line, never a parser stack trace.
 */
public final class SecureXml {

    /** Settings files are a few KiB; anything near this is a mistake or an attack. */
    public static final long MAX_BYTES = 1024 * 1024;

    /** Deeper nesting than any real settings file. */
    static final int MAX_DEPTH = 32;

    private SecureXml() {
    }

    public static XmlNode parse(Path file) throws XmlException {
        long size;
        try {
            size = Files.size(file);
        } catch (NoSuchFileException e) {
            throw new XmlException(file, 0, "file not found");
        } catch (IOException e) {
            throw new XmlException(file, 0, "cannot read: " + e.getMessage());
        }
        if (Files.isDirectory(file)) {
            throw new XmlException(file, 0, "is a directory, expected an XML file");
        }
        if (size > MAX_BYTES) {
            throw new XmlException(file, 0,
                    "file is " + size + " bytes; a settings file may be at most " + MAX_BYTES + " bytes");
        }
        try (InputStream in = Files.newInputStream(file)) {
            return parse(in, file);
        } catch (IOException e) {
            throw new XmlException(file, 0, "cannot read: " + e.getMessage());
        }
    }

    public static XmlNode parse(InputStream in, Path file) throws XmlException {
        XMLInputFactory factory = XMLInputFactory.newFactory();
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        factory.setProperty(XMLInputFactory.IS_REPLACING_ENTITY_REFERENCES, false);
        factory.setProperty(XMLInputFactory.IS_COALESCING, true);
        XMLStreamReader r = null;
        int line = 0;
        try {
            r = factory.createXMLStreamReader(in);
            Deque<XmlNode> stack = new ArrayDeque<>();
            XmlNode root = null;
            StringBuilder text = new StringBuilder();
            while (r.hasNext()) {
                int event = r.next();
                line = lineOf(r.getLocation());
                switch (event) {
                    case XMLStreamConstants.DTD:
                        throw new XmlException(file, line,
                                "DOCTYPE declarations are not allowed in settings files (DTDs and entities are refused)");
                    case XMLStreamConstants.ENTITY_REFERENCE:
                        throw new XmlException(file, line,
                                "entity reference &" + r.getLocalName() + "; is not allowed; only the five predefined XML entities are");
                    case XMLStreamConstants.START_ELEMENT: {
                        if (stack.size() >= MAX_DEPTH) {
                            throw new XmlException(file, line, "elements nested deeper than " + MAX_DEPTH);
                        }
                        XmlNode node = new XmlNode(r.getLocalName(), file, line);
                        for (int i = 0; i < r.getAttributeCount(); i++) {
                            String an = r.getAttributeLocalName(i);
                            if (r.getAttributePrefix(i) != null && r.getAttributePrefix(i).equals("xmlns")) {
                                continue;
                            }
                            if (node.attribute(an) != null) {
                                throw new XmlException(file, line, "attribute " + an + " appears twice on <" + node.name()
                                        + "> (names are case-insensitive)");
                            }
                            node.putAttribute(new XmlNode.Attribute(an, r.getAttributeValue(i), file, line));
                        }
                        if (stack.isEmpty()) {
                            if (root != null) {
                                throw new XmlException(file, line, "more than one root element");
                            }
                            root = node;
                        } else {
                            stack.peek().addChild(node);
                        }
                        stack.push(node);
                        text.setLength(0);
                        break;
                    }
                    case XMLStreamConstants.CHARACTERS:
                    case XMLStreamConstants.CDATA:
                        if (!stack.isEmpty()) {
                            text.append(r.getText());
                        }
                        break;
                    case XMLStreamConstants.END_ELEMENT: {
                        XmlNode done = stack.pop();
                        if (done.children().isEmpty()) {
                            done.setText(text.toString().trim());
                        }
                        text.setLength(0);
                        break;
                    }
                    default:
                        break;
                }
            }
            if (root == null) {
                throw new XmlException(file, line, "no root element (empty file?)");
            }
            return root;
        } catch (XMLStreamException e) {
            int l = e.getLocation() != null ? lineOf(e.getLocation()) : line;
            throw new XmlException(file, l, "malformed XML: " + cleanMessage(e));
        } catch (RuntimeException e) {
            // Some StAX implementations signal malformed input with unchecked exceptions.
            throw new XmlException(file, line, "malformed XML: " + e.getMessage());
        } finally {
            if (r != null) {
                try {
                    r.close();
                } catch (XMLStreamException ignored) {
                    // nothing left to release
                }
            }
        }
    }

    private static int lineOf(Location location) {
        return location == null ? 0 : Math.max(0, location.getLineNumber());
    }

    /** The JDK prefixes messages with "ParseError at [row,col]:[r,c]\nMessage: "; keep the message. */
    private static String cleanMessage(XMLStreamException e) {
        String m = String.valueOf(e.getMessage());
        int i = m.indexOf("Message: ");
        m = (i >= 0 ? m.substring(i + 9) : m).trim();
        // The JDK reports some namespace errors as bare resource keys, e.g.
        // "http://www.w3.org/TR/1999/REC-xml-names-19990114#AttributeNotUnique?Server&Name".
        int hash = m.indexOf("#AttributeNotUnique?");
        if (hash >= 0) {
            String[] parts = m.substring(hash + "#AttributeNotUnique?".length()).split("&");
            return parts.length == 2 ? "attribute " + parts[1] + " appears twice on <" + parts[0] + ">" : m;
        }
        return m;
    }
}
