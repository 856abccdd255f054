package org.opensipis.http.register;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** What a {@code /sipis/*} request does; chosen by path or by the body's {@code action} field. */
enum Action {
    REGISTER("register"), UNREGISTER("unregister"), REFRESH("refresh"), TOKENS("tokens");

    private final String word;

    Action(String word) {
        this.word = word;
    }

    String word() {
        return word;
    }

    static Optional<Action> parse(String s) {
        return Arrays.stream(values()).filter(a -> a.word.equalsIgnoreCase(s.trim())).findFirst();
    }

    static List<String> names() {
        return Arrays.stream(values()).map(Action::word).toList();
    }
}
