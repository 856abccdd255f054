package org.opensipis.core.abuse;

import java.util.ArrayList;
import java.util.List;

/** A set of ports written as {@code 5060-5061,5070}. Immutable. */
public final class PortSet {

    /** Every port. */
    public static final PortSet ALL = new PortSet(List.of(new int[] {1, 65535}), "1-65535");

    private final List<int[]> ranges;
    private final String text;

    private PortSet(List<int[]> ranges, String text) {
        this.ranges = ranges;
        this.text = text;
    }

    /** @throws IllegalArgumentException with what is expected */
    public static PortSet parse(String text) {
        List<int[]> out = new ArrayList<>();
        StringBuilder canonical = new StringBuilder();
        for (String part : text.split("[,\\s]+")) {
            if (part.isEmpty()) {
                continue;
            }
            String[] ab = part.split("-", -1);
            if (ab.length > 2 || !ab[0].matches("\\d{1,5}") || ab.length == 2 && !ab[1].matches("\\d{1,5}")) {
                throw new IllegalArgumentException("ports and ranges from 1 to 65535 separated by commas, e.g. 5060-5061,5080");
            }
            int a = Integer.parseInt(ab[0]);
            int b = ab.length == 2 ? Integer.parseInt(ab[1]) : a;
            if (a < 1 || b > 65535 || a > b) {
                throw new IllegalArgumentException("ports and ranges from 1 to 65535 separated by commas, e.g. 5060-5061,5080");
            }
            out.add(new int[] {a, b});
            canonical.append(canonical.length() == 0 ? "" : ",").append(a == b ? Integer.toString(a) : a + "-" + b);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("at least one port, e.g. 5060-5061,5080");
        }
        return new PortSet(List.copyOf(out), canonical.toString());
    }

    public boolean contains(int port) {
        for (int[] r : ranges) {
            if (port >= r[0] && port <= r[1]) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PortSet p && p.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }
}
