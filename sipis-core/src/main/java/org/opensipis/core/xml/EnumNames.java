package org.opensipis.core.xml;

import java.util.Locale;
import java.util.Optional;

/** How settings spell enum constants and durations: the small parsing rules {@link ElementReader} shares. */
public final class EnumNames {

    private static final String[] UNITS = {"Days", "Hours", "Minutes", "Seconds"};
    private static final long[] FACTOR = {86_400, 3_600, 60, 1};

    private EnumNames() {
    }

    /** A duration read from its unit attributes: whether any was present, whether any was invalid. */
    record Seconds(long seconds, boolean any, boolean invalid) {
    }

    /** Case-insensitive, ignoring '-' and '_': how a written choice is matched to a constant. */
    static String normalise(String s) {
        return s.replace("-", "").replace("_", "").toLowerCase(Locale.ROOT);
    }

    /** SOME_NAME → SomeName, for messages about enum choices. */
    public static String display(String enumName) {
        StringBuilder b = new StringBuilder();
        for (String part : enumName.split("_")) {
            if (!part.isEmpty()) {
                b.append(part.charAt(0)).append(part.substring(1).toLowerCase(Locale.ROOT));
            }
        }
        return b.toString();
    }

    /**
     * The element's {@code Days/Hours/Minutes/Seconds} attributes summed in seconds, each bad
     * value reported on {@code r}.
     */
    static Seconds durationSeconds(ElementReader r) {
        boolean any = false;
        boolean invalid = false;
        long seconds = 0;
        for (int i = 0; i < UNITS.length; i++) {
            Optional<String> v = r.optString(UNITS[i]);
            if (v.isPresent()) {
                any = true;
                long n;
                try {
                    n = Long.parseLong(v.get().trim());
                } catch (NumberFormatException e) {
                    n = -1;
                }
                if (n < 0 || n > 1_000_000) {
                    r.bad(UNITS[i], v.get(), "a whole number from 0 to 1000000");
                    invalid = true;
                } else {
                    seconds += FACTOR[i] * n;
                }
            }
        }
        return new Seconds(seconds, any, invalid);
    }
}
