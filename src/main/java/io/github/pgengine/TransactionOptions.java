package io.github.pgengine;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How a transaction begins and behaves; immutable, built with {@link #builder()}.
 *
 * <pre>{@code
 * TransactionOptions.builder().isolation(IsolationLevel.SERIALIZABLE).readOnly(true).deferrable(true)
 *         .allowNested(false).build();
 * }</pre>
 */
public final class TransactionOptions {
    private static final TransactionOptions DEFAULTS = new Builder().build();

    private final @Nullable IsolationLevel isolation;
    private final boolean readOnly;
    private final boolean deferrable;
    private final boolean allowNested;
    private final @Nullable RetryPolicy retryPolicy;
    private final @Nullable Boolean autocommitBeforeDdl;
    private final boolean idempotent;

    private TransactionOptions(Builder b) {
        this.isolation = b.isolation;
        this.readOnly = b.readOnly;
        this.deferrable = b.deferrable;
        this.allowNested = b.allowNested;
        this.retryPolicy = b.retryPolicy;
        this.autocommitBeforeDdl = b.autocommitBeforeDdl;
        this.idempotent = b.idempotent;
    }

    /** Returns server-default isolation, read-write, nesting allowed, the engine's retry policy. */
    public static TransactionOptions defaults() {
        return DEFAULTS;
    }

    /** Returns a builder holding the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** Returns a builder holding these options. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.isolation = isolation;
        b.readOnly = readOnly;
        b.deferrable = deferrable;
        b.allowNested = allowNested;
        b.retryPolicy = retryPolicy;
        b.autocommitBeforeDdl = autocommitBeforeDdl;
        b.idempotent = idempotent;
        return b;
    }

    /** Returns the isolation level, or {@code null} for the server's default. */
    public @Nullable IsolationLevel isolation() {
        return isolation;
    }

    /** Returns true for READ ONLY. */
    public boolean readOnly() {
        return readOnly;
    }

    /** Returns true for DEFERRABLE (effective with SERIALIZABLE READ ONLY). */
    public boolean deferrable() {
        return deferrable;
    }

    /** Returns true when {@code tx.transaction(work)} may open a savepoint-backed sub-transaction. */
    public boolean allowNested() {
        return allowNested;
    }

    /** Returns the retry policy for this transaction, or {@code null} for the engine's. */
    public @Nullable RetryPolicy retryPolicy() {
        return retryPolicy;
    }

    /**
     * Returns CockroachDB's {@code autocommit_before_ddl} setting for the transaction.
     *
     * @return CockroachDB only: {@code SET LOCAL autocommit_before_ddl} to this value at the start, or
     *     {@code null} to leave the session's setting
     */
    public @Nullable Boolean autocommitBeforeDdl() {
        return autocommitBeforeDdl;
    }

    /** Returns true when the work may safely run twice, so an ambiguous commit (40003) may be retried. */
    public boolean idempotent() {
        return idempotent;
    }

    /** Returns the BEGIN statement for these options. */
    String beginSql() {
        StringBuilder sql = new StringBuilder("BEGIN");
        if (isolation != null) {
            sql.append(" ISOLATION LEVEL ").append(isolation.sql());
        }
        if (readOnly) {
            sql.append(" READ ONLY");
        }
        if (deferrable) {
            sql.append(" DEFERRABLE");
        }
        return sql.toString();
    }

    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof TransactionOptions t
                && isolation == t.isolation
                && readOnly == t.readOnly
                && deferrable == t.deferrable
                && allowNested == t.allowNested
                && idempotent == t.idempotent
                && Objects.equals(retryPolicy, t.retryPolicy)
                && Objects.equals(autocommitBeforeDdl, t.autocommitBeforeDdl);
    }

    @Override
    public int hashCode() {
        return Objects.hash(isolation, readOnly, deferrable, allowNested, retryPolicy, autocommitBeforeDdl, idempotent);
    }

    @Override
    public String toString() {
        return "TransactionOptions{" + beginSql() + ", allowNested=" + allowNested + ", retryPolicy=" + retryPolicy
                + ", autocommitBeforeDdl=" + autocommitBeforeDdl + ", idempotent=" + idempotent + "}";
    }

    /** Builds {@link TransactionOptions}. */
    public static final class Builder {
        private @Nullable IsolationLevel isolation;
        private boolean readOnly;
        private boolean deferrable;
        private boolean allowNested = true;
        private @Nullable RetryPolicy retryPolicy;
        private @Nullable Boolean autocommitBeforeDdl;
        private boolean idempotent;

        private Builder() {}

        /**
         * Sets {@code isolation}.
         *
         * @param isolation the level, or {@code null} for the server's default
         * @return this builder
         */
        public Builder isolation(@Nullable IsolationLevel isolation) {
            this.isolation = isolation;
            return this;
        }

        /**
         * Sets {@code readOnly}.
         *
         * @param readOnly READ ONLY when true
         * @return this builder
         */
        public Builder readOnly(boolean readOnly) {
            this.readOnly = readOnly;
            return this;
        }

        /**
         * Sets {@code deferrable}.
         *
         * @param deferrable DEFERRABLE when true
         * @return this builder
         */
        public Builder deferrable(boolean deferrable) {
            this.deferrable = deferrable;
            return this;
        }

        /**
         * Sets {@code allowNested}.
         *
         * @param allowNested false makes {@code tx.transaction(work)} fail with {@link TransactionException}
         * @return this builder
         */
        public Builder allowNested(boolean allowNested) {
            this.allowNested = allowNested;
            return this;
        }

        /**
         * Sets {@code retryPolicy}.
         *
         * @param retryPolicy how to retry serialization failures, or {@code null} for the engine's policy
         * @return this builder
         */
        public Builder retryPolicy(@Nullable RetryPolicy retryPolicy) {
            this.retryPolicy = retryPolicy;
            return this;
        }

        /**
         * Sets {@code autocommitBeforeDdl}.
         *
         * @param autocommitBeforeDdl CockroachDB's {@code autocommit_before_ddl} for this transaction, or
         *     {@code null} to leave it
         * @return this builder
         */
        public Builder autocommitBeforeDdl(@Nullable Boolean autocommitBeforeDdl) {
            this.autocommitBeforeDdl = autocommitBeforeDdl;
            return this;
        }

        /**
         * Sets {@code idempotent}.
         *
         * @param idempotent true when the work may run twice, allowing retries of ambiguous commits (40003)
         * @return this builder
         */
        public Builder idempotent(boolean idempotent) {
            this.idempotent = idempotent;
            return this;
        }

        /** Returns the options. */
        public TransactionOptions build() {
            return new TransactionOptions(this);
        }
    }
}
