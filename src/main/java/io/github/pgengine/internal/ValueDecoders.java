package io.github.pgengine.internal;

import com.github.jasync.sql.db.column.ColumnDecoderRegistry;
import com.github.jasync.sql.db.general.ColumnData;
import com.github.jasync.sql.db.postgresql.column.PostgreSQLColumnDecoderRegistry;
import io.netty.buffer.ByteBuf;
import java.math.BigDecimal;
import java.nio.charset.Charset;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.SignStyle;
import java.time.temporal.ChronoField;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes column values from the server's text format, fixing the driver's failures.
 *
 * <p>Fixes: {@code timestamptz} with any offset (including {@code +05:30} and historic seconds offsets),
 * {@code infinity}/{@code -infinity} and BC dates and timestamps, {@code NaN} and infinite {@code numeric}
 * (returned as {@link Double}), {@code timetz} keeping its offset. A decoder never throws: the driver would
 * lose its place in the protocol (pitfall 5.4). A value that cannot be decoded is returned as its text.
 */
public final class ValueDecoders implements ColumnDecoderRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(ValueDecoders.class);

    private static final int NUMERIC = 1700;
    private static final int DATE = 1082;
    private static final int TIMESTAMP = 1114;
    private static final int TIMESTAMPTZ = 1184;
    private static final int TIMETZ = 1266;

    private static final DateTimeFormatter DATE_FORMAT = new DateTimeFormatterBuilder()
            .appendValue(ChronoField.YEAR_OF_ERA, 4, 9, SignStyle.NOT_NEGATIVE)
            .appendLiteral('-')
            .appendValue(ChronoField.MONTH_OF_YEAR, 2)
            .appendLiteral('-')
            .appendValue(ChronoField.DAY_OF_MONTH, 2)
            .toFormatter();

    private static final DateTimeFormatter TIME_FORMAT = new DateTimeFormatterBuilder()
            .appendValue(ChronoField.HOUR_OF_DAY, 2)
            .appendLiteral(':')
            .appendValue(ChronoField.MINUTE_OF_HOUR, 2)
            .appendLiteral(':')
            .appendValue(ChronoField.SECOND_OF_MINUTE, 2)
            .optionalStart()
            .appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true)
            .optionalEnd()
            .toFormatter();

    private final PostgreSQLColumnDecoderRegistry fallback;

    /** @param charset the connection's character set */
    public ValueDecoders(Charset charset) {
        this.fallback = new PostgreSQLColumnDecoderRegistry(charset);
    }

    @Override
    public Object decode(ColumnData kind, ByteBuf value, Charset charset) {
        int type = kind.dataType();
        if (type != NUMERIC && type != DATE && type != TIMESTAMP && type != TIMESTAMPTZ && type != TIMETZ) {
            int start = value.readerIndex();
            try {
                return fallback.decode(kind, value, charset);
            } catch (RuntimeException e) {
                value.readerIndex(start);
                String text = value.toString(charset);
                LOG.debug("cannot decode column {} of type {}; returning its text", kind.getName(), type, e);
                return text;
            }
        }
        String text = value.toString(charset);
        try {
            return decodeText(type, text);
        } catch (RuntimeException e) {
            LOG.debug("cannot decode column {} of type {}; returning its text", kind.getName(), type, e);
            return text;
        }
    }

    /**
     * Decodes the text form of the types this class handles itself.
     *
     * @param type the type OID
     * @param text the server's text
     * @return the Java value
     */
    static Object decodeText(int type, String text) {
        return switch (type) {
            case NUMERIC -> numeric(text);
            case DATE -> date(text);
            case TIMESTAMP -> timestamp(text);
            case TIMESTAMPTZ -> timestamptz(text);
            case TIMETZ -> timetz(text);
            default -> text;
        };
    }

    private static Object numeric(String text) {
        return switch (text) {
            case "NaN" -> Double.NaN;
            case "Infinity" -> Double.POSITIVE_INFINITY;
            case "-Infinity" -> Double.NEGATIVE_INFINITY;
            default -> new BigDecimal(text);
        };
    }

    static LocalDate date(String text) {
        switch (text) {
            case "infinity":
                return LocalDate.MAX;
            case "-infinity":
                return LocalDate.MIN;
            default:
                break;
        }
        boolean bc = text.endsWith(" BC");
        String body = bc ? text.substring(0, text.length() - 3) : text;
        LocalDate d = LocalDate.parse(body, DATE_FORMAT);
        return bc ? d.withYear(1 - d.getYear()) : d;
    }

    static LocalDateTime timestamp(String text) {
        switch (text) {
            case "infinity":
                return LocalDateTime.MAX;
            case "-infinity":
                return LocalDateTime.MIN;
            default:
                break;
        }
        boolean bc = text.endsWith(" BC");
        String body = bc ? text.substring(0, text.length() - 3) : text;
        int space = body.indexOf(' ');
        LocalDate date = date(body.substring(0, space));
        LocalTime time = LocalTime.parse(body.substring(space + 1), TIME_FORMAT);
        LocalDateTime dt = LocalDateTime.of(date, time);
        return bc ? dt.withYear(1 - dt.getYear()) : dt;
    }

    static OffsetDateTime timestamptz(String text) {
        switch (text) {
            case "infinity":
                return OffsetDateTime.MAX;
            case "-infinity":
                return OffsetDateTime.MIN;
            default:
                break;
        }
        boolean bc = text.endsWith(" BC");
        String body = bc ? text.substring(0, text.length() - 3) : text;
        int offsetAt = offsetStart(body, body.indexOf(' ') + 1);
        LocalDateTime local = timestamp(body.substring(0, offsetAt));
        ZoneOffset offset = offset(body.substring(offsetAt));
        OffsetDateTime odt = OffsetDateTime.of(local, offset);
        return bc ? odt.withYear(1 - odt.getYear()) : odt;
    }

    static OffsetTime timetz(String text) {
        int offsetAt = offsetStart(text, 0);
        return OffsetTime.of(LocalTime.parse(text.substring(0, offsetAt), TIME_FORMAT), offset(text.substring(offsetAt)));
    }

    private static int offsetStart(String text, int from) {
        for (int i = text.length() - 1; i >= from; i--) {
            char c = text.charAt(i);
            if (c == '+' || c == '-') {
                return i;
            }
        }
        throw new IllegalArgumentException("no UTC offset in " + text);
    }

    /** Parses {@code +HH}, {@code +HH:MM} and {@code +HH:MM:SS}. */
    private static ZoneOffset offset(String text) {
        int sign = text.charAt(0) == '-' ? -1 : 1;
        String[] parts = text.substring(1).split(":");
        int hours = Integer.parseInt(parts[0]);
        int minutes = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
        int seconds = parts.length > 2 ? Integer.parseInt(parts[2]) : 0;
        return ZoneOffset.ofHoursMinutesSeconds(sign * hours, sign * minutes, sign * seconds);
    }
}
