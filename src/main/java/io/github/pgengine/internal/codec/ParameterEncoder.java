package io.github.pgengine.internal.codec;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.Period;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.threeten.extra.PeriodDuration;

/**
 * Turns Java parameter values into what a Bind message carries: a type OID for the Parse message and the value's
 * text, or its binary form for {@code byte[]} (raw bytes) and for integers declared {@code int2}, {@code int4} or
 * {@code int8} (big-endian, 2, 4 or 8 bytes). Types are chosen by Java class, as pgjdbc does
 * ({@code Integer} is {@code int4}, {@code Long} {@code int8}, ...); a {@code String} is sent untyped so the server
 * infers its type from the statement. Anything else fails with an {@link IllegalArgumentException} that names
 * the parameter, before anything is sent.
 */
public final class ParameterEncoder {
    /** The most parameters one statement may have: the protocol counts them in 16 bits. */
    public static final int MAX_PARAMETERS = 65_535;

    private static final HexFormat HEX = HexFormat.of();
    private static final String SUPPORTED = "null, Boolean, Short, Byte, Integer, Long, BigInteger, BigDecimal, Float, "
            + "Double, String, Character, char[], an enum, UUID, LocalDate, LocalTime, LocalDateTime, OffsetDateTime, "
            + "Instant, ZonedDateTime, OffsetTime, java.util.Date, java.sql.Date, java.sql.Time, Duration, Period, "
            + "PeriodDuration, byte[], ByteBuffer, InetAddress, Optional, a Collection or array of these";

    private ParameterEncoder() {}

    /**
     * The encoded parameters of one statement.
     *
     * @param types the type OID of each parameter (0: let the server infer it)
     * @param values each value: a {@code String} (text format), a {@code byte[]} (binary format), a {@code Short},
     *     {@code Integer} or {@code Long} (binary format, 2, 4 or 8 bytes; only where the type is {@code int2},
     *     {@code int4} or {@code int8} respectively) or {@code null}
     */
    @SuppressWarnings("ArrayRecordComponent") // made once per call, never changed, read by the message writer
    public record Encoded(int[] types, @Nullable Object[] values) {}

    /**
     * Encodes every parameter of a statement.
     *
     * @param values the values, in placeholder order
     * @return their types and texts
     * @throws IllegalArgumentException naming the first parameter that cannot be sent
     */
    public static Encoded encode(List<@Nullable Object> values) {
        int n = values.size();
        if (n > MAX_PARAMETERS) {
            throw new IllegalArgumentException("a statement may have at most " + MAX_PARAMETERS + " parameters (was "
                    + n + "); send a list as one array parameter instead (= ANY($1))");
        }
        int[] types = new int[n];
        @Nullable Object[] out = new Object[n];
        for (int i = 0; i < n; i++) {
            Object value = values.get(i);
            try {
                Object v = unwrap(value);
                if (v instanceof byte[] bytes) {
                    types[i] = PgTypes.BYTEA;
                    out[i] = bytes;
                } else if (v instanceof ByteBuffer buffer) {
                    ByteBuffer copy = buffer.duplicate();
                    byte[] bytes = new byte[copy.remaining()];
                    copy.get(bytes);
                    types[i] = PgTypes.BYTEA;
                    out[i] = bytes;
                } else if (v != null) {
                    int type = typeOf(v);
                    Object binary = binaryInteger(v, type);
                    types[i] = type;
                    out[i] = binary != null ? binary : text(v);
                } else {
                    types[i] = PgTypes.UNSPECIFIED;
                }
            } catch (IllegalArgumentException | ArithmeticException | java.time.DateTimeException e) {
                throw new IllegalArgumentException("parameter $" + (i + 1) + " cannot be sent: " + e.getMessage(), e);
            }
        }
        return new Encoded(types, out);
    }

    /**
     * The value to send in binary format when it is an integer declared with the type of its own width (2, 4 or 8
     * bytes), so the server reads exactly the bytes the Bind message carries; {@code null} when it travels as text.
     */
    private static @Nullable Object binaryInteger(Object v, int type) {
        if ((v instanceof Integer && type == PgTypes.INT4)
                || (v instanceof Long && type == PgTypes.INT8)
                || (v instanceof Short && type == PgTypes.INT2)) {
            return v;
        }
        if (v instanceof Byte b && type == PgTypes.INT2) {
            return Short.valueOf(b); // from Short's cache: every byte is in it
        }
        return null;
    }

    private static @Nullable Object unwrap(@Nullable Object value) {
        Object v = value;
        while (v instanceof Optional<?> o) {
            v = o.orElse(null);
        }
        return v;
    }

