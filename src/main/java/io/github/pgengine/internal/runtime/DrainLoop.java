package io.github.pgengine.internal.runtime;

import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;

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

    /**
     * Calls the subscriber. One that throws breaks rule 2.13: the throw is logged at WARN with {@code warning} (two
     * {@code {}} placeholders, both given {@code what}) and false returned, and the caller ends the subscription.
     *
     * @param call the signal, e.g. {@code () -> subscriber.onNext(item)}
     * @param what the signal's name, e.g. {@code onNext}
     * @param log where the warning goes
     * @param warning what happened and what the publisher did about it
     * @return true when the subscriber returned normally
     */
    public static boolean signal(Runnable call, String what, Logger log, String warning) {
        try {
            call.run();
            return true;
        } catch (RuntimeException e) {
            log.warn(warning, what, what, e);
            return false;
        }
    }
}
