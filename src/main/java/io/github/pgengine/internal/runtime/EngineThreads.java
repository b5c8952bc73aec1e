package io.github.pgengine.internal.runtime;

import com.github.jasync.sql.db.util.NettyUtils;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The engine's own threads (the timer, the cancel-request senders) and the rule that user code never runs on them:
 * a caller's future completed by an event of one of these threads (an acquire timeout, a connect deadline, the
 * statement watchdog) is completed on an I/O thread instead, so a blocking callback cannot stall every engine's
 * timeouts.
 */
public final class EngineThreads {

    private EngineThreads() {}

    /** A thread of the engine's own. */
    private static final class EngineThread extends Thread {
        EngineThread(Runnable r, String name) {
            super(r, name);
            setDaemon(true);
        }
    }

    /**
     * Makes the engine's daemon threads.
     *
     * @param prefix the threads' name prefix, e.g. {@code pgengine-timer-}
     * @return a factory of daemon engine threads
     */
    public static ThreadFactory factory(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> new EngineThread(r, prefix + n.incrementAndGet());
    }

    /** Returns true on the engine's timer or cancel threads, where user code must not run. */
    public static boolean onEngineThread() {
        return Thread.currentThread() instanceof EngineThread;
    }

    /** Returns an I/O thread of the driver's event loop group, for work handed off the engine's threads. */
    public static Executor io() {
        return NettyUtils.INSTANCE.getDefaultEventLoopGroup().next();
    }

    /**
     * Runs {@code task} here, or on an I/O thread when here is one of the engine's threads.
     *
     * @param task the task (it may run user code)
     */
    public static void offEngineThreads(Runnable task) {
        if (onEngineThread()) {
            io().execute(task);
        } else {
            task.run();
        }
    }
}
