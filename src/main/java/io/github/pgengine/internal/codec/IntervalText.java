package io.github.pgengine.internal.codec;

import io.github.pgengine.Intervals;
import java.time.Duration;
import java.time.Period;
import org.threeten.extra.PeriodDuration;

/**
 * {@code interval} text both ways.
 *
 * <p>Reads the output of every IntervalStyle. Each style's output has a shape of its own, so the text says which
 * style wrote it, and a value is read right whatever the session's style was when the server wrote it (even a style
 * set by a function earlier in the same statement, which the server reports only when the statement ends):
 *
 * <ul>
 *   <li>{@code postgres}: {@code -1 years -2 mons +3 days -04:05:06.789}, {@code 00:00:00};
 *   <li>{@code postgres_verbose}: {@code @ 1 year 2 mons -3 days 4 hours 5 mins 6.789 secs ago} ({@code ago}
 *       negates every field), {@code @ 0};
 *   <li>{@code sql_standard}: {@code 1-2}, {@code -1 2:03:04} (a leading sign and no other sign: it applies to every
 *       field), {@code +1-2 -3 +4:05:06.789} (each field with its own sign), {@code 0};
 *   <li>{@code iso_8601}: {@code P-1Y-2M3DT-4H-5M-6.789S}, {@code PT0S};
 *   <li>PostgreSQL 17's {@code infinity} and {@code -infinity}: {@link Intervals#INFINITY} and
 *       {@link Intervals#MINUS_INFINITY}.
 * </ul>
 *
 * Anything else fails with an {@link IllegalArgumentException} saying what was not understood; nothing is guessed.
 *
 * <p>Writes ISO 8601 with designators and the time part as whole hours, whole minutes and seconds below 60 to the
 * microsecond ({@code P1Y-2M3DT-2562047788H0M-54.775808S}). The server reads each number of an ISO 8601 interval
 * as a {@code double}: whole hours and minutes fit one exactly, and seconds below 60 closely enough that rounding to
 * the microsecond gives them back, where a time part written as seconds alone loses microseconds past about 2^33
 * seconds. It reads the form alike whatever its IntervalStyle.
 */
final class IntervalText {
    private static final long MICROS_PER_HOUR = 3_600_000_000L;
    private static final long MICROS_PER_MINUTE = 60_000_000L;
    private static final long MICROS_PER_SECOND = 1_000_000L;

    private static final int YEARS = 1;
    private static final int MONTHS = 2;
    private static final int DAYS = 4;
    private static final int HOURS = 8;
    private static final int MINUTES = 16;
    private static final int SECONDS = 32;
    private static final int CLOCK = 64;

    private IntervalText() {}

    // ------------------------------------------------------------------ reading

    /**
     * Reads the server's text of an interval, in any IntervalStyle.
     *
     * @param text the server's text
     * @return the interval as years, months and days plus a time part
     * @throws IllegalArgumentException when the text is not interval output
     */
    static PeriodDuration parse(String text) {
        if (text.equals(TemporalText.INFINITY)) {
            return Intervals.INFINITY;
        }
        if (text.equals(TemporalText.MINUS_INFINITY)) {
            return Intervals.MINUS_INFINITY;
        }
        if (text.startsWith("P")) {
            return iso(text);
        }
        if (text.startsWith("@ ")) {
            return verbose(text.substring(2).split(" ", -1));
        }
        String[] tokens = text.split(" ", -1);
        for (String token : tokens) {
            for (int i = 0; i < token.length(); i++) {
                if (Character.isLetter(token.charAt(i))) {
                    return postgres(tokens);
                }
            }
        }
        return sqlStandard(tokens);
    }

