package io.github.pgengine.testing.crdb;

/** What the emulation tracks about one client session. */
final class SessionState {
    final String user;
    final boolean admin;
    /** The last ReadyForQuery status from upstream: I, T or E. */
    volatile char status = 'I';
    /** After RELEASE SAVEPOINT cockroach_restart: committed, waiting for the client's COMMIT. */
    volatile boolean commitWait;

    volatile boolean injectRetryErrors;
    /** {@code default_transaction_use_follower_reads} (cockroachdb-behaviour.md 7.7). */
    volatile boolean followerReads;
    /** Restarts through ROLLBACK TO SAVEPOINT cockroach_restart in the current transaction. */
    final java.util.concurrent.atomic.AtomicInteger epoch = new java.util.concurrent.atomic.AtomicInteger();

    private volatile Boolean autocommitBeforeDdl;
    private volatile Boolean localAutocommitBeforeDdl;

    SessionState(String user, boolean admin) {
        this.user = user;
        this.admin = admin;
    }

    boolean autocommitBeforeDdl(boolean defaultValue) {
        Boolean local = status == 'I' ? null : localAutocommitBeforeDdl;
        if (local != null) {
            return local;
        }
        return autocommitBeforeDdl != null ? autocommitBeforeDdl : defaultValue;
    }

    void setAutocommitBeforeDdl(boolean on, boolean local) {
        if (local) {
            localAutocommitBeforeDdl = on;
        } else {
            autocommitBeforeDdl = on;
        }
    }

    void transactionEnded() {
        localAutocommitBeforeDdl = null;
    }
}
