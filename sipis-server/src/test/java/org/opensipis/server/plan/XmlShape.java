package org.opensipis.server.plan;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeMap;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;

/**
 * The elements and attributes of an XML text as lines {@code path {name=value, ...}}, names
 * lower-cased (the seed writes lower case), attributes sorted, comments and whitespace ignored.
 */
final class XmlShape {

    private XmlShape() {
    }

    static List<String> of(String xml, Set<String> ignoredAttributes) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        Element root = f.newDocumentBuilder()
                .parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8))).getDocumentElement();
        List<String> out = new ArrayList<>();
        walk(root, "", ignoredAttributes, out);
        return out;
    }

    private static void walk(Element e, String parent, Set<String> ignored, List<String> out) {
        String path = parent + "/" + e.getTagName().toLowerCase(Locale.ROOT);
        TreeMap<String, String> attrs = new TreeMap<>();
        NamedNodeMap m = e.getAttributes();
        for (int i = 0; i < m.getLength(); i++) {
            String name = m.item(i).getNodeName().toLowerCase(Locale.ROOT);
            if (!ignored.contains(name)) {
                attrs.put(name, m.item(i).getNodeValue());
            }
        }
        out.add(path + " " + attrs);
        for (Node c = e.getFirstChild(); c != null; c = c.getNextSibling()) {
            if (c instanceof Element) {
                walk((Element) c, path, ignored, out);
            }
        }
    }
}
