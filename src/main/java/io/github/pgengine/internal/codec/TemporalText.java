package io.github.pgengine.internal.codec;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;

/**
 * PostgreSQL's ISO text forms of {@code date}, {@code time}, {@code timetz}, {@code timestamp} and
 * {@code timestamptz}, both ways: BC years ({@code 0044-03-15 BC} is year -43 in java.time), years past 9999,
 * {@code infinity} as the MAX and MIN constants of each java.time type, offsets with seconds, and
 * {@code 24:00:00} as {@link LocalTime#MAX}. Fractions are microseconds; nanoseconds are rounded half up as pgjdbc
 * does.
 */
final class TemporalText {
    static final String INFINITY = "infinity";
    static final String MINUS_INFINITY = "-infinity";
    private static final String BC = " BC";
    private static final long NANOS_PER_DAY = 86_400_000_000_000L;

    private TemporalText() {}

    // ------------------------------------------------------------------ parsing

    static LocalDate date(String text) {
        if (text.equals(INFINITY)) {
            return LocalDate.MAX;
        }
        if (text.equals(MINUS_INFINITY)) {
            return LocalDate.MIN;
        }
        boolean bc = text.endsWith(BC);
        return date(bc ? text.substring(0, text.length() - BC.length()) : text, bc);
    }

    private static LocalDate date(String body, boolean bc) {
        int first = body.indexOf('-', 1);
        int second = body.indexOf('-', first + 1);
        int year = Integer.parseInt(body, 0, first, 10);
        int month = Integer.parseInt(body, first + 1, second, 10);
        int day = Integer.parseInt(body, second + 1, body.length(), 10);
        return LocalDate.of(bc ? 1 - year : year, month, day);
    }

    /**
     * Parses {@code HH:MM:SS[.ffffff]}; {@code 24:00:00} is {@link LocalTime#MAX}.
     *
     * @throws IllegalArgumentException or {@link java.time.DateTimeException} for any other text
     */
    static LocalTime time(String text) {
        int length = text.length();
        if (length < 8
                || text.charAt(2) != ':'
                || text.charAt(5) != ':'
                || (length > 8 && (text.charAt(8) != '.' || length == 9 || length > 18))) {
            throw new IllegalArgumentException("a time of day that is not HH:MM:SS[.ffffff]");
        }
        int hour = twoDigits(text, 0);
        int minute = twoDigits(text, 3);
        int second = twoDigits(text, 6);
        int nanos = 0;
        for (int i = 9; i < 18; i++) {
            int d = i < length ? text.charAt(i) - '0' : 0;
            if (d < 0 || d > 9) {
                throw new IllegalArgumentException("a fraction of a second that is not digits");
            }
            nanos = nanos * 10 + d;
        }
        if (hour == 24 && minute == 0 && second == 0 && nanos == 0) {
            return LocalTime.MAX;
        }
        return LocalTime.of(hour, minute, second, nanos);
    }

    private static int twoDigits(String text, int at) {
        int high = text.charAt(at) - '0';
        int low = text.charAt(at + 1) - '0';
        if (high < 0 || high > 9 || low < 0 || low > 9) {
            throw new IllegalArgumentException("a time of day that is not HH:MM:SS[.ffffff]");
        }
        return high * 10 + low;
    }

    static LocalDateTime timestamp(String text) {
        if (text.equals(INFINITY)) {
            return LocalDateTime.MAX;
        }
        if (text.equals(MINUS_INFINITY)) {
            return LocalDateTime.MIN;
        }
        boolean bc = text.endsWith(BC);
        String body = bc ? text.substring(0, text.length() - BC.length()) : text;
        int space = body.indexOf(' ');
        return LocalDateTime.of(date(body.substring(0, space), bc), time(body.substring(space + 1)));
    }

    /** Parses timestamptz output in any session time zone and returns it at UTC. */
    static OffsetDateTime timestamptz(String text) {
        if (text.equals(INFINITY)) {
            return OffsetDateTime.MAX;
        }
        if (text.equals(MINUS_INFINITY)) {
            return OffsetDateTime.MIN;
        }
        boolean bc = text.endsWith(BC);
        String body = bc ? text.substring(0, text.length() - BC.length()) : text;
        int space = body.indexOf(' ');
        int offsetAt = offsetStart(body, space + 1);
        LocalDate date = date(body.substring(0, space), bc);
        LocalTime time = time(body.substring(space + 1, offsetAt));
        ZoneOffset offset = offset(body.substring(offsetAt));
        return OffsetDateTime.of(date, time, offset).withOffsetSameInstant(ZoneOffset.UTC);
    }

    static OffsetTime timetz(String text) {
        int offsetAt = offsetStart(text, 0);
        return OffsetTime.of(time(text.substring(0, offsetAt)), offset(text.substring(offsetAt)));
    }

    private static int offsetStart(String text, int from) {
        for (int i = text.length() - 1; i > from; i--) {
            char c = text.charAt(i);
            if (c == '+' || c == '-') {
                return i;
            }
        }
        throw new IllegalArgumentException("no UTC offset in '" + text + "'");
    }

