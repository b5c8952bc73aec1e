package io.github.pgengine.internal.runtime;

/** A Reactive Streams subscriber's outstanding demand: how requests add up, and the error for a bad one. */
public final class Demand {
    private Demand() {}

    /**
     * Returns the demand after a request: the sum, or {@link Long#MAX_VALUE} (unbounded) when it overflows (rule
     * 3.17).
     *
     * @param demand what was outstanding
     * @param n what the subscriber requested, positive
     */
    public static long add(long demand, long n) {
        long d = demand + n;
        return d < 0 ? Long.MAX_VALUE : d;
    }

    /**
     * Returns the error for a request of zero or fewer items (rule 3.9), naming them.
     *
     * @param n the request
     * @param items what is delivered, plural ("rows", "events")
     */
    public static IllegalArgumentException notPositive(long n, String items) {
        return new IllegalArgumentException(
                "request(" + n + "): Reactive Streams rule 3.9 requires a positive number of " + items);
    }
}
