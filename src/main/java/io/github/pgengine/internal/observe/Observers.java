package io.github.pgengine.internal.observe;

import io.github.pgengine.EngineException;
import io.github.pgengine.EngineObserver;
import io.github.pgengine.EngineObserver.EngineInfo;
import io.github.pgengine.EngineObserver.StatementInfo;
import io.github.pgengine.EngineObserver.StatementObservation;
import io.github.pgengine.EngineObserver.TransactionObservation;
import io.github.pgengine.internal.sql.ParsedSql;
import io.github.pgengine.internal.wire.Result;
import java.util.Arrays;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An engine's {@link EngineObserver}s, told of every event in the order they were attached. With none attached
 * (the usual case) each call costs one volatile read.
 *
 * <p>A call captures the observers attached when it starts ({@link #capture()}) and reports all its events to
 * those, so an observer attached or detached meanwhile never sees half a call. An observer that throws is logged
 * once at WARN and otherwise ignored.
 */
public final class Observers {
    private static final Logger LOG = LoggerFactory.getLogger("io.github.pgengine.observer");
    private static final EngineObserver[] NONE = {};

    private final EngineInfo engine;
    private final Object lock = new Object();
    private volatile EngineObserver[] attached = NONE;
    private final Set<EngineObserver> warned = ConcurrentHashMap.newKeySet();

    /** @param engine the engine the events come from */
    public Observers(EngineInfo engine) {
        this.engine = engine;
    }

    /** Returns the engine the events come from. */
    public EngineInfo engine() {
        return engine;
    }

    /**
     * Attaches an observer.
     *
     * @param observer the observer
     * @return detaches it
     */
    public EngineObserver.Registration add(EngineObserver observer) {
        Objects.requireNonNull(observer, "observer");
        synchronized (lock) {
            EngineObserver[] now = Arrays.copyOf(attached, attached.length + 1);
            now[now.length - 1] = observer;
            attached = now;
        }
        AtomicBoolean removed = new AtomicBoolean();
        return () -> {
            if (removed.compareAndSet(false, true)) {
                remove(observer);
            }
        };
    }

    private void remove(EngineObserver observer) {
        synchronized (lock) {
            EngineObserver[] now = attached;
            for (int i = 0; i < now.length; i++) {
                if (now[i] == observer) {
                    EngineObserver[] less = new EngineObserver[now.length - 1];
                    System.arraycopy(now, 0, less, 0, i);
                    System.arraycopy(now, i + 1, less, i, now.length - i - 1);
                    attached = less;
                    return;
                }
            }
        }
    }

    /** Returns true when no observer is attached. */
    public boolean isEmpty() {
        return attached.length == 0;
    }

    /**
     * Starts a call on the caller's thread: captures what each attached observer needs from it.
     *
     * @return the call, {@link Call#NONE} when no observer is attached
     */
    public Call capture() {
        EngineObserver[] os = attached;
        if (os.length == 0) {
            return Call.NONE;
        }
        @Nullable Object[] captured = new Object[os.length];
        for (int i = 0; i < os.length; i++) {
            EngineObserver o = os[i];
            try {
                captured[i] = o.capture();
            } catch (RuntimeException e) {
                warn(o, e);
            }
        }
        return new Call(this, os, captured);
    }

    /**
     * Tells every attached observer that a caller waited for a connection.
     *
     * @param nanos how long
     * @param error why none came, or null
     */
    public void acquired(long nanos, @Nullable Throwable error) {
        for (EngineObserver o : attached) {
            guard(o, () -> o.connectionAcquired(nanos, error));
        }
    }

    /** Tells every attached observer that a connection was opened. */
    public void opened() {
        for (EngineObserver o : attached) {
            guard(o, o::connectionOpened);
        }
    }

    /** Tells every attached observer that a connection was closed. */
    public void closed() {
        for (EngineObserver o : attached) {
            guard(o, o::connectionClosed);
        }
    }

    /**
     * Tells every attached observer that opening a connection failed.
     *
     * @param error why
     */
    public void failed(Throwable error) {
        for (EngineObserver o : attached) {
            guard(o, () -> o.connectionFailed(error));
        }
    }

    /**
     * Tells every attached observer that a cursor fetched rows.
     *
     * @param rows how many
     */
    public void cursorRows(int rows) {
        if (rows == 0) {
            return;
        }
        for (EngineObserver o : attached) {
            guard(o, () -> o.cursorRows(rows));
        }
    }

    private void guard(EngineObserver o, Runnable event) {
        try {
            event.run();
        } catch (RuntimeException e) {
            warn(o, e);
        }
    }

    private <T extends @Nullable Object> T guard(EngineObserver o, Supplier<T> event, T fallback) {
        try {
            return event.get();
        } catch (RuntimeException e) {
            warn(o, e);
            return fallback;
        }
    }

    private void warn(EngineObserver o, RuntimeException e) {
        if (warned.add(o)) {
            LOG.warn(
                    "{}: observer {} threw; its errors are ignored from now on (logged once)",
                    engine.name(),
                    o.getClass().getName(),
                    e);
        }
    }

    /** Tells a call's observers that one of its statements starts (in a transaction when {@code tx} is given). */
    private static Observed started(Call call, TransactionObservation @Nullable [] tx, ParsedSql sql, int batchSize) {
        Observers o = call.owner;
        if (o == null) {
            return Observed.NONE;
        }
        StatementInfo info = new StatementInfo(o.engine, sql.queryText(), sql.operation(), batchSize);
        EngineObserver[] os = call.observers;
        StatementObservation[] started = new StatementObservation[os.length];
        for (int i = 0; i < os.length; i++) {
            EngineObserver observer = os[i];
            Object c = call.captured[i];
            TransactionObservation t = tx == null ? null : tx[i];
            started[i] = o.guard(observer, () -> observer.statementStarted(info, c, t), StatementObservation.NONE);
        }
        return new Observed(o, os, started);
    }

    /** Where statements are reported: a call of their own, or the transaction they run in. */
    public interface Scope {
        /**
         * A statement of this scope is about to be sent.
         *
         * @param sql the statement
         * @param batchSize its rows for a batch, else 0
         * @return what to tell when it ends
         */
        Observed statement(ParsedSql sql, int batchSize);
    }

    /** One call as its observers see it. */
    public static final class Call implements Scope {
        /** A call no observer sees. */
        public static final Call NONE = new Call(null, Observers.NONE, new Object[0]);

        private final @Nullable Observers owner;
        private final EngineObserver[] observers;
        private final @Nullable Object[] captured;

        private Call(@Nullable Observers owner, EngineObserver[] observers, @Nullable Object[] captured) {
            this.owner = owner;
            this.observers = observers;
            this.captured = captured;
        }

        /** Returns true when no observer sees this call. */
        public boolean isEmpty() {
            return owner == null;
        }

        /**
         * Wraps work run for the caller later (the completion of its future, its transaction callback).
         *
         * @param task the work
         * @return the wrapped work
         */
        public Runnable wrap(Runnable task) {
            Observers o = owner;
            if (o == null) {
                return task;
            }
            Runnable wrapped = task;
            for (int i = observers.length - 1; i >= 0; i--) {
                EngineObserver observer = observers[i];
                Object c = captured[i];
                Runnable inner = wrapped;
                wrapped = o.guard(observer, () -> observer.wrap(c, inner), inner);
            }
            return wrapped;
        }

        @Override
        public Observed statement(ParsedSql sql, int batchSize) {
            return started(this, null, sql, batchSize);
        }

        /**
         * The call's transaction got its connection.
         *
         * @return the transaction as its observers see it
         */
        public Tx transaction() {
            Observers o = owner;
            if (o == null) {
                return Tx.NONE;
            }
            TransactionObservation[] started = new TransactionObservation[observers.length];
            for (int i = 0; i < observers.length; i++) {
                EngineObserver observer = observers[i];
                Object c = captured[i];
                started[i] =
                        o.guard(observer, () -> observer.transactionStarted(o.engine, c), TransactionObservation.NONE);
            }
            return new Tx(o, this, started);
        }
    }

    /** A transaction as its observers see it. */
    public static final class Tx implements Scope {
        /** A transaction no observer sees. */
        public static final Tx NONE = new Tx(null, Call.NONE, new TransactionObservation[0]);

        private final @Nullable Observers owner;
        private final Call call;
        private final TransactionObservation[] observations;
        private final AtomicBoolean ended = new AtomicBoolean();

        private Tx(@Nullable Observers owner, Call call, TransactionObservation[] observations) {
            this.owner = owner;
            this.call = call;
            this.observations = observations;
        }

        /**
         * Wraps one attempt's callback.
         *
         * @param task runs the callback
         * @return the wrapped work
         */
        public Runnable wrap(Runnable task) {
            Observers o = owner;
            if (o == null) {
                return task;
            }
            Runnable wrapped = task;
            for (int i = observations.length - 1; i >= 0; i--) {
                TransactionObservation t = observations[i];
                Runnable inner = wrapped;
                wrapped = o.guard(call.observers[i], () -> t.wrap(inner), inner);
            }
            return wrapped;
        }

        /**
         * Another attempt starts.
         *
         * @param attempt its number
         * @param cause why the last one failed
         */
        public void retrying(int attempt, EngineException cause) {
            Observers o = owner;
            if (o == null) {
                return;
            }
            for (int i = 0; i < observations.length; i++) {
                TransactionObservation t = observations[i];
                o.guard(call.observers[i], () -> t.retrying(attempt, cause));
            }
        }

        /**
         * The transaction ended (once; later calls do nothing).
         *
         * @param error the caller's error, or null
         */
        public void ended(@Nullable Throwable error) {
            Observers o = owner;
            if (o == null || !ended.compareAndSet(false, true)) {
                return;
            }
            for (int i = 0; i < observations.length; i++) {
                TransactionObservation t = observations[i];
                o.guard(call.observers[i], () -> t.ended(error));
            }
        }

        @Override
        public Observed statement(ParsedSql sql, int batchSize) {
            return owner == null ? Observed.NONE : started(call, observations, sql, batchSize);
        }
    }

    /** A statement as its observers see it: ends once. */
    public static final class Observed {
        /** A statement no observer sees. */
        public static final Observed NONE = new Observed(null, Observers.NONE, new StatementObservation[0]);

        private final @Nullable Observers owner;
        private final EngineObserver[] observers;
        private final StatementObservation[] observations;
        private final AtomicBoolean ended = new AtomicBoolean();

        private Observed(@Nullable Observers owner, EngineObserver[] observers, StatementObservation[] observations) {
            this.owner = owner;
            this.observers = observers;
            this.observations = observations;
        }

        /**
         * The statement ended.
         *
         * @param result its result, or null when it failed
         * @param error the error as the caller sees it, or null
         */
        public void ended(@Nullable Result result, @Nullable Throwable error) {
            Observers o = owner;
            if (o == null || !ended.compareAndSet(false, true)) {
                return;
            }
            long rows = result == null ? 0 : rows(result);
            for (int i = 0; i < observations.length; i++) {
                StatementObservation s = observations[i];
                o.guard(observers[i], () -> s.ended(rows, error));
            }
        }

        private static long rows(Result result) {
            int returned = result.rows().size();
            if (returned > 0) {
                return returned;
            }
            long[] counts = result.counts();
            if (counts.length > 0) {
                long sum = 0;
                for (long c : counts) {
                    sum += Math.max(c, 0);
                }
                return sum;
            }
            return Math.max(result.rowsAffected(), 0);
        }
    }
}
