package org.opensipis.sip.call;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.opensipis.core.push.PushOutcome;
import org.opensipis.core.push.PushRequest;
import org.opensipis.core.push.PushService;
import org.opensipis.core.push.Verb;

/** A PushService whose outcomes the test completes by hand (or at once, when auto-accepting). */
final class FakePush implements PushService {

    record Sent(PushRequest request, CompletableFuture<PushOutcome> outcome) {
    }

    final List<Sent> sent = new CopyOnWriteArrayList<>();
    volatile boolean autoAccept;

    @Override
    public CompletableFuture<PushOutcome> push(PushRequest request) {
        CompletableFuture<PushOutcome> f = new CompletableFuture<>();
        sent.add(new Sent(request, f));
        if (autoAccept) {
            f.complete(new PushOutcome.Accepted("id"));
        }
        return f;
    }

    List<Sent> of(Verb verb) {
        return sent.stream().filter(s -> s.request().verb() == verb).toList();
    }
}
