package io.github.pgengine.internal.sql;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.jspecify.annotations.Nullable;

/**
 * A plain single-row {@code INSERT INTO t [(cols)] VALUES (...) [ON CONFLICT ... DO NOTHING]} that a batch may run
 * as multi-row inserts: {@code VALUES (...), (...), ...} with the placeholders of each further row renumbered.
 *
 * <p>The shape is decided on the scanner's tokens, so comments, literals, dollar quotes and quoted identifiers never
 * count: the statement starts with the key words {@code INSERT INTO}; the key word {@code VALUES} occurs once at top
 * level, right before the one top-level parenthesised group; every placeholder is inside that group; after it there
 * is nothing but an optional {@code ON CONFLICT ... DO NOTHING} and semicolons. So {@code RETURNING} (a count per
 * row and rows to return), {@code DEFAULT VALUES}, {@code INSERT ... SELECT}, a {@code WITH} in front, several
 * {@code VALUES} rows and {@code ON CONFLICT ... DO UPDATE} (which fails when two rows of one statement hit the
 * same row, where separate statements would not) all keep one statement per row.
 */
public final class MultiRowInsert {
    /** The most rows one statement takes; chunks are powers of two up to this many rows. */
    public static final int MAX_ROWS = 128;

    private final String prefix;
    private final String[] pieces;
    private final int[] parameters;
    private final String suffix;
    private final int parameterCount;
    private final int maxRows;
    private final AtomicReferenceArray<@Nullable String> texts;

    private MultiRowInsert(String prefix, String[] pieces, int[] parameters, String suffix, int parameterCount) {
        this.prefix = prefix;
        this.pieces = pieces;
        this.parameters = parameters;
        this.suffix = suffix;
        this.parameterCount = parameterCount;
        int limit = Math.min(MAX_ROWS, SqlScanner.MAX_PARAMETERS / parameterCount);
        this.maxRows = Integer.highestOneBit(Math.max(1, limit));
        this.texts = new AtomicReferenceArray<>(Integer.numberOfTrailingZeros(maxRows) + 1);
    }

    /**
     * Finds the shape in a statement.
     *
     * @param sql the parsed statement
     * @return its multi-row form, or null when the statement has not the plain single-row shape or takes no values
     */
    static @Nullable MultiRowInsert of(ParsedSql sql) {
        if (sql.parameterCount() == 0 || sql.statementCount() != 1) {
            return null;
        }
        String text = sql.serverSql();
        List<SqlScanner.Token> tokens = SqlScanner.tokens(text);
        if (tokens.size() < 5 || !isWord(text, tokens.get(0), "insert") || !isWord(text, tokens.get(1), "into")) {
            return null;
        }
        int values = -1;
        for (int i = 2; i < tokens.size(); i++) {
            SqlScanner.Token t = tokens.get(i);
            if (t.depth() == 0 && isWord(text, t, "values")) {
                if (values >= 0) {
                    return null;
                }
                values = i;
            }
        }
        if (values < 0 || values + 1 >= tokens.size() || tokens.get(values + 1).kind() != SqlScanner.Kind.OPEN) {
            return null;
        }
        int open = values + 1;
        int close = -1;
        for (int i = open + 1; i < tokens.size(); i++) {
            SqlScanner.Token t = tokens.get(i);
            if (t.kind() == SqlScanner.Kind.CLOSE && t.depth() == 0) {
                close = i;
                break;
            }
        }
        if (close < 0 || !onlyDoNothingAfter(text, tokens, close + 1)) {
            return null;
        }
        for (int i = 0; i < tokens.size(); i++) {
            if ((i < open || i > close) && tokens.get(i).kind() == SqlScanner.Kind.PARAMETER) {
                return null;
            }
        }
        List<String> pieces = new ArrayList<>();
        List<Integer> parameters = new ArrayList<>();
        int from = tokens.get(open).start();
        for (int i = open + 1; i < close; i++) {
            SqlScanner.Token t = tokens.get(i);
            if (t.kind() == SqlScanner.Kind.PARAMETER) {
                pieces.add(text.substring(from, t.start()));
                parameters.add(Integer.parseInt(text.substring(t.start() + 1, t.end())));
                from = t.end();
            }
        }
        int end = tokens.get(close).end();
        pieces.add(text.substring(from, end));
        return new MultiRowInsert(
                text.substring(0, tokens.get(open).start()),
                pieces.toArray(String[]::new),
                parameters.stream().mapToInt(Integer::intValue).toArray(),
                text.substring(end),
                sql.parameterCount());
    }

    /** Nothing, or {@code ON CONFLICT ... DO NOTHING}, then only semicolons. */
    private static boolean onlyDoNothingAfter(String text, List<SqlScanner.Token> tokens, int from) {
        int last = tokens.size() - 1;
        while (last >= from && tokens.get(last).kind() == SqlScanner.Kind.SEMICOLON) {
            last--;
        }
        if (last < from) {
            return true;
        }
        for (int i = from; i <= last; i++) {
            SqlScanner.Token t = tokens.get(i);
            if (t.kind() == SqlScanner.Kind.SEMICOLON || (t.depth() == 0 && isWord(text, t, "returning"))) {
                return false;
            }
        }
        return last - from >= 3
                && isWord(text, tokens.get(from), "on")
                && isWord(text, tokens.get(from + 1), "conflict")
                && isWord(text, tokens.get(last - 1), "do")
                && isWord(text, tokens.get(last), "nothing");
    }

    private static boolean isWord(String text, SqlScanner.Token t, String lower) {
        return t.kind() == SqlScanner.Kind.WORD
                && t.end() - t.start() == lower.length()
                && text.substring(t.start(), t.end()).toLowerCase(Locale.ROOT).equals(lower);
    }

    /** Returns the most rows one statement takes: a power of two, at most {@link #MAX_ROWS}, within 65,535 values. */
    public int maxRows() {
        return maxRows;
    }

    /** Returns how many values one row takes. */
    public int parameterCount() {
        return parameterCount;
    }

    /**
     * Returns the statement for a number of rows (built once per size).
     *
     * @param rows a power of two, at most {@link #maxRows()}
     * @return the statement with {@code rows * parameterCount()} placeholders
     */
    public String text(int rows) {
        if (Integer.bitCount(rows) != 1 || rows > maxRows) {
            throw new IllegalArgumentException("rows must be a power of two up to " + maxRows + " (was " + rows + ")");
        }
        int slot = Integer.numberOfTrailingZeros(rows);
        String t = texts.get(slot);
        if (t == null) {
            t = build(rows);
            texts.set(slot, t);
        }
        return t;
    }

    private String build(int rows) {
        StringBuilder sb = new StringBuilder(prefix.length() + suffix.length() + rows * (pieces[0].length() + 16));
        sb.append(prefix);
        for (int r = 0; r < rows; r++) {
            if (r > 0) {
                sb.append(", ");
            }
            int offset = r * parameterCount;
            for (int i = 0; i < parameters.length; i++) {
                sb.append(pieces[i]).append('$').append(parameters[i] + offset);
            }
            sb.append(pieces[pieces.length - 1]);
        }
        return sb.append(suffix).toString();
    }

    @Override
    public String toString() {
        return "MultiRowInsert{" + text(1) + ", up to " + maxRows + " rows}";
    }
}
