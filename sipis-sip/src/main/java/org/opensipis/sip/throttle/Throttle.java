package org.opensipis.sip.throttle;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.opensipis.sip.owner.Owner;

/**
 * Paces every REGISTER that leaves the process: one token bucket for the process, one per
 * registrar host, and a cap on transactions in flight. Callers {@link #submit} a permit request;
 * when a token of both buckets and an in-flight slot are free, the grant runs (on the throttle's
 * owner; the grant then hops to the instance's owner). Each granted permit must be
 * {@link #release}d exactly once when its transaction ends. Requests of one host are served in
 * order; hosts are served round-robin so that one slow registrar does not starve the others.
 *
 * <p>All state lives on the throttle's {@link Owner}; {@code submit} and {@code release} may be
 * called from any thread. Bucket capacity is 4 ms of the rate (at least 2 tokens), so in any
 * one-second window at most {@code rate * 1.004 + 2} permits are granted, leaving the rest of a
 * registrar's 5 % tolerance to scheduling jitter between our send and its count. A registrar that
 * does not answer gets a tenth of its rate until it answers again, then ramps back to the full
 * rate over two seconds ({@link #hostFailing}, {@link #hostRecovered}).
 */
public final class Throttle {

    private static final long RATE_WINDOW_MILLIS = 10_000;
    /** The share of a registrar's rate it gets while it does not answer: enough to notice its return. */
    static final double PROBE_SHARE = 0.1;
    /** How long a registrar that answers again takes to get back from the probe share to its full rate. */
    static final long RAMP_MILLIS = 2_000;

    private final Owner owner;
    private final Clock clock;
    private final Bucket global;
    private final double perHostRate;
    private final int maxInFlight;
    private final Map<String, Host> hosts = new HashMap<>();
    private final List<Host> ring = new ArrayList<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicInteger inFlight = new AtomicInteger();
    private int next;
    private Owner.Cancellable wakeUp;
    private long wakeUpAt = Long.MAX_VALUE;

    public Throttle(Owner owner, Clock clock, double globalRate, double perHostRate, int maxInFlight) {
        if (globalRate <= 0 || perHostRate <= 0 || maxInFlight < 1) {
            throw new IllegalArgumentException("Registration throttle needs positive rates and maxInFlight, got "
                    + globalRate + "/s, " + perHostRate + "/s per registrar, " + maxInFlight + " in flight");
        }
        this.owner = owner;
        this.clock = clock;
        this.global = new Bucket(globalRate, clock.millis());
        this.perHostRate = perHostRate;
        this.maxInFlight = maxInFlight;
    }

    /** Asks for a permit towards {@code host}; {@code grant} runs once it is given. */
    public void submit(String host, Runnable grant) {
        submit(host, Long.MIN_VALUE, grant);
    }

    /**
     * Asks for a permit towards {@code host} for a registration whose binding lapses at
     * {@code deadline} (epoch milliseconds; {@link Long#MIN_VALUE} for none, i.e. due now):
     * waiting registrations are granted earliest deadline first, in submission order among equal
     * deadlines. After a restart that found its bindings near their end, those expiring soonest
     * go first, so the throttle's backlog does not let them lapse while later ones are renewed.
     */
    public void submit(String host, long deadline, Runnable grant) {
        enqueue(host, new Waiter(grant, true, null, deadline), false);
    }

    /**
     * Asks for a permit ahead of the queue, for the continuation of a registration already let
     * through (the answer to a challenge, a 423 retry), so that it does not wait behind a flood.
     */
    public void submitUrgent(String host, Runnable grant) {
        enqueue(host, new Waiter(grant, true, null, Long.MIN_VALUE), true);
    }

    /**
     * Paces a packet that belongs to a transaction already in flight (a UDP retransmission): it
     * takes tokens from both buckets, ahead of the queue, but no in-flight slot and no release.
     */
    public void pace(String host, java.util.function.BooleanSupplier wanted, Runnable send) {
        enqueue(host, new Waiter(send, false, wanted, Long.MIN_VALUE), true);
    }

