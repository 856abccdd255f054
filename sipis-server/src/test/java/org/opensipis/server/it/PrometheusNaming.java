package org.opensipis.server.it;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks a Prometheus text exposition (format 0.0.4) against the naming rules
 * (https://prometheus.io/docs/practices/naming/): snake_case names and label names, base
 * units as suffixes (seconds, bytes; never milli-, kilo-, …), {@code _total} on counters and
 * only there, every sample of a declared family; and lower-case enumeration values
 * ({@code [a-z0-9_]}) on every label of SIPIS's own {@code sipis_*} metrics.
 */
final class PrometheusNaming {

    private static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_]*");
    private static final Pattern TYPE = Pattern.compile("# TYPE (\\S+) (\\S+)");
    private static final Pattern SAMPLE = Pattern.compile("([^{\\s]+)(\\{(.*)})?\\s+\\S+(\\s+\\S+)?");
    private static final Pattern LABEL = Pattern.compile("([^=,]+)=\"((?:[^\"\\\\]|\\\\.)*)\",?");
    private static final Pattern ENUM_VALUE = Pattern.compile("[a-z0-9_]+");
    private static final Pattern NON_BASE_UNIT = Pattern.compile(
            "_(ms|millis|milliseconds|us|micros|microseconds|ns|nanos|nanoseconds|minutes|hours|days|kb|kilobytes|mb|megabytes|gb|percent)(_|$)");
    private static final Pattern TIME_WORD = Pattern.compile("(latency|duration|uptime|_time|_age|_pause|_delay)(_|$)");

    private PrometheusNaming() {
    }

    /** Every rule broken, one line each; empty when the exposition follows them all. Also returns the names seen. */
    static List<String> problems(String exposition, List<String> namesSeen) {
        List<String> out = new ArrayList<>();
        Map<String, String> types = new HashMap<>();
        for (String line : exposition.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            Matcher t = TYPE.matcher(line);
            if (t.matches()) {
                types.put(t.group(1), t.group(2));
                continue;
            }
            if (line.startsWith("#")) {
                continue;
            }
            Matcher s = SAMPLE.matcher(line);
            if (!s.matches()) {
                out.add("unparseable sample: " + line);
                continue;
            }
            String name = s.group(1);
            namesSeen.add(name);
            String family = family(name, types);
            if (family == null) {
                out.add(name + ": no # TYPE line for its family");
                continue;
            }
            String type = types.get(family);
            if (!NAME.matcher(name).matches()) {
                out.add(name + ": not snake_case");
            }
            if (type.equals("counter") && !name.endsWith("_total")) {
                out.add(name + ": a counter must end with _total");
            }
            if (!type.equals("counter") && name.endsWith("_total")) {
                out.add(name + ": only counters end with _total (it is a " + type + ")");
            }
            if (NON_BASE_UNIT.matcher(name).find()) {
                out.add(name + ": use base units (seconds, bytes, ratios)");
            }
            if (TIME_WORD.matcher(family).find() && !family.contains("_seconds")) {
                out.add(name + ": a time must be in seconds (_seconds)");
            }
            String labels = s.group(3) == null ? "" : s.group(3);
            Matcher l = LABEL.matcher(labels);
            int end = 0;
            while (l.find()) {
                if (l.start() != end) {
                    break;
                }
                end = l.end();
                String label = l.group(1);
                String value = l.group(2);
                if (!NAME.matcher(label).matches() || label.startsWith("__")) {
                    out.add(name + ": label " + label + " is not snake_case");
                }
                if (name.startsWith("sipis_") && !label.equals("le") && !ENUM_VALUE.matcher(value).matches()) {
                    out.add(name + ": label " + label + "=\"" + value + "\" is not a lower-case enumeration value");
                }
            }
            if (end != labels.length()) {
                out.add("unparseable labels: " + line);
            }
        }
        return out;
    }

    private static String family(String sample, Map<String, String> types) {
        if (types.containsKey(sample)) {
            return sample;
        }
        for (String suffix : new String[] {"_total", "_bucket", "_count", "_sum", "_created", "_max"}) {
            if (sample.endsWith(suffix)) {
                String f = sample.substring(0, sample.length() - suffix.length());
                if (types.containsKey(f)) {
                    return f;
                }
            }
        }
        return null;
    }
}