    /** {@code [+-]N year[s] [+-]N mon[s] [+-]N day[s] [+-]H:MM:SS[.f]}, each part optional. */
    private static PeriodDuration postgres(String[] tokens) {
        Fields f = new Fields();
        int i = 0;
        while (i < tokens.length) {
            String token = tokens[i];
            if (token.indexOf(':') >= 0) {
                if (i != tokens.length - 1) {
                    throw new IllegalArgumentException("a time of day before the end");
                }
                f.mark(CLOCK);
                f.time = signedClock(token);
                i++;
                continue;
            }
            if (i + 1 >= tokens.length) {
                throw new IllegalArgumentException("a number without a unit at the end");
            }
            long value = integer(token);
            String unit = tokens[i + 1];
            switch (unit) {
                case "year", "years" -> f.years = f.mark(YEARS, value);
                case "mon", "mons" -> f.months = f.mark(MONTHS, value);
                case "day", "days" -> f.days = f.mark(DAYS, value);
                default -> throw new IllegalArgumentException("unknown unit '" + shortened(unit) + "'");
            }
            i += 2;
        }
        return f.value(false);
    }

    /** The tokens after {@code "@ "}: {@code N unit} pairs, then {@code ago} when the interval is negative. */
    private static PeriodDuration verbose(String[] tokens) {
        int n = tokens.length;
        boolean ago = n > 0 && tokens[n - 1].equals("ago");
        if (ago) {
            n--;
        }
        Fields f = new Fields();
        if (n == 1 && tokens[0].equals("0") && !ago) {
            return f.value(false);
        }
        if (n == 0 || n % 2 != 0) {
            throw new IllegalArgumentException("postgres_verbose output without number and unit pairs");
        }
        for (int i = 0; i < n; i += 2) {
            String number = tokens[i];
            switch (tokens[i + 1]) {
                case "year", "years" -> f.years = f.mark(YEARS, integer(number));
                case "mon", "mons" -> f.months = f.mark(MONTHS, integer(number));
                case "day", "days" -> f.days = f.mark(DAYS, integer(number));
                case "hour", "hours" -> {
                    f.mark(HOURS);
                    f.time = f.time.plus(Duration.ofHours(integer(number)));
                }
                case "min", "mins" -> {
                    f.mark(MINUTES);
                    f.time = f.time.plus(Duration.ofMinutes(integer(number)));
                }
                case "sec", "secs" -> {
                    f.mark(SECONDS);
                    f.time = f.time.plus(seconds(number));
                }
                default -> throw new IllegalArgumentException("unknown unit '" + shortened(tokens[i + 1]) + "'");
            }
        }
        return f.value(ago);
    }

    /**
     * {@code [Y-M] [D H:MM:SS[.f]] | [Y-M] [H:MM:SS[.f]]}, or {@code 0}. A leading {@code -} with no sign on any
     * later field negates every field; otherwise each field carries its own sign.
     */
    private static PeriodDuration sqlStandard(String[] tokens) {
        Fields f = new Fields();
        if (tokens.length == 1 && tokens[0].equals("0")) {
            return f.value(false);
        }
        boolean laterSigns = false;
        for (int i = 1; i < tokens.length; i++) {
            laterSigns |= tokens[i].startsWith("-") || tokens[i].startsWith("+");
        }
        boolean allNegative = tokens[0].startsWith("-") && !laterSigns;
        int i = 0;
        if (i < tokens.length && unsigned(tokens[i]).indexOf('-') >= 0) {
            String ym = unsigned(tokens[i]);
            int dash = ym.indexOf('-');
            long sign = sign(tokens[i], allNegative);
            f.years = f.mark(YEARS, sign * digits(ym.substring(0, dash)));
            f.months = f.mark(MONTHS, sign * digits(ym.substring(dash + 1)));
            i++;
        }
        if (i + 1 < tokens.length && tokens[i].indexOf(':') < 0) {
            f.days = f.mark(DAYS, sign(tokens[i], allNegative) * digits(unsigned(tokens[i])));
            i++;
        }
        if (i < tokens.length && tokens[i].indexOf(':') >= 0) {
            Duration clock = clock(unsigned(tokens[i]));
            f.mark(CLOCK);
            f.time = sign(tokens[i], allNegative) < 0 ? clock.negated() : clock;
            i++;
        }
        if (i == 0 || i != tokens.length) {
            throw new IllegalArgumentException("not the output of any IntervalStyle");
        }
        return f.value(false);
    }

    private static long sign(String token, boolean allNegative) {
        return allNegative || token.startsWith("-") ? -1 : 1;
    }

    private static String unsigned(String token) {
        return token.startsWith("-") || token.startsWith("+") ? token.substring(1) : token;
    }

