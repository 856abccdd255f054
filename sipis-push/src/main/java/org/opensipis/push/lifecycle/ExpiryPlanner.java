package org.opensipis.push.lifecycle;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.opensipis.core.settings.InstanceSettings;

/**
 * The timeline of one instance, as a pure function of its {@link LifecycleView}:
 * <ul>
 * <li>expiry {@code E = lastAppContact + MaxAge} ({@code PremiumMaxAge} when premium);</li>
 * <li>silent renewal pushes at {@code E - AboutToExpireIn/Silent + k * AboutToExpirePeriod/Silent}
 * before {@code E} (defaults: every hour during the last 24 h);</li>
 * <li>intrusive warnings at {@code E - AboutToExpireIn/Intrusive + k * AboutToExpirePeriod/Intrusive}
 * before {@code E} (defaults: 12 h and 1 h before);</li>
 * <li>{@link PlannedAction.Kind#OFF} at {@code E};</li>
 * <li>if SIPIS is not registered, {@link PlannedAction.Kind#OFF_NOT_REGISTERED} at
 * {@code notRegisteredSince + NotRegisteredMaxAge} when that comes first; warnings after it
 * are dropped.</li>
 * </ul>
 * Only steps after {@code lastAppContact} exist: every contact restarts the timeline.
 */
public final class ExpiryPlanner {

    private static final Comparator<PlannedAction> ORDER = Comparator.comparing(PlannedAction::at)
            .thenComparing(PlannedAction::kind);

    private final Duration maxAge;
    private final Duration premiumMaxAge;
    private final Duration notRegisteredMaxAge;
    private final Duration silentIn;
    private final Duration silentPeriod;
    private final Duration intrusiveIn;
    private final Duration intrusivePeriod;

    public ExpiryPlanner(InstanceSettings s) {
        Objects.requireNonNull(s, "settings");
        this.maxAge = s.maxAge();
        this.premiumMaxAge = s.premiumMaxAge();
        this.notRegisteredMaxAge = s.notRegisteredMaxAge();
        this.silentIn = s.silentIn();
        this.silentPeriod = positive(s.silentPeriod(), "Instance/AboutToExpirePeriod/Silent");
        this.intrusiveIn = s.intrusiveIn();
        this.intrusivePeriod = positive(s.intrusivePeriod(), "Instance/AboutToExpirePeriod/Intrusive");
    }

    private static Duration positive(Duration d, String name) {
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, not " + d);
        }
        return d;
    }

    /** When the instance expires by age (ignoring the not-registered limit). */
    public Instant ageExpiry(LifecycleView v) {
        return v.lastAppContact().plus(v.premium() ? premiumMaxAge : maxAge);
    }

    /** The whole timeline, in order. */
    public List<PlannedAction> timeline(LifecycleView v) {
        Instant expiry = ageExpiry(v);
        Optional<Instant> notRegisteredOff = v.notRegisteredSince().map(s -> s.plus(notRegisteredMaxAge))
                .filter(t -> t.isBefore(expiry));
        Instant end = notRegisteredOff.orElse(expiry);
        List<PlannedAction> out = new ArrayList<>();
        addRepeats(out, v, expiry, end, silentIn, silentPeriod, PlannedAction.Kind.SILENT_WARNING);
        addRepeats(out, v, expiry, end, intrusiveIn, intrusivePeriod, PlannedAction.Kind.INTRUSIVE_WARNING);
        out.add(notRegisteredOff.isPresent()
                ? new PlannedAction(end, PlannedAction.Kind.OFF_NOT_REGISTERED, end)
                : new PlannedAction(expiry, PlannedAction.Kind.OFF, expiry));
        out.sort(ORDER);
        return out;
    }

    private static void addRepeats(List<PlannedAction> out, LifecycleView v, Instant expiry, Instant end,
                                   Duration in, Duration period, PlannedAction.Kind kind) {
        Instant t = expiry.minus(in);
        for (int i = 0; t.isBefore(end) && i < 100_000; i++, t = t.plus(period)) {
            if (t.isAfter(v.lastAppContact())) {
                out.add(new PlannedAction(t, kind, expiry));
            }
        }
    }

    /** The first step strictly after {@code after}; empty only if none is left. */
    public Optional<PlannedAction> next(LifecycleView v, Instant after) {
        return timeline(v).stream().filter(a -> a.at().isAfter(after)).findFirst();
    }

    /**
     * What to do now for the steps due in {@code (after, now]}. When several are due (the
     * process was down or busy), an Off step wins alone; otherwise only the latest silent and
     * the latest intrusive step run, so a late process does not flood the device.
     */
    public List<PlannedAction> due(LifecycleView v, Instant after, Instant now) {
        List<PlannedAction> due = timeline(v).stream()
                .filter(a -> a.at().isAfter(after) && !a.at().isAfter(now)).toList();
        Optional<PlannedAction> off = due.stream().filter(a -> a.kind().isOff()).findFirst();
        if (off.isPresent()) {
            return List.of(off.get());
        }
        List<PlannedAction> out = new ArrayList<>();
        latest(due, PlannedAction.Kind.SILENT_WARNING).ifPresent(out::add);
        latest(due, PlannedAction.Kind.INTRUSIVE_WARNING).ifPresent(out::add);
        out.sort(ORDER);
        return out;
    }

    private static Optional<PlannedAction> latest(List<PlannedAction> due, PlannedAction.Kind kind) {
        return due.stream().filter(a -> a.kind() == kind).reduce((a, b) -> b);
    }
}
