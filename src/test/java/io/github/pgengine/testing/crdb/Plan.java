package io.github.pgengine.testing.crdb;

import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What the emulation does with one statement: the PostgreSQL statement sent instead (or {@code null} to pass it
 * through), and how the responses up to the next ReadyForQuery are rewritten.
 *
 * @param substitute the statement sent upstream instead, or {@code null}
 * @param tag the CommandComplete tag CockroachDB sends, or {@code null} to keep PostgreSQL's
 * @param error the ErrorResponse fields CockroachDB sends when the substitute fails, or {@code null} to keep them
 * @param notice the NoticeResponse fields CockroachDB sends in place of PostgreSQL's notice, or {@code null}
 * @param onSuccess runs when the statement succeeded (state changes such as CommitWait)
 * @param answerColumn with {@code answerValue}: the one-row result sent when upstream refuses the substitute
 * @param answerValue the value of that row
 */
record Plan(
        @Nullable String substitute,
        @Nullable String tag,
        @Nullable Map<Character, String> error,
        @Nullable Map<Character, String> notice,
        @Nullable Runnable onSuccess,
        @Nullable String answerColumn,
        @Nullable String answerValue) {

    Plan(
            @Nullable String substitute,
            @Nullable String tag,
            @Nullable Map<Character, String> error,
            @Nullable Map<Character, String> notice,
            @Nullable Runnable onSuccess) {
        this(substitute, tag, error, notice, onSuccess, null, null);
    }

    /** Returns this plan, answering with one text row instead of an upstream error (observer statements). */
    Plan withAnswer(String column, String value) {
        return new Plan(substitute, tag, error, notice, onSuccess, column, value);
    }

    static final Plan PASS = new Plan(null, null, null, null, null);

    static Plan pass(Runnable onSuccess) {
        return new Plan(null, null, null, null, onSuccess);
    }

    /** A statement answered with CockroachDB's error: the substitute fails upstream, aborting a transaction. */
    static Plan error(String code, String message, @Nullable String hint) {
        Map<Character, String> fields = new java.util.LinkedHashMap<>();
        fields.put('S', "ERROR");
        fields.put('V', "ERROR");
        fields.put('C', code);
        fields.put('M', message);
        if (hint != null) {
            fields.put('H', hint);
        }
        return new Plan("SELECT 1/0", null, fields, null, null);
    }

    boolean rewrites() {
        return substitute != null || tag != null || error != null || notice != null;
    }
}