    /**
     * {@code P[nY][nM][nW][nD][T[nH][nM][n[.f]S]]}, the designators in this order, each at most once (the order check
     * keeps each field to one number).
     */
    private static PeriodDuration iso(String text) {
        Fields f = new Fields();
        String order = "YMWDHMS";
        int last = -1;
        boolean inTime = false;
        int i = 1;
        while (i < text.length()) {
            if (text.charAt(i) == 'T' && !inTime) {
                inTime = true;
                last = Math.max(last, 3);
                i++;
                continue;
            }
            int start = i;
            while (i < text.length() && "+-.0123456789".indexOf(text.charAt(i)) >= 0) {
                i++;
            }
            if (i >= text.length() || start == i) {
                throw new IllegalArgumentException("a number without a designator, or a designator without a number");
            }
            String number = text.substring(start, i);
            char unit = text.charAt(i++);
            int at = order.indexOf(unit, inTime ? 4 : 0);
            if (at < 0 || (!inTime && at > 3) || at <= last) {
                throw new IllegalArgumentException("designator '" + unit + "' out of place");
            }
            last = at;
            switch (at) {
                case 0 -> f.years = integer(number);
                case 1 -> f.months = integer(number);
                case 2 -> f.days = Math.multiplyExact(7, integer(number));
                case 3 -> f.days = Math.addExact(f.days, integer(number));
                case 4 -> f.time = f.time.plus(Duration.ofHours(integer(number)));
                case 5 -> f.time = f.time.plus(Duration.ofMinutes(integer(number)));
                default -> f.time = f.time.plus(seconds(number));
            }
        }
        if (last < 0 || (inTime && last < 4)) {
            throw new IllegalArgumentException("ISO 8601 output without fields");
        }
        return f.value(false);
    }

    /** {@code [+-]H:MM:SS[.f]}: the sign applies to all three. */
    private static Duration signedClock(String token) {
        Duration d = clock(unsigned(token));
        return token.startsWith("-") ? d.negated() : d;
    }

    /** {@code H:MM:SS[.f]} with any number of hour digits. */
    private static Duration clock(String body) {
        int first = body.indexOf(':');
        int second = body.indexOf(':', first + 1);
        if (first < 0 || second != first + 3 || body.indexOf(':', second + 1) >= 0) {
            throw new IllegalArgumentException("a time of day that is not H:MM:SS");
        }
        long minutes = digits(body.substring(first + 1, second));
        String secs = body.substring(second + 1);
        if (minutes > 59
                || secs.length() < 2
                || (secs.length() > 2 && secs.charAt(2) != '.')
                || secs.charAt(0) == '-'
                || secs.charAt(0) == '+') {
            throw new IllegalArgumentException("a time of day that is not H:MM:SS");
        }
        Duration s = seconds(secs);
        if (s.toSeconds() > 59) {
            throw new IllegalArgumentException("a time of day with more than 59 seconds");
        }
        return Duration.ofHours(digits(body.substring(0, first)))
                .plusMinutes(minutes)
                .plus(s);
    }

    /** {@code [+-]digits[.digits]}, the fraction up to nanoseconds. */
    private static Duration seconds(String number) {
        String body = unsigned(number);
        int dot = body.indexOf('.');
        long whole = digits(dot < 0 ? body : body.substring(0, dot));
        long nanos = 0;
        if (dot >= 0) {
            String fraction = body.substring(dot + 1);
            if (fraction.length() > 9) {
                throw new IllegalArgumentException("a fraction of a second finer than nanoseconds");
            }
            nanos = digits(fraction);
            for (int i = fraction.length(); i < 9; i++) {
                nanos *= 10;
            }
        }
        Duration d = Duration.ofSeconds(whole, nanos);
        return number.startsWith("-") ? d.negated() : d;
    }

    /** {@code [+-]digits}. */
    private static long integer(String number) {
        long magnitude = digits(unsigned(number));
        return number.startsWith("-") ? -magnitude : magnitude;
    }

