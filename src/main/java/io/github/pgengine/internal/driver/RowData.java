package io.github.pgengine.internal.driver;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One result row as the server sent it: a copy of the DataRow's bytes and where each value starts, decoding a
 * column to its Java value on first access and keeping that value. A row read only in part costs one array copy,
 * not a Java object per column. Safe to read from several threads: the first decoded value of a column wins, and
 * every reader sees that same instance.
 */
public final class RowData {
    private static final Logger LOG = LoggerFactory.getLogger(RowData.class);
    private static final VarHandle VALUES = MethodHandles.arrayElementVarHandle(Object[].class);
    /** Marks a column not decoded yet (SQL NULL is {@code null}). */
    private static final Object PENDING = new Object();

    private static final byte[] NO_BYTES = new byte[0];

    private final int[] types;
    private final byte[] bytes;
    /** Where each value starts in {@link #bytes}; its length is the 4 bytes before it (-1 for NULL). */
    private final int[] starts;

    private final @Nullable Object[] values;

    private RowData(int[] types, byte[] bytes, int[] starts, @Nullable Object[] values) {
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
        return new RowData(new int[values.length], NO_BYTES, new int[values.length], values);
    }

    /**
     * Makes a row from a DataRow body: each value as a 4-byte length (-1 for NULL) and that many bytes of text.
     *
     * @param types the columns' type OIDs (shared, not copied)
     * @param body the values, starting right after the DataRow's column count (copied)
     * @return the row
     * @throws Exchange.ProtocolException when the values do not fit the body
     */
    static RowData parse(int[] types, byte[] body) {
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
        return new RowData(types, body, starts, values);
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
     */
    public @Nullable Object get(int index) {
        Object v = VALUES.getAcquire(values, index);
        if (v != PENDING) {
            return v;
        }
        Object decoded = decode(index);
        Object witness = VALUES.compareAndExchangeRelease(values, index, PENDING, decoded);
        return witness == PENDING ? decoded : witness;
    }

    /** Returns every value, decoded, in a new array. */
    public @Nullable Object[] toArray() {
        @Nullable Object[] out = new Object[values.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = get(i);
        }
        return out;
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
            LOG.debug("cannot decode a value of type {}; returning its text: {}", types[index], e.toString());
            return new String(bytes, at, length, StandardCharsets.UTF_8);
        }
    }
}
