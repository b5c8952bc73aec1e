package io.github.pgengine.internal.tx;

import io.github.pgengine.internal.ErrorMapper;
import io.github.pgengine.internal.driver.EngineThreads;
import io.github.pgengine.internal.driver.Result;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A demand-driven {@link Flow.Publisher} over a server-side cursor: each subscription opens its own cursor,
 * fetches a batch only when the subscriber has requested rows that are not yet buffered, and closes the
 * cursor when the rows run out, on error and on cancel. A subscriber whose {@code onNext} throws (which
 * Reactive Streams rule 2.13 forbids, but real code does) has its subscription cancelled: the cursor closes, the
 * connection goes back, and the error is logged at WARN.
 *
 * @param <T> the element type
 */
public final class CursorPublisher<T> implements Flow.Publisher<T> {
    private static final Logger LOG = LoggerFactory.getLogger(CursorPublisher.class);
    private final Supplier<CompletableFuture<Cursor>> open;
    private final Function<Result, List<T>> mapper;

    /**
     * @param open opens a fresh cursor per subscription
     * @param mapper turns a fetched batch into elements
     */
    public CursorPublisher(Supplier<CompletableFuture<Cursor>> open, Function<Result, List<T>> mapper) {
        this.open = open;
        this.mapper = mapper;
    }

    @Override
    public void subscribe(Flow.Subscriber<? super T> subscriber) {
        Objects.requireNonNull(subscriber, "subscriber");
        Subscription<T> s = new Subscription<>(subscriber, mapper);
        try {
            subscriber.onSubscribe(s);
        } catch (RuntimeException e) {
            LOG.warn(
                    "a stream subscriber's onSubscribe threw; the subscription is cancelled (Reactive Streams rule "
                            + "2.13)",
                    e);
            return;
        }
        s.start(open);
    }

    private static final class Subscription<T> implements Flow.Subscription {
        private final Flow.Subscriber<? super T> subscriber;
        private final Function<Result, List<T>> mapper;
        private final AtomicInteger wip = new AtomicInteger();
        private final ArrayDeque<T> buffer = new ArrayDeque<>();
        private volatile @Nullable Cursor cursor;
        private volatile long demand;
        private volatile boolean fetching = true; // until the cursor is open
        private volatile boolean exhausted;
        private volatile boolean cancelled;
        private volatile boolean terminated;
        private volatile @Nullable Throwable error;

        Subscription(Flow.Subscriber<? super T> subscriber, Function<Result, List<T>> mapper) {
            this.subscriber = subscriber;
            this.mapper = mapper;
        }

        void start(Supplier<CompletableFuture<Cursor>> open) {
            CompletableFuture<Cursor> opening;
            try {
                opening = open.get();
            } catch (RuntimeException e) {
                opening = CompletableFuture.failedFuture(e);
            }
            opening.whenComplete((c, e) -> {
                if (e != null) {
                    error = ErrorMapper.unwrap(e);
                } else {
                    cursor = c;
                    if (cancelled) {
                        c.close();
                    }
                }
                fetching = false;
                drain();
            });
        }

        @Override
        public void request(long n) {
            if (n <= 0) {
                error = new IllegalArgumentException(
                        "request(" + n + "): Reactive Streams rule 3.9 requires a positive " + "number of rows");
                cancelled = true;
                closeCursor();
            } else {
                synchronized (this) {
                    long d = demand + n;
                    demand = d < 0 ? Long.MAX_VALUE : d;
                }
            }
            drain();
        }

        @Override
        public void cancel() {
            cancelled = true;
            closeCursor();
            drain();
        }

        private void closeCursor() {
            Cursor c = cursor;
            if (c != null) {
                c.close();
            }
        }

        /** Calls the subscriber; a subscriber that throws breaks rule 2.13, and its subscription ends here. */
        private boolean signal(Runnable call, String what) {
            try {
                call.run();
                return true;
            } catch (RuntimeException e) {
                LOG.warn(
                        "a stream subscriber's {} threw; the stream was cancelled, its cursor closed and its connection "
                                + "given back (Reactive Streams rule 2.13 forbids throwing from {})",
                        what,
                        what,
                        e);
                return false;
            }
        }

        /** Delivers what it can, serialised: only one thread runs the loop at a time. */
        private void drain() {
            if (wip.getAndIncrement() != 0) {
                return;
            }
            int missed = 1;
            while (true) {
                if (!terminated) {
                    step();
                }
                missed = wip.addAndGet(-missed);
                if (missed == 0) {
                    return;
                }
            }
        }

        private void step() {
            Throwable e = error;
            if (e != null) {
                terminated = true;
                buffer.clear();
                closeCursor();
                signal(() -> subscriber.onError(ErrorMapper.map(e, "the cursor's connection")), "onError");
                return;
            }
            if (cancelled) {
                terminated = true;
                buffer.clear();
                return;
            }
            while (demand > 0 && !buffer.isEmpty()) {
                T next = buffer.poll();
                synchronized (this) {
                    if (demand != Long.MAX_VALUE) {
                        demand--;
                    }
                }
                if (!signal(() -> subscriber.onNext(next), "onNext")) {
                    cancelled = true;
                    terminated = true;
                    buffer.clear();
                    closeCursor();
                    return;
                }
                if (cancelled) {
                    terminated = true;
                    buffer.clear();
                    return;
                }
            }
            if (buffer.isEmpty() && exhausted) {
                terminated = true;
                signal(subscriber::onComplete, "onComplete");
                return;
            }
            Cursor c = cursor;
            if (demand > 0 && buffer.isEmpty() && !fetching && c != null) {
                fetching = true;
                c.fetch()
                        .whenComplete((result, fetchError) -> EngineThreads.offEngineThreads(() -> {
                            if (fetchError != null) {
                                error = ErrorMapper.unwrap(fetchError);
                            } else {
                                List<T> rows;
                                try {
                                    rows = mapper.apply(result);
                                } catch (RuntimeException ex) {
                                    error = ex;
                                    rows = List.of();
                                }
                                if (rows.isEmpty()) {
                                    exhausted = true;
                                }
                                synchronized (this) {
                                    buffer.addAll(rows);
                                }
                            }
                            fetching = false;
                            drain();
                        }));
            }
        }
    }
}
