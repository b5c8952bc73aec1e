package io.github.pgengine.internal.connect;

import io.github.pgengine.internal.connect.ConnectionSettings.SslMode;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * How one configuration value is read and checked: its Java types (a String, or the typed value), its range, and
 * the message naming the key, what was expected and what was given. Used by {@link ConfigParser}.
 */
final class ConfigValues {
    private ConfigValues() {}

    static String string(String key, Object v) {
        if (v instanceof String s) {
            if (!key.equals("password")) {
                noNul(key, s);
            } else if (s.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("password must not contain NUL characters");
            }
            return s;
        }
        if (v instanceof CharSequence cs) {
            return string(key, cs.toString());
        }
        throw wrongType(key, "a String", v);
    }

    static SslMode sslMode(@Nullable Object v) {
        if (v == null) {
            return ConnectionSettings.DEFAULT_SSL_MODE;
        }
        String s = string("sslmode", v).trim().toLowerCase(Locale.ROOT);
        for (SslMode m : SslMode.values()) {
            if (m.libpqName().equals(s)) {
                return m;
            }
        }
        if (s.equals("allow")) {
            throw new IllegalArgumentException(
                    "sslmode 'allow' is not supported by the driver; use 'prefer' or 'disable'");
        }
        throw new IllegalArgumentException(
                "sslmode must be one of disable, prefer, require, verify-ca, verify-full (was '" + v + "')");
    }

    static boolean bool(String key, @Nullable Object v, boolean fallback) {
        if (v == null) {
            return fallback;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof Integer i && (i == 0 || i == 1)) {
            return i == 1;
        }
        if (v instanceof String s) {
            return switch (s.trim().toLowerCase(Locale.ROOT)) {
                case "1", "true", "on", "yes" -> true;
                case "0", "false", "off", "no" -> false;
                default ->
                    throw new IllegalArgumentException(key + " must be 1 or 0 (or true or false) (was \"" + s + "\")");
            };
        }
        throw wrongType(key, "a Boolean, 1 or 0", v);
    }

    static long whole(String key, @Nullable Object v, long fallback, long min, long max) {
        if (v == null) {
            return fallback;
        }
        long n;
        if (v instanceof Integer || v instanceof Long || v instanceof Short) {
            n = ((Number) v).longValue();
        } else if (v instanceof String s) {
            try {
                n = Long.parseLong(s.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        key + " must be a whole number between " + min + " and " + max + " (was \"" + s + "\")");
            }
        } else {
            throw wrongType(key, "an Integer", v);
        }
        if (n < min || n > max) {
            throw new IllegalArgumentException(key + " must be between " + min + " and " + max + " (was " + n + ")");
        }
        return n;
    }

    enum Unit {
        SECONDS,
        MILLISECONDS
    }

    static Duration duration(String key, @Nullable Object v, Unit bareUnit, Duration fallback, boolean zeroAllowed) {
        if (v == null) {
            return fallback;
        }
        Duration d;
        if (v instanceof Duration given) {
            d = given;
        } else if (v instanceof Integer || v instanceof Long || v instanceof Short) {
            d = of(((Number) v).longValue(), bareUnit);
        } else if (v instanceof Double || v instanceof Float) {
            double n = ((Number) v).doubleValue();
            d = Duration.ofNanos((long) (n * (bareUnit == Unit.SECONDS ? 1e9 : 1e6)));
        } else if (v instanceof String s) {
            d = parseDuration(key, s.trim(), bareUnit);
        } else {
            throw wrongType(
                    key,
                    "a Duration, a number of " + bareUnit.name().toLowerCase(Locale.ROOT)
                            + " or a String such as \"30s\"",
                    v);
        }
        if (d.isNegative() || (!zeroAllowed && d.isZero())) {
            throw new IllegalArgumentException(
                    key + " must be " + (zeroAllowed ? "zero or positive" : "positive") + " (was " + v + ")");
        }
        return d;
    }

    static Duration of(long n, Unit unit) {
        return unit == Unit.SECONDS ? Duration.ofSeconds(n) : Duration.ofMillis(n);
    }

    static Duration parseDuration(String key, String s, Unit bareUnit) {
        try {
            if (s.startsWith("P") || s.startsWith("p")) {
                return Duration.parse(s);
            }
            int i = 0;
            while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
                i++;
            }
            String number = s.substring(0, i);
            String unit = s.substring(i).trim().toLowerCase(Locale.ROOT);
            double n = Double.parseDouble(number);
            double nanos = switch (unit) {
                case "" -> n * (bareUnit == Unit.SECONDS ? 1e9 : 1e6);
                case "us" -> n * 1e3;
                case "ms" -> n * 1e6;
                case "s", "sec" -> n * 1e9;
                case "min" -> n * 60e9;
                case "h" -> n * 3600e9;
                case "d" -> n * 86400e9;
                default -> throw new IllegalArgumentException();
            };
            return Duration.ofNanos((long) nanos);
        } catch (IllegalArgumentException | DateTimeParseException e) {
            throw new IllegalArgumentException(key + " must be a duration such as \"30s\", \"500ms\", \"2min\" or "
                    + "\"PT30S\" (was \"" + s + "\")");
        }
    }

    static void noNul(String key, String s) {
        if (s.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(key + " must not contain NUL characters");
        }
    }

    static IllegalArgumentException wrongType(String key, String expected, Object v) {
        String shown = key.equals("password") || key.equals("dsn") ? "" : " " + v;
        return new IllegalArgumentException("configuration key '" + key + "' must be " + expected + " (was "
                + v.getClass().getSimpleName() + shown + "); known keys are "
                + String.join(", ", ConnectionParameter.KEYS));
    }
}
