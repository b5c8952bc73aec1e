package io.github.pgengine;

import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/** A savepoint inside a {@link Transaction}. */
public final class Savepoint {
    private final Transaction transaction;
    private final String name;

    Savepoint(Transaction transaction, String name) {
        this.transaction = transaction;
        this.name = name;
    }

    /** Returns the savepoint's name, e.g. {@code savepoint_1}. */
    public String name() {
        return name;
    }

    /**
     * Undoes everything since the savepoint; the savepoint stays.
     *
     * @return completes when rolled back
     */
    public CompletableFuture<@Nullable Void> rollbackTo() {
        return transaction.rollbackTo(name);
    }

    /**
     * Forgets the savepoint, keeping what was done since.
     *
     * @return completes when released
     */
    public CompletableFuture<@Nullable Void> release() {
        return transaction.releaseSavepoint(name);
    }

    @Override
    public String toString() {
        return "Savepoint{" + name + "}";
    }
}
