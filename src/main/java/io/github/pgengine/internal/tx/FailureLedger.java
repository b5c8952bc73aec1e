package io.github.pgengine.internal.tx;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Which statements of one attempt failed and which savepoints exist, by their place in the step queue. A failure
 * counts until a rollback to a savepoint made before it undoes it. Touched only by the attempt's steps, which run
 * one at a time (so it needs no lock).
 */
final class FailureLedger {
    /** A failed statement, by its place in the queue. */
    record Failure(long seq, Throwable error) {}

    /** A savepoint, by its place in the queue. */
    private record Mark(String name, long seq) {}

    private final List<Failure> failures = new ArrayList<>();
    private final List<Mark> marks = new ArrayList<>();

    void failed(long seq, Throwable error) {
        failures.add(new Failure(seq, error));
    }

    /** Returns the first failure that counts, or null. */
    @Nullable
    Failure first() {
        return failures.isEmpty() ? null : failures.get(0);
    }

    /** After SAVEPOINT name. */
    void saved(String name, long seq) {
        marks.add(new Mark(name, seq));
    }

    /** Returns the first failure after savepoint {@code name}, or null (also when there is no such savepoint). */
    @Nullable
    Failure firstSince(String name) {
        long from = markSeq(name);
        for (Failure f : failures) {
            if (f.seq() > from) {
                return f;
            }
        }
        return null;
    }

    /** After ROLLBACK TO SAVEPOINT name: failures after it are undone; later savepoints are gone. */
    void undoTo(String name) {
        int i = lastMark(name);
        if (i >= 0) {
            long seq = marks.get(i).seq();
            failures.removeIf(f -> f.seq() > seq);
            marks.subList(i + 1, marks.size()).clear();
        }
    }

    /** After RELEASE SAVEPOINT name: it and later savepoints are gone (their failures stay). */
    void released(String name) {
        int i = lastMark(name);
        if (i >= 0) {
            marks.subList(i, marks.size()).clear();
        }
    }

    private long markSeq(String name) {
        int i = lastMark(name);
        return i < 0 ? Long.MAX_VALUE : marks.get(i).seq();
    }

    private int lastMark(String name) {
        for (int i = marks.size() - 1; i >= 0; i--) {
            if (marks.get(i).name().equals(name)) {
                return i;
            }
        }
        return -1;
    }
}
