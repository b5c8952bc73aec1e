package io.github.pgengine.internal;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Brings parameter values into the forms the driver encodes correctly.
 *
 * <p>jasync fails on {@link Instant} and {@link ZonedDateTime}, turns primitive arrays into their
 * {@code toString()}, and pins each prepared statement's parameter types to the Java classes of its first
 * call (so {@code Integer} then {@code Long} breaks). Normalising here avoids all of it: integral numbers
 * travel as {@code Long}, floating point as {@code Double}, instants as UTC {@link OffsetDateTime}.
 */
public final class ParameterValues {

    private ParameterValues() {}

    /**
     * Normalises the values, in order, for the given placeholder layout.
     *
     * @param sql the parsed statement
     * @param params the caller's values
     * @return the values the driver receives, one per {@code ?} in {@link ParsedSql#driverSql()}
     * @throws IllegalArgumentException when the count is wrong or a value cannot be sent
     */
    public static List<@Nullable Object> arrange(ParsedSql sql, @Nullable Object[] params) {
        if (params.length != sql.parameterCount()) {
            throw new IllegalArgumentException("the SQL expects " + sql.parameterCount() + " parameter"
                    + (sql.parameterCount() == 1 ? "" : "s") + " but " + params.length
                    + (params.length == 1 ? " was" : " were") + " given");
        }
        int[] order = sql.valueOrder();
        List<@Nullable Object> out = new ArrayList<>(order.length);
        for (int index : order) {
            out.add(normalize(params[index], index + 1));
        }
        return out;
    }

    /**
     * Normalises one value.
     *
     * @param value the value
     * @param position its 1-based parameter number, for messages
     * @return the value to send
     */
    static @Nullable Object normalize(@Nullable Object value, int position) {
        if (value == null) {
            return null;
        }
        if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return ((Number) value).longValue();
        }
        if (value instanceof Float f) {
            return f.doubleValue();
        }
        if (value instanceof BigInteger bi) {
            return new BigDecimal(bi);
        }
        if (value instanceof Instant i) {
            return OffsetDateTime.ofInstant(i, ZoneOffset.UTC);
        }
        if (value instanceof ZonedDateTime z) {
            return z.toOffsetDateTime();
        }
        if (value instanceof OffsetTime t) {
            return t.toString();
        }
        if (value instanceof Character c) {
            return String.valueOf(c);
        }
        if (value instanceof char[] chars) {
            return new String(chars);
        }
        if (value instanceof Enum<?> e) {
            return e.name();
        }
        if (value instanceof Optional<?> o) {
            return normalize(o.orElse(null), position);
        }
        if (value instanceof String s) {
            if (s.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("parameter $" + position + " contains a NUL character; PostgreSQL "
                        + "text cannot hold it (send binary data as byte[])");
            }
            return s;
        }
        if (value instanceof int[] a) {
            return Arrays.stream(a).boxed().toList();
        }
        if (value instanceof long[] a) {
            return Arrays.stream(a).boxed().toList();
        }
        if (value instanceof double[] a) {
            return Arrays.stream(a).boxed().toList();
        }
        if (value instanceof short[] a) {
            List<Long> list = new ArrayList<>(a.length);
            for (short s : a) {
                list.add((long) s);
            }
            return list;
        }
        if (value instanceof boolean[] a) {
            List<Boolean> list = new ArrayList<>(a.length);
            for (boolean b : a) {
                list.add(b);
            }
            return list;
        }
        if (value instanceof float[] a) {
            List<Double> list = new ArrayList<>(a.length);
            for (float f : a) {
                list.add((double) f);
            }
            return list;
        }
        if (value instanceof Object[] a && !(value instanceof byte[])) {
            List<@Nullable Object> list = new ArrayList<>(a.length);
            for (Object o : a) {
                list.add(normalize(o, position));
            }
            return list;
        }
        if (value instanceof Iterable<?> it) {
            List<@Nullable Object> list = new ArrayList<>();
            for (Object o : it) {
                list.add(normalize(o, position));
            }
            return list;
        }
        return value;
    }
}