    /** Returns the OID to declare for a value, 0 to let the server infer it. */
    static int typeOf(@Nullable Object value) {
        if (value == null) {
            return PgTypes.UNSPECIFIED;
        }
        int scalar = scalarType(value);
        if (scalar >= 0) {
            return scalar;
        }
        if (isList(value)) {
            int element = elementType(value, -1);
            return element <= 0 ? PgTypes.UNSPECIFIED : PgTypes.arrayOf(element);
        }
        throw unsupported(value);
    }

    /** @return the OID of a scalar value, {@link PgTypes#UNSPECIFIED} for text-like ones, -1 when not a scalar */
    private static int scalarType(Object v) {
        if (v instanceof String || v instanceof Character || v instanceof char[] || v instanceof Enum<?>) {
            return PgTypes.UNSPECIFIED;
        }
        if (v instanceof Integer) {
            return PgTypes.INT4;
        }
        if (v instanceof Long) {
            return PgTypes.INT8;
        }
        if (v instanceof Short || v instanceof Byte) {
            return PgTypes.INT2;
        }
        if (v instanceof Boolean) {
            return PgTypes.BOOL;
        }
        if (v instanceof BigDecimal || v instanceof BigInteger) {
            return PgTypes.NUMERIC;
        }
        if (v instanceof Double) {
            return PgTypes.FLOAT8;
        }
        if (v instanceof Float) {
            return PgTypes.FLOAT4;
        }
        if (v instanceof UUID) {
            return PgTypes.UUID;
        }
        if (v instanceof LocalDate || v instanceof java.sql.Date) {
            return PgTypes.DATE;
        }
        if (v instanceof LocalTime || v instanceof java.sql.Time) {
            return PgTypes.TIME;
        }
        if (v instanceof LocalDateTime) {
            return PgTypes.TIMESTAMP;
        }
        if (v instanceof OffsetDateTime
                || v instanceof Instant
                || v instanceof ZonedDateTime
                || v instanceof java.util.Date) {
            return PgTypes.TIMESTAMPTZ;
        }
        if (v instanceof OffsetTime) {
            return PgTypes.TIMETZ;
        }
        if (v instanceof Duration || v instanceof Period || v instanceof PeriodDuration) {
            return PgTypes.INTERVAL;
        }
        if (v instanceof byte[] || v instanceof ByteBuffer) {
            return PgTypes.BYTEA;
        }
        if (v instanceof InetAddress) {
            return PgTypes.INET;
        }
        return -1;
    }

    private static boolean isList(Object v) {
        return v instanceof Collection<?>
                || (v.getClass().isArray() && !(v instanceof byte[]) && !(v instanceof char[]));
    }

    /**
     * The common element type of a (nested) list: -1 while none is seen, 0 when they differ or are text-like.
     */
    private static int elementType(Object list, int sofar) {
        int type = sofar;
        for (Object e : elements(list)) {
            Object v = unwrap(e);
            if (v == null) {
                continue;
            }
            int t;
            if (isList(v)) {
                t = elementType(v, type);
            } else {
                t = scalarType(v);
                if (t < 0) {
                    throw unsupported(v);
                }
            }
            type = type < 0 ? t : common(type, t);
        }
        return type;
    }

    private static int common(int a, int b) {
        if (a == b) {
            return a;
        }
        if (isInteger(a) && isInteger(b)) {
            return a == PgTypes.INT8 || b == PgTypes.INT8 ? PgTypes.INT8 : PgTypes.INT4;
        }
        if ((isInteger(a) || a == PgTypes.NUMERIC) && (isInteger(b) || b == PgTypes.NUMERIC)) {
            return PgTypes.NUMERIC;
        }
        if ((a == PgTypes.FLOAT4 || a == PgTypes.FLOAT8) && (b == PgTypes.FLOAT4 || b == PgTypes.FLOAT8)) {
            return PgTypes.FLOAT8;
        }
        return PgTypes.UNSPECIFIED;
    }

    private static boolean isInteger(int t) {
        return t == PgTypes.INT2 || t == PgTypes.INT4 || t == PgTypes.INT8;
    }

