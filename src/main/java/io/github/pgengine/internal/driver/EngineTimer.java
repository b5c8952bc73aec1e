package io.github.pgengine.internal.driver;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/**
 * The one daemon thread that fires every engine's timeouts, idle checks and retry backoffs; tasks on it must be
 * short and never block, and never run user code (see {@link EngineThreads}).
 */
public final class EngineTimer {
    private static final ScheduledExecutorService TIMER = create();

    private EngineTimer() {}

    /** Returns the shared scheduler. */
    public static ScheduledExecutorService get() {
        return TIMER;
    }

    private static ScheduledExecutorService create() {
        ScheduledThreadPoolExecutor executor =
                new ScheduledThreadPoolExecutor(1, EngineThreads.factory("pgengine-timer-"));
        executor.setRemoveOnCancelPolicy(true);
        return executor;
    }
}
