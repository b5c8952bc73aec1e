package io.github.pgengine.internal.codec;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Turns column values from the server's text format into Java values, by type OID (the table is in
 * docs/types.md). A value of a type it decodes that it cannot read fails with a {@link RuntimeException} saying why;
 * it never comes back as its text, which would change its Java type. Decoding runs when a column is first read
 * (the row of {@code internal.wire}), never while the connection reads the server's messages, so a failure costs nothing but that
 * read.
 */
public final class TextDecoders {
    private static final HexFormat HEX = HexFormat.of();

    private TextDecoders() {}

    /**
     * Decodes one value straight from a row's bytes.
     *
     * @param oid the column's type
     * @param buf the bytes
     * @param index where the value starts
     * @param length its length in bytes
     * @return the Java value
     * @throws RuntimeException when the bytes are not the server's text of the type
     */
    public static Object decode(int oid, byte[] buf, int index, int length) {
        if (oid == PgTypes.BYTEA) {
            return bytea(buf, index, length);
        }
        if ((oid == PgTypes.INT4 && length > 0 && length < 10) || (oid == PgTypes.INT8 && length > 0 && length < 19)) {
            Long small = digits(buf, index, length);
            if (small != null) {
                return oid == PgTypes.INT4 ? (Object) small.intValue() : small;
            }
        }
        return decodeText(oid, new String(buf, index, length, StandardCharsets.UTF_8));
    }

    /** Reads a short decimal integer without making a String; {@code null} when it is not one. */
    private static @Nullable Long digits(byte[] buf, int index, int length) {
        int i = index;
        int end = index + length;
        boolean negative = buf[i] == '-';
        if (negative) {
            i++;
            if (i == end) {
                return null;
            }
        }
        long n = 0;
        for (; i < end; i++) {
            int d = buf[i] - '0';
            if (d < 0 || d > 9) {
                return null;
            }
            n = n * 10 + d;
        }
        return negative ? -n : n;
    }

    /**
     * Decodes one value's text.
     *
     * @param oid the type
     * @param text the server's text
     * @return the Java value (the text itself for the types read as text)
     * @throws RuntimeException when the text is not the server's text of the type
     */
    public static Object decodeText(int oid, String text) {
        return switch (oid) {
            case PgTypes.BOOL ->
                switch (text) {
                    case "t" -> true;
                    case "f" -> false;
                    default -> throw new IllegalArgumentException("a boolean that is neither t nor f");
                };
            case PgTypes.INT2 -> Short.parseShort(text);
            case PgTypes.INT4 -> Integer.parseInt(text);
            case PgTypes.INT8, PgTypes.OID -> Long.parseLong(text);
            case PgTypes.FLOAT4 -> Float.parseFloat(text);
            case PgTypes.FLOAT8 -> Double.parseDouble(text);
            case PgTypes.NUMERIC ->
                switch (text) {
                    case "NaN" -> Double.NaN;
                    case "Infinity" -> Double.POSITIVE_INFINITY;
                    case "-Infinity" -> Double.NEGATIVE_INFINITY;
                    default -> new BigDecimal(text);
                };
            case PgTypes.BYTEA -> byteaText(text);
            case PgTypes.UUID -> UUID.fromString(text);
            case PgTypes.DATE -> TemporalText.date(text);
            case PgTypes.TIME -> TemporalText.time(text);
            case PgTypes.TIMETZ -> TemporalText.timetz(text);
            case PgTypes.TIMESTAMP -> TemporalText.timestamp(text);
            case PgTypes.TIMESTAMPTZ -> TemporalText.timestamptz(text);
            case PgTypes.INTERVAL -> IntervalText.parse(text);
            default -> {
                int element = PgTypes.elementOf(oid);
                yield element >= 0 ? ArrayText.parse(text, t -> decodeText(element, t)) : text;
            }
        };
    }

    private static byte[] bytea(byte[] buf, int index, int length) {
        if (length >= 2 && buf[index] == '\\' && buf[index + 1] == 'x') {
            if (length % 2 != 0) {
                throw new IllegalArgumentException("bytea hex output with an odd number of digits");
            }
            int n = (length - 2) / 2;
            byte[] out = new byte[n];
            int p = index + 2;
            for (int i = 0; i < n; i++, p += 2) {
                out[i] = (byte) ((hexDigit(buf[p]) << 4) | hexDigit(buf[p + 1]));
            }
            return out;
        }
        return byteaText(new String(buf, index, length, StandardCharsets.UTF_8));
    }

    private static int hexDigit(byte b) {
        int d = Character.digit(b, 16);
        if (d < 0) {
            throw new IllegalArgumentException("not a hex digit: " + (char) b);
        }
        return d;
    }

    /** Reads bytea in the hex ({@code \x0a0b}) or escape ({@code a\012\\}) output format. */
    static byte[] byteaText(String text) {
        if (text.startsWith("\\x")) {
            return HEX.parseHex(text, 2, text.length());
        }
        byte[] raw = text.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[raw.length];
        int n = 0;
        for (int i = 0; i < raw.length; i++) {
            if (raw[i] == '\\') {
                if (i + 1 < raw.length && raw[i + 1] == '\\') {
                    out[n++] = '\\';
                    i++;
                } else {
                    out[n++] = (byte) octalByte(raw, i + 1);
                    i += 3;
                }
            } else {
                out[n++] = raw[i];
            }
        }
        return java.util.Arrays.copyOf(out, n);
    }

    /** Reads the three octal digits of a bytea escape ({@code \\000} to {@code \\377}). */
    private static int octalByte(byte[] raw, int at) {
        if (at + 3 > raw.length) {
            throw new IllegalArgumentException("a bytea escape cut short");
        }
        int value = 0;
        for (int i = at; i < at + 3; i++) {
            int d = raw[i] - '0';
            if (d < 0 || d > 7) {
                throw new IllegalArgumentException("a bytea escape that is not three octal digits");
            }
            value = value * 8 + d;
        }
        if (value > 0xff) {
            throw new IllegalArgumentException("a bytea escape past \\377");
        }
        return value;
    }
}