    private static List<@Nullable Object> elements(Object list) {
        if (list instanceof Collection<?> c) {
            return new ArrayList<>(c);
        }
        int n = java.lang.reflect.Array.getLength(list);
        List<@Nullable Object> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(java.lang.reflect.Array.get(list, i));
        }
        return out;
    }

    /**
     * The text form of a non-null value.
     *
     * @param v the value
     * @return what the server reads
     */
    static String text(Object v) {
        if (v instanceof String s) {
            return checkedText(s);
        }
        if (v instanceof Integer
                || v instanceof Long
                || v instanceof Short
                || v instanceof Byte
                || v instanceof BigInteger) {
            return v.toString();
        }
        if (v instanceof BigDecimal d) {
            return d.toString();
        }
        if (v instanceof Boolean b) {
            return b ? "t" : "f";
        }
        if (v instanceof Double d) {
            return floatText(d);
        }
        if (v instanceof Float f) {
            return floatText(f.doubleValue());
        }
        if (v instanceof Character c) {
            return checkedText(String.valueOf(c));
        }
        if (v instanceof char[] chars) {
            return checkedText(new String(chars));
        }
        if (v instanceof Enum<?> e) {
            return e.name();
        }
        if (v instanceof UUID u) {
            return u.toString();
        }
        if (v instanceof java.sql.Date d) {
            return TemporalText.format(d.toLocalDate());
        }
        if (v instanceof java.sql.Time t) {
            return TemporalText.format(t.toLocalTime());
        }
        if (v instanceof java.util.Date d) {
            return TemporalText.format(OffsetDateTime.ofInstant(d.toInstant(), ZoneOffset.UTC));
        }
        if (v instanceof LocalDate d) {
            return TemporalText.format(d);
        }
        if (v instanceof LocalTime t) {
            return TemporalText.format(t);
        }
        if (v instanceof LocalDateTime t) {
            return TemporalText.format(t);
        }
        if (v instanceof OffsetDateTime t) {
            return TemporalText.format(t);
        }
        if (v instanceof Instant i) {
            if (i.equals(Instant.MAX)) {
                return TemporalText.INFINITY;
            }
            if (i.equals(Instant.MIN)) {
                return TemporalText.MINUS_INFINITY;
            }
            return TemporalText.format(OffsetDateTime.ofInstant(i, ZoneOffset.UTC));
        }
        if (v instanceof ZonedDateTime z) {
            return TemporalText.format(z.toOffsetDateTime());
        }
        if (v instanceof OffsetTime t) {
            return TemporalText.format(t);
        }
        if (v instanceof Duration d) {
            return IntervalText.format(Period.ZERO, d);
        }
        if (v instanceof Period p) {
            return IntervalText.format(p, Duration.ZERO);
        }
        if (v instanceof PeriodDuration pd) {
            return IntervalText.format(pd);
        }
        if (v instanceof byte[] b) {
            return "\\x" + HEX.formatHex(b);
        }
        if (v instanceof ByteBuffer buffer) {
            ByteBuffer copy = buffer.duplicate();
            byte[] bytes = new byte[copy.remaining()];
            copy.get(bytes);
            return "\\x" + HEX.formatHex(bytes);
        }
        if (v instanceof InetAddress a) {
            String host = a.getHostAddress();
            int scope = a instanceof Inet6Address ? host.indexOf('%') : -1;
            return scope >= 0 ? host.substring(0, scope) : host;
        }
        if (isList(v)) {
            StringBuilder sb = new StringBuilder();
            appendArray(sb, v);
            return sb.toString();
        }
        throw unsupported(v);
    }

    private static void appendArray(StringBuilder sb, Object list) {
        sb.append('{');
        boolean first = true;
        for (Object e : elements(list)) {
            if (!first) {
                sb.append(',');
            }
            first = false;
            Object v = unwrap(e);
            if (v != null && isList(v)) {
                appendArray(sb, v);
            } else {
                ArrayText.appendElement(sb, v == null ? null : text(v));
            }
        }
        sb.append('}');
    }

    private static String floatText(double d) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "Infinity" : "-Infinity";
        }
        return Double.toString(d);
    }

    /**
     * Refuses text the server cannot store faithfully: a NUL character, or half of a UTF-16 surrogate pair
     * (Java's UTF-8 encoder would replace it with {@code ?}).
     *
     * @param s the text
     * @return the same text
     * @throws IllegalArgumentException naming the position
     */
    public static String checkedText(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == 0) {
                throw new IllegalArgumentException("the text contains a NUL character at index " + i
                        + "; PostgreSQL text cannot hold it (send binary data as byte[])");
            }
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else {
                    throw new IllegalArgumentException("the text contains a lone UTF-16 surrogate (\\u"
                            + String.format("%04x", (int) c) + ") at index " + i + "; it is not valid Unicode and "
                            + "cannot be encoded as UTF-8");
                }
            }
        }
        return s;
    }

    private static IllegalArgumentException unsupported(Object v) {
        return new IllegalArgumentException(
                "pgengine cannot send a " + v.getClass().getName() + " (supported: " + SUPPORTED
                        + "); convert it first, for example to a String");
    }
}
