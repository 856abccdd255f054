package org.opensipis.core.settings;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.opensipis.core.xml.ElementReader;

/**
 * Reads {@code <IncomingTextMessage><Filter><Entry Action Enabled>}. The condition is a
 * {@code <Header Name>} with one of {@code Equal}, {@code Contains} or {@code UintGt}, given
 * either as an attribute of Header or as a child element with a {@code Value} attribute (or
 * text). Without an {@code IncomingTextMessage} element, the shipped defaults apply.
 */
final class TextMessageFilterReader {

    /** Acrobits' shipped defaults. */
    static final List<TextMessageFilter> DEFAULTS = List.of(
            new TextMessageFilter(TextMessageFilter.Action.ACCEPT_AND_DROP, true, "Content-Type",
                    TextMessageFilter.Condition.EQUAL, "application/im-iscomposing+xml", Optional.empty()),
            new TextMessageFilter(TextMessageFilter.Action.ACCEPT_AND_DO_NOT_PUSH, true, "Content-Type",
                    TextMessageFilter.Condition.CONTAINS, ";imdn", Optional.empty()),
            new TextMessageFilter(TextMessageFilter.Action.REJECT, true, "Content-Length",
                    TextMessageFilter.Condition.UINT_GT, "4194304",
                    Optional.of(new RejectWith(413, "Request Entity Too Large"))));

    private TextMessageFilterReader() {
    }

    static List<TextMessageFilter> read(ElementReader itm) {
        if (!itm.present()) {
            return DEFAULTS;
        }
        List<TextMessageFilter> out = new ArrayList<>();
        for (ElementReader entry : itm.child("Filter").children("Entry")) {
            TextMessageFilter.Action action = entry.choice("Action", null, TextMessageFilter.Action.class);
            if (action == null) {
                if (entry.optString("Action").isEmpty()) {
                    entry.error("an <Entry> needs Action (AcceptAndDrop, AcceptAndDoNotPush or Reject)");
                }
                continue;
            }
            boolean enabled = entry.yesNo("Enabled", true);
            ElementReader header = entry.child("Header");
            String name = header.required("Name");
            TextMessageFilter.Condition condition = null;
            String value = null;
            for (TextMessageFilter.Condition c : TextMessageFilter.Condition.values()) {
                String n = org.opensipis.core.xml.EnumNames.display(c.name()).replace("UintGt", "UintGt");
                Optional<String> attr = header.optString(n);
                ElementReader child = header.child(n);
                Optional<String> v = attr.isPresent() ? attr
                        : child.present() ? Optional.of(child.optString("Value").orElse(child.text())) : Optional.empty();
                if (v.isPresent()) {
                    if (condition != null) {
                        header.error("has more than one condition; use one of Equal, Contains, UintGt");
                    }
                    condition = c;
                    value = v.get();
                }
            }
            if (condition == null) {
                header.error("needs a condition: one of Equal, Contains, UintGt");
                continue;
            }
            if (condition == TextMessageFilter.Condition.UINT_GT && !value.trim().matches("\\d{1,18}")) {
                header.error("UintGt needs a whole number, was \"" + value + "\"");
                continue;
            }
            Optional<RejectWith> reject = Optional.empty();
            ElementReader rw = entry.child("RejectWith");
            if (action == TextMessageFilter.Action.REJECT) {
                reject = Optional.of(SettingsLoader.rejectWith(rw, new RejectWith(403, "Forbidden")));
            } else if (rw.present()) {
                rw.warning("RejectWith is only used by Action=\"Reject\"");
            }
            out.add(new TextMessageFilter(action, enabled, name, condition, value, reject));
        }
        return out;
    }
}
