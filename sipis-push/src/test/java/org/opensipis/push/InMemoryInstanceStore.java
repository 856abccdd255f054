package org.opensipis.push;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.opensipis.core.instance.DeviceToken;
import org.opensipis.core.instance.InstanceRecord;
import org.opensipis.core.instance.InstanceStore;
import org.opensipis.core.instance.SipAccount;
import org.opensipis.core.settings.Secret;

/** A hand-written, thread-safe fake of the store port. */
public final class InMemoryInstanceStore implements InstanceStore {

    private final Map<String, InstanceRecord> records = new ConcurrentHashMap<>();
    public final List<String> removedTokens = new CopyOnWriteArrayList<>();
    public final List<String> deleted = new CopyOnWriteArrayList<>();

    public static InstanceRecord record(String selector, String appId, Instant lastContact, DeviceToken... tokens) {
        SipAccount account = new SipAccount("alice", "alice", Secret.of("pw"), "example.org", Optional.empty(), 5060,
                SipAccount.Transport.UDP, "Alice", Optional.empty());
        return new InstanceRecord(selector, appId, false, account, Secret.of("app"), List.of(tokens), lastContact, false);
    }

    public void put(InstanceRecord r) {
        records.put(r.selector(), r);
    }

    public Optional<InstanceRecord> get(String selector) {
        return Optional.ofNullable(records.get(selector));
    }

    @Override
    public CompletableFuture<Void> saveRegistration(InstanceRecord record) {
        put(record);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Optional<InstanceRecord>> find(String selector) {
        return CompletableFuture.completedFuture(get(selector));
    }

    @Override
    public CompletableFuture<Boolean> delete(String selector) {
        deleted.add(selector);
        return CompletableFuture.completedFuture(records.remove(selector) != null);
    }

    @Override
    public CompletableFuture<Boolean> removeToken(String selector, String token) {
        removedTokens.add(token);
        boolean[] removed = {false};
        records.computeIfPresent(selector, (s, r) -> {
            List<DeviceToken> kept = new ArrayList<>();
            for (DeviceToken t : r.tokens()) {
                if (t.token().equals(token)) {
                    removed[0] = true;
                } else {
                    kept.add(t);
                }
            }
            return new InstanceRecord(r.selector(), r.appId(), r.premium(), r.account(), r.appSecret(), kept,
                    r.lastAppContact(), r.appForeground());
        });
        return CompletableFuture.completedFuture(removed[0]);
    }
}
