package io.github.pgengine.internal.tx;

import static io.github.pgengine.internal.runtime.Completions.whenDone;

import io.github.pgengine.internal.errors.ErrorMapper;
import io.github.pgengine.internal.runtime.Completions;
import io.github.pgengine.internal.runtime.Demand;
import io.github.pgengine.internal.runtime.DrainLoop;
import io.github.pgengine.internal.runtime.EngineThreads;
import io.github.pgengine.internal.wire.Result;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A demand-driven {@link Flow.Publisher} over a server-side cursor: each subscription opens its own cursor,
 * fetches the first batch once the subscriber requests rows, and reads one batch ahead while the subscriber
 * consumes the current one (so at most two batches are held), and closes the cursor when the rows run out, on
 * error and on cancel. An error from a FETCH reaches the subscriber after the rows fetched before it. A subscriber whose {@code onNext} throws (which
 * Reactive Streams rule 2.13 forbids, but real code does) has its subscription cancelled: the cursor closes, the
 * connection goes back, and the error is logged at WARN.
 *
 * @param <T> the element type
 */
public final class CursorPublisher<T> implements Flow.Publisher<T> {
    private static final Logger LOG = LoggerFactory.getLogger(CursorPublisher.class);
    private static final String SUBSCRIBER_THREW =
            "a stream subscriber's {} threw; the stream was cancelled, its cursor closed and its connection "
                    + "given back (Reactive Streams rule 2.13 forbids throwing from {})";
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
        private final DrainLoop loop = new DrainLoop(() -> {
            if (!this.terminated) {
                step();
            }
        });
        /** The batch being delivered; touched only inside {@link #drain()}. */
        private final ArrayDeque<T> buffer = new ArrayDeque<>();
        /** The batch read ahead, set when its FETCH completes and taken when the buffer has run dry. */
        private volatile @Nullable List<T> ahead;

        private volatile @Nullable Cursor cursor;
        private volatile long demand;
        private volatile boolean fetching = true; // until the cursor is open
        private volatile boolean exhausted;
        private volatile boolean cancelled;
        private volatile boolean terminated;
        /** Ends the stream at once (open failed, rule 3.9). */
        private volatile @Nullable Throwable error;
        /** Ends the stream once the rows fetched before it are delivered (a FETCH or the mapping failed). */
        private volatile @Nullable Throwable fetchError;

        Subscription(Flow.Subscriber<? super T> subscriber, Function<Result, List<T>> mapper) {
            this.subscriber = subscriber;
            this.mapper = mapper;
        }

        void start(Supplier<CompletableFuture<Cursor>> open) {
            CompletableFuture<Cursor> opening = Completions.calling(open);
            whenDone(opening, (c, e) -> {
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
                error = Demand.notPositive(n, "rows");
                cancelled = true;
                closeCursor();
            } else {
                synchronized (this) {
                    demand = Demand.add(demand, n);
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

        /** Records that {@code n} rows went out and returns the demand left. */
        private synchronized long produced(long n) {
            long d = demand;
            if (d != Long.MAX_VALUE) {
                d -= n;
                demand = d;
            }
            return d;
        }

        /** Calls the subscriber; one that throws breaks rule 2.13, and its subscription ends here. */
        private boolean signal(Runnable call, String what) {
            return DrainLoop.signal(call, what, LOG, SUBSCRIBER_THREW);
        }

        /** Like {@link #signal} for one row, without a lambda per row. */
        private boolean next(T row) {
            try {
                subscriber.onNext(row);
                return true;
            } catch (RuntimeException e) {
                return signal(
                        () -> {
                            throw e;
                        },
                        "onNext");
            }
        }

        /** Delivers what it can, serialised: only one thread runs the loop at a time. */
        private void drain() {
            loop.run();
        }

        /** Moves the batch read ahead into the empty buffer; returns false when there is none. */
        private boolean refill() {
            List<T> next = ahead;
            if (next == null) {
                return false;
            }
            ahead = null;
            buffer.addAll(next);
            return true;
        }

        private void stop() {
            terminated = true;
            buffer.clear();
            ahead = null;
        }

        private void fail(Throwable e) {
            stop();
            closeCursor();
            signal(() -> subscriber.onError(ErrorMapper.map(e, "the cursor's connection")), "onError");
        }

        private void step() {
            Throwable e = error;
            if (e != null) {
                fail(e);
                return;
            }
            if (cancelled) {
                stop();
                return;
            }
            if (buffer.isEmpty()) {
                refill();
            }
            fetchAhead();
            long d = demand;
            long emitted = 0;
            while (true) {
                if (emitted == d) {
                    d = produced(emitted);
                    emitted = 0;
                    if (d == 0) {
                        break;
                    }
                }
                if (buffer.isEmpty()) {
                    if (!refill()) {
                        break;
                    }
                    fetchAhead();
                }
                T next = buffer.poll();
                emitted++;
                if (!next(next)) {
                    cancelled = true;
                    stop();
                    closeCursor();
                    return;
                }
                if (cancelled) {
                    stop();
                    return;
                }
            }
            if (emitted > 0) {
                produced(emitted);
            }
            // fetching first: a FETCH writes its batch (or error) before clearing it, so the batch cannot be missed
            if (!fetching && buffer.isEmpty() && ahead == null) {
                Throwable failure = fetchError;
                if (failure != null) {
                    fail(failure);
                } else if (exhausted) {
                    terminated = true;
                    signal(subscriber::onComplete, "onComplete");
                }
            }
        }

        /**
         * Starts the next FETCH when no batch is read ahead yet and rows are wanted or still being delivered, so at
         * most two batches are held: the one being delivered and the one read ahead (arrived or in flight).
         */
        private void fetchAhead() {
            Cursor c = cursor;
            if (c == null
                    || fetching
                    || ahead != null
                    || exhausted
                    || fetchError != null
                    || (demand == 0 && buffer.isEmpty())) {
                return;
            }
            fetching = true;
            whenDone(
                    c.fetch(),
                    (result, failure) -> EngineThreads.offEngineThreads(() -> {
                        if (failure != null) {
                            fetchError = ErrorMapper.unwrap(failure);
                        } else {
                            try {
                                List<T> rows = mapper.apply(result);
                                if (rows.isEmpty() || c.isClosed()) {
                                    exhausted = true; // a short batch is the last: the cursor has closed itself
                                }
                                if (!rows.isEmpty()) {
                                    ahead = rows;
                                }
                            } catch (RuntimeException ex) {
                                fetchError = ex;
                            }
                        }
                        fetching = false;
                        drain();
                    }));
        }
    }
}
