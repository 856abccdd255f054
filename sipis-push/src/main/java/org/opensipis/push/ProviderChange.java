package org.opensipis.push;

import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.opensipis.core.settings.PushRoute;

/**
 * A prepared change of the push providers, made by {@link PushDispatcher#prepare}: every new or
 * changed NotificationServers entry already has its new provider (its credential files were
 * read and accepted); unchanged entries whose credential files did not change keep their
 * provider. {@link PushDispatcher#apply} swaps it in; {@link #discard()} throws it away.
 * {@link #changes()} says what changed by setting name, never by value (no secret in logs).
 */
public final class ProviderChange {

    final List<Lane> base;
    final List<Lane> next;
    final List<Lane> built;
    final List<Lane> retired;
    private final List<String> changes;

    private ProviderChange(List<Lane> base, List<Lane> next, List<Lane> built, List<Lane> retired,
                           List<String> changes) {
        this.base = base;
        this.next = List.copyOf(next);
        this.built = List.copyOf(built);
        this.retired = List.copyOf(retired);
        this.changes = List.copyOf(changes);
    }

    /** Builds what differs; on a broken entry closes what it built and throws {@link PushConfigException}. */
    static ProviderChange build(List<Lane> base, List<PushRoute> routes, ProviderFactory factory,
                                Supplier<CircuitBreaker> breakers) {
        List<Lane> next = new ArrayList<>();
        List<Lane> built = new ArrayList<>();
        List<String> changes = new ArrayList<>();
        try {
            for (int i = 0; i < routes.size(); i++) {
                PushRoute route = routes.get(i);
                CredentialFiles.Fingerprint fp = CredentialFiles.fingerprint(route);
                Lane old = i < base.size() ? base.get(i) : null;
                if (old != null && old.route.equals(route) && old.fingerprint.equals(fp)) {
                    next.add(old);
                    continue;
                }
                PushProvider provider;
                try {
                    provider = Objects.requireNonNull(factory.create(route), "provider");
                } catch (PushConfigException e) {
                    throw new PushConfigException("NotificationServers entry " + (i + 1) + ": " + e.getMessage(), e);
                } catch (RuntimeException e) {
                    throw new PushConfigException("NotificationServers entry " + (i + 1) + " "
                            + Lane.describe(route) + ": " + e, e);
                }
                Lane lane = new Lane(route, provider, breakers.get(), fp);
                built.add(lane);
                next.add(lane);
                changes.add("entry " + (i + 1) + " " + Lane.describe(route) + ": " + whatChanged(old, lane)
                        + "; new client");
            }
        } catch (RuntimeException e) {
            built.forEach(Lane::closeOnce);
            throw e;
        }
        List<Lane> retired = base.stream().filter(l -> !next.contains(l)).toList();
        for (int i = routes.size(); i < base.size(); i++) {
            changes.add("entry " + (i + 1) + " " + base.get(i).describe() + ": removed");
        }
        return new ProviderChange(base, next, built, retired, changes);
    }

    private static String whatChanged(Lane old, Lane now) {
        if (old == null) {
            return "added";
        }
        if (old.route.getClass() != now.route.getClass()) {
            return "replaced " + old.describe();
        }
        List<String> names = new ArrayList<>();
        for (RecordComponent c : old.route.getClass().getRecordComponents()) {
            if (!Objects.equals(value(c, old.route), value(c, now.route))) {
                names.add(settingName(c.getName()));
            }
        }
        String settings = names.isEmpty() ? "" : String.join(", ", names) + " changed";
        String files = CredentialFiles.changed(old.fingerprint, now.fingerprint)
                .filter(s -> !names.contains(s))
                .collect(Collectors.joining(", "));
        if (!files.isEmpty()) {
            settings = (settings.isEmpty() ? "" : settings + "; ") + "contents of " + files + " changed";
        }
        return settings.isEmpty() ? "re-read" : settings;
    }

    private static Object value(RecordComponent c, PushRoute r) {
        try {
            return c.getAccessor().invoke(r);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code keyFile} → {@code KeyFile}, {@code appIdPrefix} → {@code AppId}, {@code production} → {@code Environment}. */
    private static String settingName(String component) {
        switch (component) {
            case "appIdPrefix":
                return "AppId";
            case "production":
                return "Environment";
            case "url":
                return "Url";
            default:
                return Character.toUpperCase(component.charAt(0)) + component.substring(1);
        }
    }

    /** What this change does, one line per entry (setting names, never values); empty = nothing. */
    public List<String> changes() {
        return changes;
    }

    public boolean isEmpty() {
        return built.isEmpty() && retired.isEmpty();
    }

    /** Closes the providers this change built (when it is not applied). */
    public void discard() {
        built.forEach(Lane::closeOnce);
    }

    @Override
    public String toString() {
        return changes.isEmpty() ? "no change" : String.join("; ", changes);
    }
}
