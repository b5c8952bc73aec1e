package io.github.pgengine.internal;

/**
 * Finds the parameters in SQL text with one linear pass that understands PostgreSQL's lexical structure:
 * string literals ({@code '...'}, {@code E'...'}), quoted identifiers, line and nested block comments, and
 * dollar-quoted bodies ({@code $$...$$}, {@code $tag$...$tag$}). Inside them {@code ?} and {@code $1} are text.
 *
 * <p>Two placeholder styles: {@code $n} (then every bare {@code ?} is text, e.g. the jsonb operator) or
 * {@code ?} (then {@code ??} is a literal question mark). It also counts the statements separated by
 * {@code ;}, so callers can refuse several statements in one call.
 */
public final class SqlScanner {
    /** The highest placeholder number PostgreSQL's protocol allows. */
    static final int MAX_PARAMETERS = 65_535;

    private SqlScanner() {}

    /**
     * Scans the text.
     *
     * @param sql the SQL text
     * @return what it holds
     * @throws IllegalArgumentException for a NUL character, an unused {@code $n} or a number past 65535
     */
    public static ParsedSql parse(String sql) {
        int n = sql.length();
        int nul = sql.indexOf('\0');
        if (nul >= 0) {
            throw new IllegalArgumentException("SQL text contains a NUL character at offset " + nul
                    + "; PostgreSQL cannot accept it");
        }
        boolean dollarStyle = false;
        // first pass: detect the style (any $n outside literals)
        for (int i = 0; i < n; ) {
            char c = sql.charAt(i);
            int skip = skipQuoted(sql, i);
            if (skip > i) {
                i = skip;
                continue;
            }
            if (c == '$' && isParameter(sql, i)) {
                dollarStyle = true;
            }
            i++;
        }
        StringBuilder driver = new StringBuilder(n + 8);
        StringBuilder simple = new StringBuilder(n);
        int[] order = new int[8];
        int occurrences = 0;
        int parameterCount = 0;
        int highest = 0;
        boolean[] used = null;
        int statements = 0;
        boolean inStatement = false;
        int i = 0;
        while (i < n) {
            char c = sql.charAt(i);
            int skip = skipQuoted(sql, i);
            if (skip > i) {
                boolean comment = c == '-' || c == '/';
                if (!comment) {
                    inStatement = true;
                }
                String body = sql.substring(i, skip);
                driver.append(body.replace("?", "??"));
                simple.append(body);
                i = skip;
                continue;
            }
            if (c == ';') {
                if (inStatement) {
                    statements++;
                    inStatement = false;
                }
                driver.append(c);
                simple.append(c);
                i++;
                continue;
            }
            if (!Character.isWhitespace(c)) {
                inStatement = true;
            }
            if (dollarStyle && c == '$' && isParameter(sql, i)) {
                int j = i + 1;
                long number = 0;
                while (j < n && Character.isDigit(sql.charAt(j))) {
                    number = Math.min(number * 10 + (sql.charAt(j) - '0'), Integer.MAX_VALUE);
                    j++;
                }
                if (number < 1 || number > MAX_PARAMETERS) {
                    throw new IllegalArgumentException("placeholder $" + sql.substring(i + 1, j) + " is out of range; "
                            + "PostgreSQL allows $1 to $" + MAX_PARAMETERS);
                }
                int index = (int) number - 1;
                if (occurrences == order.length) {
                    order = java.util.Arrays.copyOf(order, order.length * 2);
                }
                order[occurrences++] = index;
                highest = Math.max(highest, (int) number);
                if (used == null || used.length < highest) {
                    used = used == null ? new boolean[Math.max(highest, 8)] : java.util.Arrays.copyOf(used, Math.max(highest, used.length * 2));
                }
                used[index] = true;
                driver.append('?');
                simple.append(sql, i, j);
                i = j;
                continue;
            }
            if (c == '?') {
                if (dollarStyle) {
                    driver.append("??");
                    simple.append('?');
                } else if (i + 1 < n && sql.charAt(i + 1) == '?') {
                    driver.append("??");
                    simple.append('?');
                    i += 2;
                    continue;
                } else {
                    if (occurrences == order.length) {
                        order = java.util.Arrays.copyOf(order, order.length * 2);
                    }
                    order[occurrences] = occurrences;
                    occurrences++;
                    driver.append('?');
                    simple.append('?');
                }
                i++;
                continue;
            }
            driver.append(c);
            simple.append(c);
            i++;
        }
        if (inStatement) {
            statements++;
        }
        if (dollarStyle) {
            parameterCount = highest;
            for (int p = 0; p < highest; p++) {
                if (!used[p]) {
                    throw new IllegalArgumentException("parameter $" + (p + 1) + " is not used in the SQL (the highest "
                            + "placeholder is $" + highest + "); PostgreSQL needs every parameter from $1 up to be used");
                }
            }
        } else {
            parameterCount = occurrences;
        }
        return new ParsedSql(sql, driver.toString(), simple.toString(), parameterCount,
                java.util.Arrays.copyOf(order, occurrences), statements);
    }

