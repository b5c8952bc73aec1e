package io.github.pgengine.internal.wire;

import io.github.pgengine.EngineException;
import io.github.pgengine.internal.codec.PgTypes;
import io.github.pgengine.internal.codec.TextDecoders;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * One result row as the server sent it: a copy of the DataRow's bytes and where each value starts, decoding a
 * column to its Java value on first access and keeping that value. A row read only in part costs one array copy,
 * not a Java object per column. Safe to read from several threads: the first decoded value of a column wins, and
 * every reader sees that same instance.
 *
 * <p>A value the decoders cannot read is never handed out as its text in place of its Java type: reading it throws
 * an {@link EngineException} naming the column, its type and the server's text, every time it is read.
 */
public final class RowData {
    private static final VarHandle VALUES = MethodHandles.arrayElementVarHandle(Object[].class);
    /** Marks a column not decoded yet (SQL NULL is {@code null}). */
    private static final Object PENDING = new Object();

    private static final byte[] NO_BYTES = new byte[0];
    private static final String[] NO_NAMES = new String[0];
    /** The most characters of an undecodable value's text that its error shows. */
    private static final int SHOWN_TEXT = 100;

    /** The column names, for messages (shared; empty for a row made of values). */
    private final String[] names;

    private final int[] types;
    private final byte[] bytes;
    /** Where each value starts in {@link #bytes}; its length is the 4 bytes before it (-1 for NULL). */
    private final int[] starts;

    private final @Nullable Object[] values;

    private RowData(String[] names, int[] types, byte[] bytes, int[] starts, @Nullable Object[] values) {
        this.names = names;
        this.types = types;
        this.bytes = bytes;
        this.starts = starts;
        this.values = values;
    }

    /**
     * Makes a row of values already decoded.
     *
     * @param values one value per column (kept, not copied)
     * @return the row
     */
    public static RowData of(@Nullable Object[] values) {
        return new RowData(NO_NAMES, new int[values.length], NO_BYTES, new int[values.length], values);
    }

    /**
     * Makes a row from a DataRow body: each value as a 4-byte length (-1 for NULL) and that many bytes of text.
     *
     * @param names the columns' names, for messages (shared, not copied)
     * @param types the columns' type OIDs (shared, not copied)
     * @param body the values, starting right after the DataRow's column count (copied)
     * @return the row
     * @throws Exchange.ProtocolException when the values do not fit the body
     */
    static RowData parse(String[] names, int[] types, byte[] body) {
        int n = types.length;
        int[] starts = new int[n];
        int p = 0;
        for (int i = 0; i < n; i++) {
            if (body.length - p < 4) {
                throw new Exchange.ProtocolException("DataRow ends before value " + (i + 1) + " of " + n);
            }
            int length = readInt(body, p);
            p += 4;
            starts[i] = p;
            if (length > 0) {
                if (length > body.length - p) {
                    throw new Exchange.ProtocolException("DataRow value of " + length + " bytes in a message with "
                            + (body.length - p) + " bytes left");
                }
                p += length;
            }
        }
        @Nullable Object[] values = new Object[n];
        Arrays.fill(values, PENDING);
        return new RowData(names, types, body, starts, values);
    }

    private static int readInt(byte[] b, int at) {
        return ((b[at] & 0xff) << 24) | ((b[at + 1] & 0xff) << 16) | ((b[at + 2] & 0xff) << 8) | (b[at + 3] & 0xff);
    }

    /** Returns the number of columns. */
    public int size() {
        return values.length;
    }

    /**
     * Returns a column's value, decoding it on first access.
     *
     * @param index the column, from 0
     * @return its value; {@code null} for SQL NULL
     * @throws IndexOutOfBoundsException for a column the row does not have
     * @throws EngineException when the server's text of the value cannot be decoded to the type's Java value
     */
    public @Nullable Object get(int index) {
        Object v = value(index);
        if (v instanceof Undecodable u) {
            throw u.exception();
        }
        return v;
    }

    /**
     * Returns a column's value for display (a log line, {@code toString}): as {@link #get}, but a value that cannot
     * be decoded is a stand-in whose {@code toString} says so, instead of an exception.
     *
     * @param index the column, from 0
     * @return its value, or the stand-in; {@code null} for SQL NULL
     */
    public @Nullable Object shown(int index) {
        return value(index);
    }

    /**
     * Returns every value, decoded, in a new array.
     *
     * @throws EngineException when a value cannot be decoded
     */
    public @Nullable Object[] toArray() {
        @Nullable Object[] out = new Object[values.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = get(i);
        }
        return out;
    }

    /** Returns every value as {@link #shown} gives it, in a new array. */
    public @Nullable Object[] toShownArray() {
        @Nullable Object[] out = new Object[values.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = shown(i);
        }
        return out;
    }

    /** The decoded value, or an {@link Undecodable}, decoding on first access; every reader gets the same one. */
    private @Nullable Object value(int index) {
        Object v = VALUES.getAcquire(values, index);
        if (v != PENDING) {
            return v;
        }
        Object decoded = decode(index);
        Object witness = VALUES.compareAndExchangeRelease(values, index, PENDING, decoded);
        return witness == PENDING ? decoded : witness;
    }

    private @Nullable Object decode(int index) {
        int at = starts[index];
        int length = readInt(bytes, at - 4);
        if (length < 0) {
            return null;
        }
        try {
            return TextDecoders.decode(types[index], bytes, at, length);
        } catch (RuntimeException e) {
            return new Undecodable(index, new String(bytes, at, length, StandardCharsets.UTF_8), e);
        }
    }

    /** A value the decoders could not read: what reading it reports. */
    private final class Undecodable {
        private final int index;
        private final String text;
        private final RuntimeException cause;

        Undecodable(int index, String text, RuntimeException cause) {
            this.index = index;
            this.text = text;
            this.cause = cause;
        }

        /** A new exception for each read, so each carries the stack of its own read. */
        EngineException exception() {
            String column = index < names.length ? "\"" + names[index] + "\"" : "number " + (index + 1);
            return new EngineException(
                    "cannot decode column " + column + " (" + PgTypes.name(types[index]) + ") from the server's text "
                            + quoted(text) + ": " + reason(cause),
                    cause);
        }

        @Override
        public String toString() {
            return "<cannot decode " + PgTypes.name(types[index]) + " " + quoted(text) + ">";
        }
    }

    /** The text in quotes, its first {@value #SHOWN_TEXT} characters when it is longer (values may be long). */
    private static String quoted(String text) {
        if (text.length() <= SHOWN_TEXT) {
            return "'" + text + "'";
        }
        int end = Character.isHighSurrogate(text.charAt(SHOWN_TEXT - 1)) ? SHOWN_TEXT - 1 : SHOWN_TEXT;
        return "'" + text.substring(0, end) + "...' (" + text.length() + " characters)";
    }

    /** What the decoder said: its own messages as they are, a JDK exception with its class. */
    private static String reason(RuntimeException e) {
        String message = e.getMessage();
        String reason = e.getClass() == IllegalArgumentException.class && message != null ? message : e.toString();
        return reason.length() <= 2 * SHOWN_TEXT ? reason : reason.substring(0, 2 * SHOWN_TEXT) + "...";
    }
}
