package io.github.pgengine.internal.tx;

import io.github.pgengine.internal.wire.Result;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.jetbrains.lincheck.Lincheck;
import org.junit.jupiter.api.Test;

/**
 * The transaction's step queue under every interleaving Lincheck's model checker finds (no database): steps queued
 * from several threads, completing at once or later on other threads, racing abandonment and closing. Steps must
 * run one at a time, in the order they were queued, each once; every step's future completes; the close step runs
 * last and once.
 */
class StepQueueLincheckUnitTest {
    private static final int INVOCATIONS = 500;

    /** Records the order steps start and end in, failing on overlap. */
    private static final class Trace {
        final AtomicInteger running = new AtomicInteger();
        final List<Long> started = new ArrayList<>();
        volatile boolean overlapped;

        synchronized void start(long seq) {
            started.add(seq);
        }

        synchronized List<Long> started() {
            return new ArrayList<>(started);
        }
    }

    private static void run(Runnable... parts) {
        Thread[] threads = new Thread[parts.length];
        for (int i = 0; i < parts.length; i++) {
            threads[i] = new Thread(parts[i]);
        }
        for (Thread t : threads) {
            t.start();
        }
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void check(boolean condition, String what) {
        if (!condition) {
            throw new AssertionError(what);
        }
    }

    /** A step that completes at once. */
    private static CompletableFuture<Result> now(Trace trace, long seq) {
        trace.start(seq);
        if (trace.running.incrementAndGet() != 1) {
            trace.overlapped = true;
        }
        trace.running.decrementAndGet();
        return CompletableFuture.completedFuture(Result.empty("OK"));
    }

    /** A step that completes when {@code later} is completed (by another thread). */
    private static CompletableFuture<Result> later(Trace trace, long seq, CompletableFuture<Result> later) {
        trace.start(seq);
        if (trace.running.incrementAndGet() != 1) {
            trace.overlapped = true;
        }
        return later.whenComplete((r, e) -> trace.running.decrementAndGet());
    }

    private static boolean increasing(List<Long> seqs) {
        for (int i = 1; i < seqs.size(); i++) {
            if (seqs.get(i) <= seqs.get(i - 1)) {
                return false;
            }
        }
        return true;
    }

    @Test
    void stepsFromTwoThreadsRunOneAtATimeInQueueOrder() {
        Lincheck.runConcurrentTest(INVOCATIONS, () -> {
            StepQueue queue = new StepQueue();
            Trace trace = new Trace();
            CompletableFuture<Result> slow = new CompletableFuture<>();
            List<CompletableFuture<Result>> futures = new ArrayList<>();
            synchronized (queue.lock()) {
                futures.add(queue.step(true, seq -> later(trace, seq, slow)));
            }
            run(
                    () -> {
                        for (int i = 0; i < 2; i++) {
                            CompletableFuture<Result> f;
                            synchronized (queue.lock()) {
                                f = queue.step(true, seq -> now(trace, seq));
                            }
                            synchronized (futures) {
                                futures.add(f);
                            }
                        }
                    },
                    () -> slow.complete(Result.empty("SLOW")),
                    () -> {
                        CompletableFuture<Result> f;
                        synchronized (queue.lock()) {
                            f = queue.step(false, seq -> now(trace, seq));
                        }
                        synchronized (futures) {
                            futures.add(f);
                        }
                    });
            CompletableFuture<?> drained = queue.drained();
            drained.join();
            check(!trace.overlapped, "two steps ran at once");
            List<Long> started = trace.started();
            check(started.size() == 4, "every step ran once: " + started);
            check(increasing(started), "queue order: " + started);
            for (CompletableFuture<Result> f : futures) {
                check(f.isDone() && !f.isCompletedExceptionally(), "every step's future succeeded");
            }
        });
    }

    @Test
    void abandoningWhileStepsRunSkipsTheRestAndStillRunsTheFinalStepAndTheCloseOnce() {
        Lincheck.runConcurrentTest(INVOCATIONS, () -> {
            StepQueue queue = new StepQueue();
            Trace trace = new Trace();
            CompletableFuture<Result> slow = new CompletableFuture<>();
            AtomicInteger finals = new AtomicInteger();
            AtomicInteger closes = new AtomicInteger();
            CompletableFuture<Result> first;
            CompletableFuture<Result> second;
            synchronized (queue.lock()) {
                first = queue.step(true, seq -> later(trace, seq, slow));
                second = queue.step(true, seq -> now(trace, seq));
            }
            run(
                    () -> slow.complete(Result.empty("SLOW")),
                    () -> {
                        if (queue.abandon()) {
                            queue.finalStep(() -> {
                                finals.incrementAndGet();
                                return CompletableFuture.completedFuture(null);
                            });
                            queue.closeWith(closes::incrementAndGet);
                        }
                    },
                    () -> queue.closeWith(closes::incrementAndGet));
            queue.closed().join();
            check(closes.get() == 1, "closed once: " + closes.get());
            check(finals.get() <= 1, "the final step ran at most once");
            check(first.isDone() && second.isDone(), "every step's future completed");
            check(!trace.overlapped, "two steps ran at once");
            if (second.isCompletedExceptionally()) {
                Throwable e = second.handle((r, x) -> x).join();
                check(e instanceof CancellationException, "a skipped step is cancelled: " + e);
            }
            check(increasing(trace.started()), "queue order: " + trace.started());
        });
    }

    /**
     * Steps queued with {@code stepLater} (a caller's statement: started by the caller after it let go of the lock,
     * outcome to a sink) mixed with ordinary steps and abandonment: still one at a time, in queue order, each sink
     * told exactly once. (Whether the lock is held is checked without Lincheck, below: its model checker takes over
     * monitors.)
     */
    @Test
    void stepsStartedOutsideTheLockKeepOrderAndTellEachSinkOnce() {
        Lincheck.runConcurrentTest(INVOCATIONS, () -> {
            StepQueue queue = new StepQueue();
            Trace trace = new Trace();
            CompletableFuture<Result> slow = new CompletableFuture<>();
            AtomicInteger told = new AtomicInteger();
            AtomicInteger toldTwice = new AtomicInteger();
            List<AtomicInteger> perSink = new ArrayList<>();
            java.util.function.Supplier<ResultSink> sinks = () -> {
                AtomicInteger mine = new AtomicInteger();
                synchronized (perSink) {
                    perSink.add(mine);
                }
                return (r, e) -> {
                    if (mine.incrementAndGet() > 1) {
                        toldTwice.incrementAndGet();
                    }
                    told.incrementAndGet();
                };
            };
            Runnable first;
            synchronized (queue.lock()) {
                first = queue.stepLater(true, seq -> later(trace, seq, slow), null, sinks.get());
            }
            check(first != null, "the first step is handed back to start");
            first.run();
            run(
                    () -> {
                        for (int i = 0; i < 2; i++) {
                            Runnable start;
                            ResultSink sink = sinks.get();
                            synchronized (queue.lock()) {
                                start = queue.stepLater(true, seq -> now(trace, seq), null, sink);
                            }
                            if (start != null) {
                                start.run();
                            }
                        }
                    },
                    () -> slow.complete(Result.empty("SLOW")),
                    () -> {
                        synchronized (queue.lock()) {
                            queue.step(false, seq -> now(trace, seq));
                        }
                    },
                    queue::abandon);
            queue.drained().join();
            check(!trace.overlapped, "two steps ran at once");
            check(increasing(trace.started()), "queue order: " + trace.started());
            check(told.get() == 3 && toldTwice.get() == 0, "each sink told once: " + told.get());
        });
    }

    /**
     * A caller's statement that fails at once (say its connection is gone) tells its sink on the caller's thread
     * after the caller let go of the lock, never inside it: user code runs there.
     */
    @Test
    void aStepThatCompletesAtOnceTellsItsSinkOnlyOnceStartedOutsideTheLock() {
        StepQueue queue = new StepQueue();
        Trace trace = new Trace();
        List<Boolean> heldLock = new ArrayList<>();
        ResultSink sink = (r, e) -> heldLock.add(Thread.holdsLock(queue.lock()));
        Runnable start;
        synchronized (queue.lock()) {
            start = queue.stepLater(true, seq -> now(trace, seq), null, sink);
            check(heldLock.isEmpty(), "told while queueing, under the lock");
        }
        check(start != null && trace.started().isEmpty(), "an idle queue hands the step back unstarted");
        start.run();
        check(heldLock.equals(List.of(false)), "told once, without the lock: " + heldLock);

        Runnable closed;
        synchronized (queue.lock()) {
            queue.closeWith(() -> {});
            closed = queue.stepLater(true, seq -> now(trace, seq), null, sink);
        }
        check(closed != null && heldLock.size() == 1, "a closed queue's refusal waits for the caller too");
        closed.run();
        check(heldLock.equals(List.of(false, false)), "refused without the lock: " + heldLock);
        check(trace.started().size() == 1, "the refused step never ran");
    }

    @Test
    void manyStepsThatCompleteAtOnceDoNotRecurse() {
        StepQueue queue = new StepQueue();
        Trace trace = new Trace();
        CompletableFuture<Result> slow = new CompletableFuture<>();
        List<CompletableFuture<Result>> futures = new ArrayList<>();
        synchronized (queue.lock()) {
            futures.add(queue.step(true, seq -> later(trace, seq, slow)));
            for (int i = 0; i < 100_000; i++) {
                futures.add(queue.step(true, seq -> now(trace, seq)));
            }
        }
        slow.complete(Result.empty("SLOW")); // would overflow the stack if each step started the next by recursion
        queue.drained().join();
        check(futures.stream().allMatch(f -> f.isDone() && !f.isCompletedExceptionally()), "all succeeded");
        check(trace.started().size() == 100_001, "all ran");
        check(increasing(trace.started()), "in order");
    }
}