    private void enqueue(String host, Waiter w, boolean first) {
        queued.incrementAndGet();
        owner.execute(() -> {
            Host h = host(host);
            if (first) {
                h.waiting.addFirst(w);
            } else {
                w.seq = h.submitted++;
                h.waiting.add(w);
            }
            pump();
        });
    }

    /**
     * The registrar at {@code host} stopped answering: until {@link #hostRecovered}, REGISTERs and
     * retransmissions towards it get {@link #PROBE_SHARE} of its rate. Sending at full rate into an
     * outage only times out, and a registrar that is starting (or overloaded) would get the whole
     * backlog at once: it queues in its socket while it loads and arrives as one burst.
     */
    public void hostFailing(String host) {
        owner.execute(() -> host(host).failing = true);
    }

    /** The registrar at {@code host} answers again: its rate ramps back to the full rate over {@link #RAMP_MILLIS}. */
    public void hostRecovered(String host) {
        owner.execute(() -> {
            Host h = hosts.get(host);
            if (h != null && h.failing) {
                h.bucket.refill(clock.millis(), h.share(clock.millis()));
                h.failing = false;
                h.rampFrom = clock.millis();
                pump();
            }
        });
    }

    /** Gives back the in-flight slot of a granted permit. */
    public void release() {
        inFlight.decrementAndGet();
        if (queued.get() > 0) {
            owner.execute(this::pump); // nobody waiting: no hop (a later submit pumps anyway)
        }
    }

    private Host host(String host) {
        Host h = hosts.get(host);
        if (h == null) {
            h = new Host(host, new Bucket(perHostRate, clock.millis()));
            hosts.put(host, h);
            ring.add(h);
        }
        return h;
    }

    /** Requests waiting for a permit. */
    public int queueDepth() {
        return queued.get();
    }

    /**
     * What waits for each registrar address and how fast it was served lately (for the control
     * API). Computed on the throttle's owner; the future completes there.
     */
    public java.util.concurrent.CompletableFuture<List<HostLoad>> hosts() {
        java.util.concurrent.CompletableFuture<List<HostLoad>> out = new java.util.concurrent.CompletableFuture<>();
        owner.execute(() -> {
            long now = clock.millis();
            List<HostLoad> list = new ArrayList<>(ring.size());
            for (Host h : ring) {
                list.add(new HostLoad(h.name, h.waiting.size(), h.granted, h.rate(now)));
            }
            out.complete(List.copyOf(list));
        });
        return out;
    }

    /**
     * One registrar address as the throttle sees it.
     *
     * @param address          the registrar's IP address (after DNS)
     * @param queued           REGISTERs and retransmissions waiting for its bucket
     * @param granted          permits granted towards it since it was first seen (or last idle)
     * @param grantedPerSecond permits per second over the last window of about 10 s
     */
    public record HostLoad(String address, int queued, long granted, double grantedPerSecond) {
    }

    /** Granted permits not yet released. */
    public int inFlight() {
        return inFlight.get();
    }

    private void pump() {
        long now = clock.millis();
        global.refill(now);
        long earliest = Long.MAX_VALUE;
        while (global.tokens >= 1 && !ring.isEmpty()) {
            boolean slotFree = inFlight.get() < maxInFlight;
            Host chosen = null;
            for (int i = 0; i < ring.size(); i++) {
                Host h = ring.get((next + i) % ring.size());
                dropUnwanted(h);
                if (h.waiting.isEmpty() || (!slotFree && h.waiting.peekFirst().slot)) {
                    continue;
                }
                h.bucket.refill(now, h.share(now));
                if (h.bucket.tokens >= 1) {
                    chosen = h;
                    next = (next + i + 1) % ring.size();
                    break;
                }
                earliest = Math.min(earliest, h.bucket.tokensAt(h.waiting.size(), now, h.share(now)));
            }
            if (chosen == null) {
                break;
            }
            earliest = Long.MAX_VALUE;
            chosen.bucket.tokens -= 1;
            global.tokens -= 1;
            chosen.count(now);
            Waiter w = chosen.waiting.pollFirst();
            queued.decrementAndGet();
            if (w.slot) {
                inFlight.incrementAndGet();
            }
            w.grant.run();
        }
        dropIdleHosts();
        if (queued.get() > 0) {
            if (global.tokens < 1) {
                earliest = Math.max(earliest == Long.MAX_VALUE ? 0 : earliest, global.tokensAt(queued.get(), now, 1));
            }
            if (earliest != Long.MAX_VALUE) {
                wakeAt(earliest, now);
            }
        }
    }

