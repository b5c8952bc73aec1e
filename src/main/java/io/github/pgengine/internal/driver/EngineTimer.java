package io.github.pgengine.internal.driver;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one daemon thread that fires every engine's timeouts, idle checks and retry backoffs; tasks on it
 * must be short and never block.
 */
public final class EngineTimer {
    private static final ScheduledExecutorService TIMER = create();

    private EngineTimer() {}

    /** @return the shared scheduler */
    public static ScheduledExecutorService get() {
        return TIMER;
    }

    private static ScheduledExecutorService create() {
        AtomicInteger n = new AtomicInteger();
        ThreadFactory factory = r -> {
            Thread t = new Thread(r, "pgengine-timer-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, factory);
        executor.setRemoveOnCancelPolicy(true);
        return executor;
    }
}
