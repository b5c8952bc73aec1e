package io.github.pgengine.internal.wire;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The statements a request carries ahead of its own (a transaction's BEGIN, the {@link StandbyCheck}): it takes the
 * leading answers of an {@link Exchange} before the exchange sees them, skipping them, and remembers whether the first
 * error came while one of them was running, so that the error names them and not the caller's statement.
 */
final class SentAhead {
    /** Statements whose completions are not yet in. */
    private int left;
    /** ParseCompletes of those statements not yet in (0 when they went in a simple Query). */
    private int parsesLeft;
    /** The statements' text, for an error they cause; null when only the standby check is sent ahead. */
    private final @Nullable String sql;
    /** Whether the {@link StandbyCheck} is the last of the statements. */
    private final boolean standbyChecked;

    private boolean failed;
    private boolean standbyCheckFailed;

    private SentAhead(List<String> prefix, boolean parsed, boolean standbyChecked, boolean checkParsed) {
        this.left = prefix.size() + (standbyChecked ? 1 : 0);
        this.parsesLeft = (parsed ? prefix.size() : 0) + (checkParsed ? 1 : 0);
        this.sql = prefix.isEmpty() ? null : String.join("; ", prefix);
        this.standbyChecked = standbyChecked;
    }

    /**
     * Describes what a request sends ahead of its own statement.
     *
     * @param prefix the statements, in order (possibly none)
     * @param parsed whether they were sent with Parse (extended protocol) rather than in a simple Query; the standby
     *     check then was too, when it is sent as {@link StandbyCheck.Send#PARSE_AND_RUN}
     * @param check how the standby check follows them
     * @return the statements sent ahead, or null when there are none
     */
    static @Nullable SentAhead of(List<String> prefix, boolean parsed, StandbyCheck.Send check) {
        if (prefix.isEmpty() && check == StandbyCheck.Send.NONE) {
            return null;
        }
        return new SentAhead(
                prefix, parsed, check != StandbyCheck.Send.NONE, parsed && check == StandbyCheck.Send.PARSE_AND_RUN);
    }

    /** Returns true while the answers coming (rows, their description) belong to a statement sent ahead. */
    boolean running() {
        return left > 0;
    }

    /** Takes a CommandComplete: true when it was a statement sent ahead's. */
    boolean completed() {
        if (left > 0) {
            left--;
            return true;
        }
        return false;
    }

    /** Takes a ParseComplete: true when it was a statement sent ahead's. */
    boolean parsed() {
        if (parsesLeft > 0) {
            parsesLeft--;
            return true;
        }
        return false;
    }

    /** Returns true when every statement sent with Parse was parsed (so a prepared standby check exists). */
    boolean allParsed() {
        return parsesLeft == 0;
    }

    /** Notes the exchange's first error: it failed here when one of the statements was running. */
    void errorArrived() {
        failed = left > 0;
        standbyCheckFailed = standbyChecked && left == 1;
    }

    /** Returns true when the exchange failed because its {@link StandbyCheck} did: nothing after it ran. */
    boolean standbyCheckFailed() {
        return standbyCheckFailed;
    }

    /**
     * Returns the exchange's error when a statement sent ahead caused it, naming that statement; null otherwise.
     *
     * @param error the exchange's first error
     */
    @Nullable
    ServerErrorException failure(ServerError error) {
        if (standbyCheckFailed) {
            return new ServerErrorException(error, "the standby check, sent ahead of the statement", true);
        }
        return failed ? new ServerErrorException(error, sql + ", sent ahead of the statement", true) : null;
    }
}