    /** Paced packets whose transaction ended meanwhile take no tokens. */
    private void dropUnwanted(Host h) {
        for (Waiter w = h.waiting.peekFirst(); w != null && w.wanted != null && !w.wanted.getAsBoolean();
                w = h.waiting.peekFirst()) {
            h.waiting.pollFirst();
            queued.decrementAndGet();
        }
    }

    private void dropIdleHosts() {
        if (ring.size() > 64) {
            ring.removeIf(h -> h.waiting.isEmpty() && !h.failing && h.bucket.tokens >= h.bucket.capacity
                    && hosts.remove(h.name) != null);
            next = 0;
        }
    }

    private void wakeAt(long at, long now) {
        if (wakeUp != null && wakeUpAt <= at) {
            return;
        }
        if (wakeUp != null) {
            wakeUp.cancel();
        }
        wakeUpAt = at;
        wakeUp = owner.schedule(() -> {
            wakeUp = null;
            wakeUpAt = Long.MAX_VALUE;
            pump();
        }, Math.max(1, at - now));
    }

    private static final class Host {
        final String name;
        final Bucket bucket;
        final Waiting waiting = new Waiting();
        long submitted;
        long granted;
        /** Not answering: {@link #PROBE_SHARE} of the rate. */
        boolean failing;
        /** When it answered again (ramping up), or -1. */
        long rampFrom = -1;
        long windowStart;
        int windowCount;
        double lastRate;

        Host(String name, Bucket bucket) {
            this.name = name;
            this.bucket = bucket;
            this.windowStart = bucket.last;
        }

        /** The share of the registrar's rate it gets now. */
        double share(long now) {
            if (failing) {
                return PROBE_SHARE;
            }
            if (rampFrom < 0) {
                return 1;
            }
            long ramped = now - rampFrom;
            if (ramped >= RAMP_MILLIS || ramped < 0) {
                rampFrom = -1;
                return 1;
            }
            return PROBE_SHARE + (1 - PROBE_SHARE) * ramped / RAMP_MILLIS;
        }

        void count(long now) {
            granted++;
            roll(now);
            windowCount++;
        }

        private void roll(long now) {
            if (now - windowStart >= RATE_WINDOW_MILLIS) {
                lastRate = windowCount * 1000.0 / (now - windowStart);
                windowStart = now;
                windowCount = 0;
            }
        }

        double rate(long now) {
            roll(now);
            return lastRate;
        }
    }

    static final class Bucket {
        final double ratePerMilli;
        final double capacity;
        double tokens;
        long last;

        Bucket(double ratePerSecond, long now) {
            this.ratePerMilli = ratePerSecond / 1000.0;
            this.capacity = Math.max(2.0, Math.floor(ratePerSecond / 250.0));
            this.tokens = capacity;
            this.last = now;
        }

        void refill(long now) {
            refill(now, 1);
        }

        /** Refills at {@code share} of the rate (a registrar that does not answer, or ramps up again). */
        void refill(long now, double share) {
            if (now > last) {
                tokens = Math.min(capacity, tokens + (now - last) * ratePerMilli * share);
                last = now;
            } else if (now < last) {
                // the wall clock was stepped back: count from the new time instead of waiting for the
                // old one to come round again (an hour's step would stop every REGISTER for an hour)
                last = now;
            }
        }

        /**
         * When the bucket holds enough tokens for {@code waiting} permits, at most one less than a
         * full bucket (waking when it would overflow would lose the refill rounded past it): the
         * throttle wakes then and grants them together. Waking for each token instead costs a
         * wake-up per REGISTER, most of what a refresh costs the process; the rate and the burst
         * (the capacity) stay the same.
         */
        long tokensAt(int waiting, long now, double share) {
            double want = Math.max(1, Math.min(capacity - 1, waiting));
            return now + (long) Math.ceil((want - tokens) / (ratePerMilli * share));
        }
    }
}