    /** @return true when the {@code $} at {@code i} starts a {@code $n} placeholder */
    private static boolean isParameter(String sql, int i) {
        if (i + 1 >= sql.length() || !Character.isDigit(sql.charAt(i + 1))) {
            return false;
        }
        return i == 0 || !isIdentifierPart(sql.charAt(i - 1));
    }

    private static boolean isIdentifierPart(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '$';
    }

    /**
     * If a literal, quoted identifier, comment or dollar-quoted body starts at {@code i}, returns the index just
     * past its end (or the text's end when unterminated); otherwise returns {@code i}.
     */
    static int skipQuoted(String sql, int i) {
        int n = sql.length();
        char c = sql.charAt(i);
        switch (c) {
            case '\'': {
                boolean escapes = i > 0 && (sql.charAt(i - 1) == 'E' || sql.charAt(i - 1) == 'e')
                        && (i < 2 || !isIdentifierPart(sql.charAt(i - 2)));
                return skipString(sql, i + 1, '\'', escapes);
            }
            case '"':
                return skipString(sql, i + 1, '"', false);
            case '-':
                if (i + 1 < n && sql.charAt(i + 1) == '-') {
                    int end = sql.indexOf('\n', i + 2);
                    return end < 0 ? n : end + 1;
                }
                return i;
            case '/':
                if (i + 1 < n && sql.charAt(i + 1) == '*') {
                    int depth = 1;
                    int j = i + 2;
                    while (j < n && depth > 0) {
                        if (sql.charAt(j) == '/' && j + 1 < n && sql.charAt(j + 1) == '*') {
                            depth++;
                            j += 2;
                        } else if (sql.charAt(j) == '*' && j + 1 < n && sql.charAt(j + 1) == '/') {
                            depth--;
                            j += 2;
                        } else {
                            j++;
                        }
                    }
                    return j;
                }
                return i;
            case '$': {
                if (i > 0 && isIdentifierPart(sql.charAt(i - 1))) {
                    return i;
                }
                int j = i + 1;
                if (j < n && (Character.isLetter(sql.charAt(j)) || sql.charAt(j) == '_')) {
                    while (j < n && (Character.isLetterOrDigit(sql.charAt(j)) || sql.charAt(j) == '_')) {
                        j++;
                    }
                }
                if (j < n && sql.charAt(j) == '$') {
                    String tag = sql.substring(i, j + 1);
                    int end = sql.indexOf(tag, j + 1);
                    return end < 0 ? n : end + tag.length();
                }
                return i;
            }
            default:
                return i;
        }
    }

    private static int skipString(String sql, int from, char quote, boolean backslashEscapes) {
        int n = sql.length();
        int j = from;
        while (j < n) {
            char c = sql.charAt(j);
            if (backslashEscapes && c == '\\') {
                j += 2;
                continue;
            }
            if (c == quote) {
                if (j + 1 < n && sql.charAt(j + 1) == quote) {
                    j += 2;
                    continue;
                }
                return j + 1;
            }
            j++;
        }
        return n;
    }
}
