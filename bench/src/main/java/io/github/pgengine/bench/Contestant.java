package io.github.pgengine.bench;

import java.util.concurrent.CompletableFuture;

/** One client under test: the same two workloads, asynchronous or blocking. */
interface Contestant {
    String name();

    /** @return true when calls block the calling thread (each caller then gets a platform thread) */
    default boolean blocking() {
        return false;
    }

    /** SELECT abalance FROM pgbench_accounts WHERE aid = ? */
    CompletableFuture<?> pointSelect(int aid) throws Exception;

    /** pgbench's simple-update: UPDATE pgbench_accounts, SELECT abalance, INSERT INTO pgbench_history, in a transaction */
    CompletableFuture<?> tpcb(int aid, int tid, int bid, int delta) throws Exception;

    void close() throws Exception;
}
