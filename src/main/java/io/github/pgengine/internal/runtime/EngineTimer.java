package io.github.pgengine.internal.runtime;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one daemon thread that fires every engine's timeouts, idle checks and retry backoffs; tasks on it must be
 * short and never block, and never run user code (see {@link EngineThreads}).
 */
public final class EngineTimer {
    private static final Logger DEFECTS = LoggerFactory.getLogger("io.github.pgengine.defect");
    private static final ScheduledExecutorService TIMER = create();

    private EngineTimer() {}

    /** Returns the shared scheduler. */
    public static ScheduledExecutorService get() {
        return TIMER;
    }

    /**
     * Runs a short task once, after a delay, on the timer thread; an exception it throws is logged at ERROR (the
     * scheduler would keep it in a future nobody looks at).
     *
     * @param task the task; short, never blocking, never user code
     * @param delay how long to wait
     * @param unit the delay's unit
     */
    @SuppressWarnings("FutureReturnValueIgnored") // the task cannot fail: it catches and logs
    public static void later(Runnable task, long delay, TimeUnit unit) {
        TIMER.schedule(
                () -> {
                    try {
                        task.run();
                    } catch (RuntimeException | Error thrown) {
                        DEFECTS.error("an engine timer task failed; please report this as a pgengine defect", thrown);
                    }
                },
                delay,
                unit);
    }

    private static ScheduledExecutorService create() {
        ScheduledThreadPoolExecutor executor =
                new ScheduledThreadPoolExecutor(1, EngineThreads.factory("pgengine-timer-"));
        executor.setRemoveOnCancelPolicy(true);
        return executor;
    }
}
