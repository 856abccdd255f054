package org.opensipis.server.cli;

import java.util.Locale;
import java.util.Map;
import org.opensipis.core.settings.OpenString;
import org.opensipis.core.settings.Secret;
import org.opensipis.core.xml.XmlNode;

/** Writes a merged settings tree back as XML, with every secret masked. */
final class SettingsPrinter {

    private SettingsPrinter() {
    }

    static String print(XmlNode root) {
        StringBuilder b = new StringBuilder();
        write(root, 0, b);
        return b.toString();
    }

    private static void write(XmlNode n, int depth, StringBuilder b) {
        String indent = "  ".repeat(depth);
        b.append(indent).append('<').append(n.name());
        for (Map.Entry<String, XmlNode.Attribute> e : n.attributes().entrySet()) {
            XmlNode.Attribute a = e.getValue();
            b.append(' ').append(a.name()).append("=\"").append(escape(mask(e.getKey(), a.value()))).append('"');
        }
        if (n.children().isEmpty() && n.text().isEmpty()) {
            b.append("/>\n");
            return;
        }
        b.append('>');
        if (n.children().isEmpty()) {
            b.append(escape(n.text())).append("</").append(n.name()).append(">\n");
            return;
        }
        b.append('\n');
        for (XmlNode c : n.children()) {
            write(c, depth + 1, b);
        }
        b.append(indent).append("</").append(n.name()).append(">\n");
    }

    static String mask(String key, String value) {
        String k = key.toLowerCase(Locale.ROOT);
        if (k.contains("password") || k.contains("secret")) {
            return value.isEmpty() ? "" : Secret.MASK;
        }
        if (k.equals("openstring")) {
            try {
                return OpenString.parse(value).toString();
            } catch (IllegalArgumentException e) {
                return Secret.MASK;
            }
        }
        return value;
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
