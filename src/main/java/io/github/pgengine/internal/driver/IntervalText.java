package io.github.pgengine.internal.driver;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Period;
import org.threeten.extra.PeriodDuration;

/**
 * {@code interval} text both ways. Reads the {@code postgres} output style (the default:
 * {@code -1 years -2 mons +3 days -04:05:06.789}) and {@code iso_8601} ({@code P-1Y-2M3DT-4H-5M-6.789S}); writes ISO
 * 8601 with designators, which the server reads the same whatever its IntervalStyle. Microseconds are kept.
 */
final class IntervalText {

    private IntervalText() {}

    /**
     * @param text the server's text
     * @return the interval as years, months and days plus a time part
     * @throws IllegalArgumentException for an output style it cannot read
     */
    static PeriodDuration parse(String text) {
        if (text.startsWith("P")) {
            return parseIso(text);
        }
        if (text.startsWith("@")) {
            throw new IllegalArgumentException("postgres_verbose interval output is not read: " + text);
        }
        int years = 0;
        int months = 0;
        int days = 0;
        Duration time = Duration.ZERO;
        String[] tokens = text.trim().split(" +", -1);
        for (int i = 0; i < tokens.length; i++) {
            String token = tokens[i];
            if (token.indexOf(':') >= 0) {
                time = clock(token);
                continue;
            }
            if (i + 1 >= tokens.length) {
                throw new IllegalArgumentException("cannot read interval '" + text + "'");
            }
            int value = Integer.parseInt(token.startsWith("+") ? token.substring(1) : token);
            String unit = tokens[++i];
            if (unit.startsWith("year")) {
                years = value;
            } else if (unit.startsWith("mon")) {
                months = value;
            } else if (unit.startsWith("day")) {
                days = value;
            } else {
                throw new IllegalArgumentException("cannot read interval '" + text + "'");
            }
        }
        return PeriodDuration.of(Period.of(years, months, days), time);
    }

    /** Reads {@code [+-]H+:MM:SS[.ffffff]}; the sign applies to all three. */
    private static Duration clock(String token) {
        boolean negative = token.startsWith("-");
        String body = token.startsWith("-") || token.startsWith("+") ? token.substring(1) : token;
        int first = body.indexOf(':');
        int second = body.indexOf(':', first + 1);
        long hours = Long.parseLong(body.substring(0, first));
        long minutes = Long.parseLong(body.substring(first + 1, second));
        BigDecimal seconds = new BigDecimal(body.substring(second + 1));
        long micros = seconds.movePointRight(6).longValueExact();
        Duration d = Duration.ofHours(hours).plusMinutes(minutes).plusNanos(micros * 1000);
        return negative ? d.negated() : d;
    }

    private static PeriodDuration parseIso(String text) {
        int years = 0;
        int months = 0;
        int days = 0;
        Duration time = Duration.ZERO;
        boolean inTime = false;
        int i = 1;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == 'T') {
                inTime = true;
                i++;
                continue;
            }
            int start = i;
            while (i < text.length() && "+-.0123456789".indexOf(text.charAt(i)) >= 0) {
                i++;
            }
            if (i >= text.length() || start == i) {
                throw new IllegalArgumentException("cannot read interval '" + text + "'");
            }
            String number = text.substring(start, i);
            char unit = text.charAt(i++);
            if (!inTime) {
                int value = Integer.parseInt(number);
                switch (unit) {
                    case 'Y' -> years = value;
                    case 'M' -> months = value;
                    case 'W' -> days += 7 * value;
                    case 'D' -> days += value;
                    default -> throw new IllegalArgumentException("cannot read interval '" + text + "'");
                }
            } else {
                BigDecimal value = new BigDecimal(number);
                long micros = switch (unit) {
                    case 'H' ->
                        value.multiply(BigDecimal.valueOf(3_600_000_000L)).longValueExact();
                    case 'M' -> value.multiply(BigDecimal.valueOf(60_000_000L)).longValueExact();
                    case 'S' -> value.movePointRight(6).longValueExact();
                    default -> throw new IllegalArgumentException("cannot read interval '" + text + "'");
                };
                time = time.plusNanos(Math.multiplyExact(micros, 1000L));
            }
        }
        return PeriodDuration.of(Period.of(years, months, days), time);
    }

    /**
     * Writes an interval as ISO 8601 with designators: {@code P1Y2M3DT-3600.000001S}.
     *
     * @param period years, months and days
     * @param time the time part
     * @return the text
     */
    static String format(Period period, Duration time) {
        StringBuilder sb = new StringBuilder("P");
        sb.append(period.getYears())
                .append('Y')
                .append(period.getMonths())
                .append('M')
                .append(period.getDays())
                .append('D');
        sb.append('T');
        BigDecimal seconds = BigDecimal.valueOf(time.getSeconds()).add(BigDecimal.valueOf(time.getNano(), 9));
        sb.append(seconds.stripTrailingZeros().toPlainString()).append('S');
        return sb.toString();
    }
}
