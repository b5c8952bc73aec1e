package io.github.pgengine.internal.wire;

import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The fields of one ErrorResponse or NoticeResponse, by protocol field code ({@code C} SQLSTATE, {@code M}
 * message, {@code D} detail, {@code H} hint, {@code n} constraint, ...).
 *
 * @param fields the fields by code
 */
public record ServerError(Map<Character, String> fields) {

    /** Returns the SQLSTATE, or {@code null} when the server sent none. */
    public @Nullable String sqlState() {
        return fields.get('C');
    }

    /** Returns the non-localised severity ({@code ERROR}, {@code FATAL}, {@code PANIC}, {@code WARNING}, ...). */
    public String severity() {
        String v = fields.get('V');
        return v != null ? v : fields.getOrDefault('S', "ERROR");
    }

    /** Returns the primary message. */
    public String message() {
        return fields.getOrDefault('M', "(no message)");
    }

    /** Returns true for an ordinary ERROR, after which the session goes on. */
    public boolean isSessionError() {
        return "ERROR".equals(severity());
    }

    @Override
    public String toString() {
        return severity() + " " + sqlState() + ": " + message();
    }
}
