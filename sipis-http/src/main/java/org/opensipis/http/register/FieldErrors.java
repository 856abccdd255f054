package org.opensipis.http.register;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.opensipis.http.route.HttpReply;

/**
 * Collects field-level problems while reading a JSON body, and typed getters that record a
 * problem instead of throwing, so one 400 lists every wrong field at once.
 */
final class FieldErrors {

    private static final int MAX_ERRORS = 50;

    private final List<String[]> errors = new ArrayList<>();

    void add(String field, String message) {
        if (errors.size() < MAX_ERRORS) {
            errors.add(new String[] {field, message});
        }
    }

    boolean isEmpty() {
        return errors.isEmpty();
    }

    List<String> fields() {
        List<String> out = new ArrayList<>();
        errors.forEach(e -> out.add(e[0]));
        return out;
    }

    HttpReply toReply() {
        ObjectNode n = HttpReply.mapper().createObjectNode();
        n.put("status", 400);
        n.put("error", "the registration has " + errors.size() + " invalid field(s)");
        ArrayNode a = n.putArray("fields");
        for (String[] e : errors) {
            a.addObject().put("field", e[0]).put("message", e[1]);
        }
        return HttpReply.json(400, n);
    }

    /** Reports fields of {@code obj} not in {@code known} (catches typos such as "selecter"). */
    void unknown(JsonNode obj, String path, Set<String> known) {
        for (Iterator<String> it = obj.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!known.contains(f)) {
                add(path + f, "unknown field; expected one of " + new java.util.TreeSet<>(known));
            }
        }
    }

    /** A string field; empty if absent or null; records an error if present but not a string. */
    Optional<String> string(JsonNode obj, String name, String path, int maxLength) {
        JsonNode v = obj.get(name);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isTextual()) {
            add(path + name, "must be a string");
            return Optional.empty();
        }
        String s = v.asText();
        if (s.length() > maxLength) {
            add(path + name, "is " + s.length() + " characters long; at most " + maxLength + " are allowed");
            return Optional.empty();
        }
        for (int i = 0; i < s.length(); i++) {
            if (Character.isISOControl(s.charAt(i))) {
                add(path + name, "contains a control character at position " + i);
                return Optional.empty();
            }
        }
        return Optional.of(s);
    }

    /** A required, non-empty string field. */
    Optional<String> required(JsonNode obj, String name, String path, int maxLength) {
        if (obj.get(name) == null || obj.get(name).isNull()) {
            add(path + name, "is required");
            return Optional.empty();
        }
        Optional<String> s = string(obj, name, path, maxLength);
        if (s.isPresent() && s.get().isBlank()) {
            add(path + name, "must not be empty");
            return Optional.empty();
        }
        return s;
    }

    boolean bool(JsonNode obj, String name, String path, boolean dflt) {
        JsonNode v = obj.get(name);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isBoolean()) {
            add(path + name, "must be true or false");
            return dflt;
        }
        return v.booleanValue();
    }

    /** An integer field within [min, max]; {@code dflt} if absent. */
    long integer(JsonNode obj, String name, String path, long dflt, long min, long max) {
        JsonNode v = obj.get(name);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < min || v.longValue() > max) {
            add(path + name, "must be a whole number from " + min + " to " + max);
            return dflt;
        }
        return v.longValue();
    }

    /** A token-like string: no whitespace at all. */
    Optional<String> noSpaces(Optional<String> s, String field) {
        if (s.isPresent() && s.get().chars().anyMatch(Character::isWhitespace)) {
            add(field, "must not contain spaces");
            return Optional.empty();
        }
        return s;
    }
}
