package io.github.pgengine.internal.driver;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns column values from the server's text format into Java values, by type OID (the table is in
 * docs/types.md). Never throws: a value it cannot read comes back as its text (and a DEBUG line says why), so a
 * surprise in one value can never cost the connection its place in the protocol.
 */
final class TextDecoders {
    private static final Logger LOG = LoggerFactory.getLogger(TextDecoders.class);
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
     */
    static Object decode(int oid, byte[] buf, int index, int length) {
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
     * @return the Java value, or the text itself when it cannot be read
     */
    static Object decodeText(int oid, String text) {
        try {
            return read(oid, text);
        } catch (RuntimeException e) {
            LOG.debug("cannot decode a value of type {}; returning its text: {}", oid, e.toString());
            return text;
        }
    }

    private static Object read(int oid, String text) {
        return switch (oid) {
            case PgTypes.BOOL ->
                switch (text) {
                    case "t" -> true;
                    case "f" -> false;
                    default -> throw new IllegalArgumentException("not a boolean: " + text);
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
                    out[n++] = (byte) Integer.parseInt(new String(raw, i + 1, 3, StandardCharsets.US_ASCII), 8);
                    i += 3;
                }
            } else {
                out[n++] = raw[i];
            }
        }
        return java.util.Arrays.copyOf(out, n);
    }
}
