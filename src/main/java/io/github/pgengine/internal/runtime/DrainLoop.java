package io.github.pgengine.internal.runtime;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The serialised delivery loop of a Reactive Streams publisher ("work in progress" counting): passes run on one
 * thread at a time, and a signal that arrives while a pass runs (a request, a cancel, new data) makes that thread
 * run one more pass instead of starting a second loop beside it. No lock is held while a pass calls the subscriber.
 */
public final class DrainLoop {
    private final AtomicInteger wip = new AtomicInteger();
    private final Runnable pass;

    /**
     * @param pass delivers what it can now; it must not throw (a subscriber's exception is the pass's to handle)
     */
    public DrainLoop(Runnable pass) {
        this.pass = pass;
    }

    /** Runs passes until no signal came during the last one; returns at once when another thread is running them. */
    public void run() {
        if (wip.getAndIncrement() != 0) {
            return;
        }
        int missed = 1;
        do {
            pass.run();
            missed = wip.addAndGet(-missed);
        } while (missed != 0);
    }
}