    /** Parses {@code +HH}, {@code +HH:MM} and {@code +HH:MM:SS}. */
    static ZoneOffset offset(String text) {
        int sign = text.charAt(0) == '-' ? -1 : 1;
        String[] parts = text.substring(1).split(":", -1);
        if (parts.length > 3 || (text.charAt(0) != '+' && text.charAt(0) != '-')) {
            throw new IllegalArgumentException("a UTC offset that is not +HH[:MM[:SS]]");
        }
        int hours = Integer.parseInt(parts[0]);
        int minutes = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
        int seconds = parts.length > 2 ? Integer.parseInt(parts[2]) : 0;
        return ZoneOffset.ofTotalSeconds(sign * (hours * 3600 + minutes * 60 + seconds));
    }

    // ------------------------------------------------------------------ formatting

    static String format(LocalDate date) {
        if (date.equals(LocalDate.MAX)) {
            return INFINITY;
        }
        if (date.equals(LocalDate.MIN)) {
            return MINUS_INFINITY;
        }
        StringBuilder sb = new StringBuilder(16);
        appendDate(sb, date);
        if (date.getYear() <= 0) {
            sb.append(BC);
        }
        return sb.toString();
    }

    static String format(LocalTime time) {
        StringBuilder sb = new StringBuilder(16);
        appendTime(sb, time.toNanoOfDay(), true);
        return sb.toString();
    }

    static String format(LocalDateTime dateTime) {
        if (dateTime.equals(LocalDateTime.MAX)) {
            return INFINITY;
        }
        if (dateTime.equals(LocalDateTime.MIN)) {
            return MINUS_INFINITY;
        }
        StringBuilder sb = new StringBuilder(32);
        appendDateTime(sb, dateTime);
        if (dateTime.getYear() <= 0) {
            sb.append(BC);
        }
        return sb.toString();
    }

    /** Formats the instant at UTC (a timestamptz stores only the instant). */
    static String format(OffsetDateTime dateTime) {
        if (dateTime.equals(OffsetDateTime.MAX)) {
            return INFINITY;
        }
        if (dateTime.equals(OffsetDateTime.MIN)) {
            return MINUS_INFINITY;
        }
        LocalDateTime utc = dateTime.withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime();
        StringBuilder sb = new StringBuilder(36);
        appendDateTime(sb, utc);
        sb.append("+00");
        if (utc.getYear() <= 0) {
            sb.append(BC);
        }
        return sb.toString();
    }

    static String format(OffsetTime time) {
        StringBuilder sb = new StringBuilder(24);
        appendTime(sb, time.toLocalTime().toNanoOfDay(), true);
        appendOffset(sb, time.getOffset());
        return sb.toString();
    }

    private static void appendDateTime(StringBuilder sb, LocalDateTime dateTime) {
        long nanos = dateTime.toLocalTime().toNanoOfDay();
        long micros = roundToMicros(nanos);
        LocalDate date = dateTime.toLocalDate();
        if (micros * 1000 >= NANOS_PER_DAY) {
            date = date.plusDays(1);
            micros = 0;
        }
        appendDate(sb, date);
        sb.append(' ');
        appendTime(sb, micros * 1000, false);
    }

    private static void appendDate(StringBuilder sb, LocalDate date) {
        int year = date.getYear();
        int shown = year <= 0 ? 1 - year : year;
        pad(sb, shown, 4);
        sb.append('-');
        pad(sb, date.getMonthValue(), 2);
        sb.append('-');
        pad(sb, date.getDayOfMonth(), 2);
    }

    /** Appends HH:MM:SS[.ffffff]; with {@code allow24} a time that rounds to midnight of the next day is 24:00:00. */
    private static void appendTime(StringBuilder sb, long nanoOfDay, boolean allow24) {
        long micros = roundToMicros(nanoOfDay);
        if (micros * 1000 >= NANOS_PER_DAY) {
            sb.append(allow24 ? "24:00:00" : "00:00:00");
            return;
        }
        long seconds = micros / 1_000_000;
        int fraction = (int) (micros % 1_000_000);
        pad(sb, (int) (seconds / 3600), 2);
        sb.append(':');
        pad(sb, (int) (seconds / 60 % 60), 2);
        sb.append(':');
        pad(sb, (int) (seconds % 60), 2);
        if (fraction != 0) {
            sb.append('.');
            pad(sb, fraction, 6);
        }
    }

    private static long roundToMicros(long nanos) {
        return (nanos + 500) / 1000;
    }

    static void appendOffset(StringBuilder sb, ZoneOffset offset) {
        int total = offset.getTotalSeconds();
        sb.append(total < 0 ? '-' : '+');
        total = Math.abs(total);
        pad(sb, total / 3600, 2);
        sb.append(':');
        pad(sb, total / 60 % 60, 2);
        if (total % 60 != 0) {
            sb.append(':');
            pad(sb, total % 60, 2);
        }
    }

    private static void pad(StringBuilder sb, int value, int width) {
        String s = Integer.toString(value);
        for (int i = s.length(); i < width; i++) {
            sb.append('0');
        }
        sb.append(s);
    }
}