    /** One or more ASCII digits (not Java's any-script digits), as a long. */
    private static long digits(String s) {
        if (s.isEmpty() || s.length() > 18) {
            throw new IllegalArgumentException(
                    s.isEmpty() ? "a number without digits" : "a number of more than 18 digits");
        }
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                throw new IllegalArgumentException("'" + shortened(s) + "' is not a number");
            }
            n = n * 10 + (c - '0');
        }
        return n;
    }

    private static String shortened(String s) {
        return s.length() <= 20 ? s : s.substring(0, 20) + "...";
    }

    /** The fields read so far; each may be given once. */
    private static final class Fields {
        long years;
        long months;
        long days;
        Duration time = Duration.ZERO;
        private int seen;

        void mark(int field) {
            if ((seen & field) != 0) {
                throw new IllegalArgumentException("a field given twice");
            }
            seen |= field;
        }

        long mark(int field, long value) {
            mark(field);
            return value;
        }

        /** @param negate {@code ago}: every field has the opposite sign */
        PeriodDuration value(boolean negate) {
            int y = Math.toIntExact(negate ? -years : years);
            int m = Math.toIntExact(negate ? -months : months);
            int d = Math.toIntExact(negate ? -days : days);
            return PeriodDuration.of(Period.of(y, m, d), negate ? time.negated() : time);
        }
    }

    // ------------------------------------------------------------------ writing

    /**
     * Writes an interval, or {@code infinity} / {@code -infinity} for {@link Intervals#INFINITY} /
     * {@link Intervals#MINUS_INFINITY}.
     *
     * @param value the interval
     * @return the text
     * @throws IllegalArgumentException when the time part does not fit PostgreSQL's 64-bit microseconds
     */
    static String format(PeriodDuration value) {
        if (value.equals(Intervals.INFINITY)) {
            return TemporalText.INFINITY;
        }
        if (value.equals(Intervals.MINUS_INFINITY)) {
            return TemporalText.MINUS_INFINITY;
        }
        return format(value.getPeriod(), value.getDuration());
    }

    /**
     * Writes an interval as ISO 8601 with designators: {@code P1Y2M3DT-1H0M-0.000001S}. The time part is rounded
     * half up to the microsecond.
     *
     * @param period years, months and days, as given (the server adds years to months)
     * @param time the time part
     * @return the text
     * @throws IllegalArgumentException when the time part does not fit PostgreSQL's 64-bit microseconds
     */
    static String format(Period period, Duration time) {
        long micros = micros(time);
        StringBuilder sb = new StringBuilder(64).append('P');
        sb.append(period.getYears()).append('Y');
        sb.append(period.getMonths()).append('M');
        sb.append(period.getDays()).append("DT");
        sb.append(micros / MICROS_PER_HOUR).append('H');
        sb.append(micros % MICROS_PER_HOUR / MICROS_PER_MINUTE).append('M');
        long rest = micros % MICROS_PER_MINUTE;
        if (rest < 0) {
            sb.append('-');
            rest = -rest;
        }
        sb.append(rest / MICROS_PER_SECOND);
        int fraction = (int) (rest % MICROS_PER_SECOND);
        if (fraction != 0) {
            String digits = Integer.toString(fraction + 1_000_000).substring(1);
            int end = digits.length();
            while (digits.charAt(end - 1) == '0') {
                end--;
            }
            sb.append('.').append(digits, 0, end);
        }
        return sb.append('S').toString();
    }

    /**
     * The duration in microseconds, rounded half up.
     *
     * @throws IllegalArgumentException when it does not fit in 64 bits, the range of PostgreSQL's interval
     */
    static long micros(Duration time) {
        long seconds = time.getSeconds();
        long micros = (time.getNano() + 500L) / 1000; // 0 to 1_000_000
        if (seconds < 0 && micros > 0) {
            seconds++; // so that seconds * 1_000_000 cannot overflow when the sum would not
            micros -= MICROS_PER_SECOND;
        }
        try {
            return Math.addExact(Math.multiplyExact(seconds, MICROS_PER_SECOND), micros);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(
                    "the Duration " + time + " is out of range for interval, whose time part is 64-bit microseconds "
                            + "(-2562047788:00:54.775808 to 2562047788:00:54.775807)",
                    e);
        }
    }
}
