package io.github.pgengine.bench;

import java.util.concurrent.atomic.AtomicLongArray;

/** A lock-free log-linear histogram of latencies in microseconds (under 1% error), for p50 and p99. */
final class LatencyHistogram {
    private static final int SUB = 64;
    private final AtomicLongArray buckets = new AtomicLongArray(64 * SUB);

    void record(long nanos) {
        long micros = Math.max(1, nanos / 1_000);
        buckets.incrementAndGet(index(micros));
    }

    static int index(long v) {
        if (v < 2 * SUB) {
            return (int) v;
        }
        int e = 63 - Long.numberOfLeadingZeros(v) - 6;
        return e * SUB + (int) (v >> e);
    }

    static long value(int index) {
        if (index < 2 * SUB) {
            return index;
        }
        int e = index / SUB - 1;
        long mantissa = index - e * SUB;
        return mantissa << e;
    }

    /** @return the latency in milliseconds at the given quantile (0..1) */
    double percentileMillis(double q) {
        long total = 0;
        for (int i = 0; i < buckets.length(); i++) {
            total += buckets.get(i);
        }
        if (total == 0) {
            return Double.NaN;
        }
        long rank = (long) Math.ceil(q * total);
        long seen = 0;
        for (int i = 0; i < buckets.length(); i++) {
            seen += buckets.get(i);
            if (seen >= rank) {
                return value(i) / 1000.0;
            }
        }
        return Double.NaN;
    }
}
