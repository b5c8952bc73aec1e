package io.github.pgengine.testing.crdb;

import java.time.Duration;

/**
 * Faults the proxy injects into the server-to-client stream: a delay per message, or silence (the proxy stops
 * forwarding the server's answers without closing anything, like a dead network path).
 */
final class Faults {
    private volatile long delayMillis;
    private volatile boolean frozen;

    void delay(Duration delay) {
        this.delayMillis = delay.toMillis();
    }

    void freeze(boolean frozen) {
        this.frozen = frozen;
        synchronized (this) {
            notifyAll();
        }
    }

    /** Called by the proxy's thread before it forwards a server message (the proxy's own thread may wait). */
    void beforeServerMessage(EmulatedSession session) {
        long delay = delayMillis;
        try {
            if (delay > 0) {
                Thread.sleep(delay); // an injected network delay on the proxy's own thread
            }
            synchronized (this) {
                while (frozen && !session.isClosed()) {
                    wait(100);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
