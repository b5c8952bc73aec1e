package io.github.pgengine;

import io.github.pgengine.internal.wire.RowData;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * One result row: an immutable, read-only {@code Map<String, Object>} from column name to value, in query
 * order, with typed getters.
 *
 * <p>Values have the Java types listed in {@code docs/types.md} ({@code int4} is {@link Integer},
 * {@code int8} {@link Long}, {@code numeric} {@link BigDecimal}, {@code timestamptz} {@link OffsetDateTime}
 * in UTC, {@code json}/{@code jsonb} {@link String}, SQL {@code NULL} is {@code null}, ...). When two columns
 * share a name, the map holds the first; {@link #get(int)} reaches every column. The typed getters convert
 * between compatible types ({@code getLong} on an {@code int4}) and fail with a message naming the column
 * when they cannot. Unknown column names fail with {@link IllegalArgumentException} listing the columns.
 *
 * <p>A row from the server keeps the server's bytes and decodes a column the first time it is read, keeping the
 * value: reading a few columns of a wide row costs little, and every read of a column returns the same instance.
 * Rows may be read from any thread. A value whose text the engine cannot decode is never returned as that text:
 * every read of it (by any getter, the map's views included) throws an {@link EngineException} naming the column,
 * its type and the server's text; {@link #toString()} shows it as {@code <cannot decode ...>}.
 */
public final class Row extends AbstractMap<String, @Nullable Object> {

    /** Column names and their positions, shared by every row of one result; few columns are searched in order. */
    static final class Columns {
        private static final int INDEXED_FROM = 8;
        final String[] names;
        private final @Nullable Map<String, Integer> index;
        private final int distinct;

        Columns(String[] names) {
            this.names = names;
            if (names.length >= INDEXED_FROM) {
                Map<String, Integer> m = new HashMap<>(names.length * 2);
                for (int i = 0; i < names.length; i++) {
                    m.putIfAbsent(names[i], i);
                }
                this.index = m;
                this.distinct = m.size();
            } else {
                this.index = null;
                int d = 0;
                for (int i = 0; i < names.length; i++) {
                    if (position(names[i]) == i) {
                        d++;
                    }
                }
                this.distinct = d;
            }
        }

        /** Returns the first position of the column, or -1. */
        int position(Object name) {
            if (index != null) {
                Integer i = index.get(name);
                return i == null ? -1 : i;
            }
            for (int i = 0; i < names.length; i++) {
                if (names[i].equals(name)) {
                    return i;
                }
            }
            return -1;
        }
    }

    private final Columns columns;
    /** The values, each decoded from the server's text on first access. */
    private final RowData values;

    Row(Columns columns, RowData values) {
        this.columns = columns;
        this.values = values;
    }

    /**
     * Creates a row; used by the engine and handy in tests.
     *
     * @param names the column names, in order
     * @param values the values, one per column
     * @return the row
     */
    public static Row of(List<String> names, List<?> values) {
        if (names.size() != values.size()) {
            throw new IllegalArgumentException(
                    "a row needs one value per column (" + names.size() + " names, " + values.size() + " values)");
        }
        return new Row(new Columns(names.toArray(new String[0])), RowData.of(values.toArray()));
    }

    /** Returns the column names in query order (duplicates included). */
    public List<String> columnNames() {
        return List.of(columns.names);
    }

    /** Returns the number of columns (duplicates included). */
    public int columnCount() {
        return values.size();
    }

    /**
     * Returns the value at a position.
     *
     * @param index 0-based column position
     * @return the value, can be {@code null}
     */
    public @Nullable Object get(int index) {
        if (index < 0 || index >= values.size()) {
            throw new IndexOutOfBoundsException(
                    "column index " + index + " is out of range; the row has " + values.size() + " columns");
        }
        return values.get(index);
    }

    @Override
    public @Nullable Object get(Object key) {
        int i = columns.position(key);
        return i < 0 ? null : values.get(i);
    }

    @Override
    public boolean containsKey(Object key) {
        return columns.position(key) >= 0;
    }

    @Override
    public int size() {
        return columns.distinct;
    }

    @Override
    public Set<Entry<String, @Nullable Object>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<Entry<String, @Nullable Object>> iterator() {
                return new Iterator<>() {
                    private int next = advance(0);

                    private int advance(int from) {
                        int i = from;
                        while (i < columns.names.length && columns.position(columns.names[i]) != i) {
                            i++;
                        }
                        return i;
                    }

                    @Override
                    public boolean hasNext() {
                        return next < columns.names.length;
                    }

                    @Override
                    public Entry<String, @Nullable Object> next() {
                        if (!hasNext()) {
                            throw new NoSuchElementException();
                        }
                        int i = next;
                        next = advance(i + 1);
                        return new SimpleImmutableEntry<>(columns.names[i], values.get(i));
                    }
                };
            }

            @Override
            public int size() {
                return columns.distinct;
            }
        };
    }

    /**
     * Returns the value in the named column.
     *
     * @param column the column name
     * @return the value, or {@code null} for SQL NULL
     * @throws IllegalArgumentException when the row has no such column
     */
    public @Nullable Object getObject(String column) {
        return values.get(indexOf(column));
    }

    /**
     * Reads a column as the given type, converting between compatible types.
     *
     * @param column the column name
     * @param type the wanted type
     * @param <T> the wanted type
     * @return the value, or {@code null} for SQL NULL
     * @throws IllegalArgumentException when the column is missing or cannot be read as {@code type}
     */
    public <T> @Nullable T get(String column, Class<T> type) {
        Object v = getObject(column);
        if (v == null) {
            return null;
        }
        if (v.getClass() == type) { // the usual case: the column's own type, nothing to convert
            return type.cast(v);
        }
        Object converted = convert(column, v, type);
        return type.cast(converted);
    }

    /**
     * Returns the value as text in the named column.
     *
     * @param column the column name
     * @return the value as text, or {@code null}
     */
    public @Nullable String getString(String column) {
        Object v = getObject(column);
        return v == null ? null : v.toString();
    }

    /**
     * Returns the value as an Integer in the named column.
     *
     * @param column the column name
     * @return the value as an Integer, or {@code null}
     */
    public @Nullable Integer getInt(String column) {
        return get(column, Integer.class);
    }

    /**
     * Returns the value as a Long in the named column.
     *
     * @param column the column name
     * @return the value as a Long, or {@code null}
     */
    public @Nullable Long getLong(String column) {
        return get(column, Long.class);
    }

    /**
     * Returns the value as a Double in the named column.
     *
     * @param column the column name
     * @return the value as a Double, or {@code null}
     */
    public @Nullable Double getDouble(String column) {
        return get(column, Double.class);
    }

    /**
     * Returns the value as a Boolean in the named column.
     *
     * @param column the column name
     * @return the value as a Boolean, or {@code null}
     */
    public @Nullable Boolean getBoolean(String column) {
        return get(column, Boolean.class);
    }

    /**
     * Returns the value as a BigDecimal in the named column.
     *
     * @param column the column name
     * @return the value as a BigDecimal, or {@code null}
     */
    public @Nullable BigDecimal getBigDecimal(String column) {
        return get(column, BigDecimal.class);
    }

    /**
     * Returns the value as a UUID in the named column.
     *
     * @param column the column name
     * @return the value as a UUID, or {@code null}
     */
    public @Nullable UUID getUuid(String column) {
        return get(column, UUID.class);
    }

    /**
     * Returns the value as an OffsetDateTime in the named column.
     *
     * @param column the column name
     * @return the value as an OffsetDateTime, or {@code null}
     */
    public @Nullable OffsetDateTime getOffsetDateTime(String column) {
        return get(column, OffsetDateTime.class);
    }

    /**
     * Returns the value as an Instant in the named column.
     *
     * @param column the column name
     * @return the value as an Instant, or {@code null}
     */
    public @Nullable Instant getInstant(String column) {
        return get(column, Instant.class);
    }

    /**
     * Returns the value as a LocalDate in the named column.
     *
     * @param column the column name
     * @return the value as a LocalDate, or {@code null}
     */
    public @Nullable LocalDate getLocalDate(String column) {
        return get(column, LocalDate.class);
    }

    /**
     * Returns the value as a LocalDateTime in the named column.
     *
     * @param column the column name
     * @return the value as a LocalDateTime, or {@code null}
     */
    public @Nullable LocalDateTime getLocalDateTime(String column) {
        return get(column, LocalDateTime.class);
    }

    /**
     * Returns the value as a LocalTime in the named column.
     *
     * @param column the column name
     * @return the value as a LocalTime, or {@code null}
     */
    public @Nullable LocalTime getLocalTime(String column) {
        return get(column, LocalTime.class);
    }

    /**
     * Returns the bytes of a {@code bytea} in the named column.
     *
     * @param column the column name
     * @return the bytes of a {@code bytea}, or {@code null}
     */
    public byte @Nullable [] getBytes(String column) {
        return get(column, byte[].class);
    }

    /**
     * Returns the elements of an array column in the named column.
     *
     * @param column the column name
     * @return the elements of an array column, or {@code null}
     */
    @SuppressWarnings("unchecked")
    public @Nullable List<@Nullable Object> getList(String column) {
        return (List<@Nullable Object>) get(column, List.class);
    }

    private int indexOf(String column) {
        int i = columns.position(column);
        if (i < 0) {
            throw new IllegalArgumentException(
                    "no column named '" + column + "'; the row has " + Arrays.toString(columns.names));
        }
        return i;
    }

    private static Object convert(String column, Object v, Class<?> type) {
        if (type.isInstance(v)) {
            return v;
        }
        try {
            if (type == Long.class && v instanceof Number n && isIntegral(n)) {
                return exactLong(n);
            }
            if (type == Integer.class && v instanceof Number n && isIntegral(n)) {
                return Math.toIntExact(exactLong(n));
            }
            if (type == Short.class && v instanceof Number n && isIntegral(n)) {
                long l = exactLong(n);
                if (l < Short.MIN_VALUE || l > Short.MAX_VALUE) {
                    throw new ArithmeticException("out of range");
                }
                return (short) l;
            }
            if (type == Double.class && v instanceof Number n) {
                return n.doubleValue();
            }
            if (type == Float.class && v instanceof Number n) {
                return n.floatValue();
            }
            if (type == BigDecimal.class && v instanceof Number n && !(v instanceof Double d && !Double.isFinite(d))) {
                return v instanceof BigInteger bi ? new BigDecimal(bi) : new BigDecimal(n.toString());
            }
            if (type == BigInteger.class && v instanceof Number n && isIntegral(n)) {
                return v instanceof BigDecimal bd ? bd.toBigIntegerExact() : BigInteger.valueOf(n.longValue());
            }
            if (type == Instant.class && v instanceof OffsetDateTime odt) {
                return odt.toInstant();
            }
            if (type == OffsetDateTime.class && v instanceof Instant i) {
                return OffsetDateTime.ofInstant(i, ZoneOffset.UTC);
            }
            if (type == UUID.class && v instanceof String s) {
                return UUID.fromString(s);
            }
            if (type == String.class) {
                return v.toString();
            }
        } catch (ArithmeticException | IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "column '" + column + "' holds " + v.getClass().getSimpleName() + " " + v + " which does not fit "
                            + type.getSimpleName(),
                    e);
        }
        throw new IllegalArgumentException(
                "column '" + column + "' holds " + v.getClass().getSimpleName()
                        + (v instanceof Double d && !Double.isFinite(d) ? " " + v : "")
                        + " which cannot be read as " + type.getSimpleName());
    }

    private static boolean isIntegral(Number n) {
        return n instanceof Long
                || n instanceof Integer
                || n instanceof Short
                || n instanceof Byte
                || n instanceof BigInteger
                || (n instanceof BigDecimal bd && bd.stripTrailingZeros().scale() <= 0);
    }

    private static long exactLong(Number n) {
        if (n instanceof BigDecimal bd) {
            return bd.longValueExact();
        }
        if (n instanceof BigInteger bi) {
            return bi.longValueExact();
        }
        return n.longValue();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                sb.append(", ");
            }
            Object v = values.shown(i); // a value that cannot be decoded says so here instead of throwing
            sb.append(columns.names[i]).append('=').append(v instanceof byte[] b ? "<" + b.length + " bytes>" : v);
        }
        return sb.append('}').toString();
    }
}
