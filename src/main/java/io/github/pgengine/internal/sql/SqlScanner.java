package io.github.pgengine.internal.sql;

import static io.github.pgengine.internal.sql.SqlChars.isDigit;
import static io.github.pgengine.internal.sql.SqlChars.isDollarTagCont;
import static io.github.pgengine.internal.sql.SqlChars.isDollarTagStart;
import static io.github.pgengine.internal.sql.SqlChars.isIdentCont;
import static io.github.pgengine.internal.sql.SqlChars.isIdentStart;
import static io.github.pgengine.internal.sql.SqlChars.isSpace;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Finds the parameters and statements in SQL text with one pass that follows PostgreSQL's lexer ({@code scan.l}):
 * string literals ({@code '...'} with {@code ''}, {@code E'...'} with backslash escapes, {@code B'...'},
 * {@code X'...'}, {@code N'...'}, {@code U&'...'}), quoted identifiers ({@code "..."}, {@code U&"..."}), line
 * comments (ended by {@code \n} or {@code \r}) and nested block comments, dollar-quoted bodies
 * ({@code $$...$$}, {@code $tag$...$tag$}, only where a token starts), identifiers (whose characters include
 * {@code $} and every non-ASCII character, so {@code a$b} and {@code x€$a$} are plain identifiers) and numbers.
 * Inside literals, identifiers and comments, {@code ?} and {@code $1} are text.
 *
 * <p>Two placeholder styles: {@code $n} (then every bare {@code ?} is text, e.g. the jsonb operator) or {@code ?}
 * (then {@code ??} is a literal question mark), rewritten to {@code $1, $2, ...} for the server. Statements are
 * counted at top level: a {@code ;} inside parentheses (rule actions) or inside the {@code BEGIN ... END} body of a
 * {@code CREATE FUNCTION/PROCEDURE} (the heuristic psql uses) does not end a statement.
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
     * @throws IllegalArgumentException for a NUL character, a lone UTF-16 surrogate, an unused {@code $n}, a number
     *     past 65535 or more than 65535 {@code ?} placeholders
     */
    public static ParsedSql parse(String sql) {
        checkText(sql);
        boolean dollarStyle = new Scan(sql, false).run().dollarParameters;
        Scan scan = new Scan(sql, dollarStyle).run();
        if (dollarStyle) {
            for (int p = 0; p < scan.highest; p++) {
                if (!scan.used[p]) {
                    throw new IllegalArgumentException(
                            "parameter $" + (p + 1) + " is not used in the SQL (the highest placeholder is $"
                                    + scan.highest + "); PostgreSQL needs every parameter from $1 up to be used");
                }
            }
        }
        if (!dollarStyle && scan.questionMarks > MAX_PARAMETERS) {
            throw new IllegalArgumentException("the SQL has " + scan.questionMarks + " ? placeholders, more than the "
                    + MAX_PARAMETERS + " the protocol allows; send a list as one array parameter instead (= ANY(?))");
        }
        int count = dollarStyle ? scan.highest : scan.questionMarks;
        return new ParsedSql(
                sql,
                scan.out.toString(),
                count,
                scan.statements,
                scan.copyWithClient,
                scan.firstWord == null ? "" : scan.firstWord.toUpperCase(Locale.ROOT),
                Arrays.copyOf(scan.literals, scan.literalCount),
                dollarStyle ? scan.bareQuestionMarks : 0);
    }

    /** What a top-level or nested token is, as far as the batch rewrite needs to know. */
    enum Kind {
        /** An identifier or key word (not quoted). */
        WORD,
        /** A {@code $n} placeholder. */
        PARAMETER,
        /** {@code (}. */
        OPEN,
        /** {@code )}. */
        CLOSE,
        /** {@code ;}. */
        SEMICOLON,
        /** Anything else: a literal, a quoted identifier, a number, an operator character. */
        OTHER
    }

    /**
     * One token of SQL text.
     *
     * @param kind what it is
     * @param start its first character
     * @param end the character after it
     * @param depth the parenthesis depth it sits at (a pair of parentheses sits at the depth outside it)
     */
    record Token(Kind kind, int start, int end, int depth) {}

    /**
     * Splits text with {@code $n} placeholders (a {@link ParsedSql#serverSql()}) into tokens, skipping white space
     * and comments, with the same lexer as {@link #parse}.
     *
     * @param serverSql the text
     * @return its tokens in order
     */
    static List<Token> tokens(String serverSql) {
        Scan scan = new Scan(serverSql, true);
        List<Token> tokens = new ArrayList<>();
        scan.tokens = tokens;
        scan.run();
        return tokens;
    }

    private static void checkText(String sql) {
        for (int i = 0; i < sql.length(); i++) {
            char c = sql.charAt(i);
            if (c == 0) {
                throw new IllegalArgumentException(
                        "SQL text contains a NUL character at offset " + i + "; PostgreSQL cannot accept it");
            }
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c)
                        && i + 1 < sql.length()
                        && Character.isLowSurrogate(sql.charAt(i + 1))) {
                    i++;
                } else {
                    throw new IllegalArgumentException("SQL text contains a lone UTF-16 surrogate (\\u"
                            + String.format("%04x", (int) c) + ") at offset " + i + "; it cannot be encoded as UTF-8");
                }
            }
        }
    }

    /** One pass over the text. */
    private static final class Scan {
        private final String sql;
        private final int n;
        private final boolean dollarStyle;
        final StringBuilder out;
        boolean dollarParameters;
        int highest;
        boolean[] used = new boolean[8];
        int questionMarks;
        /** With {@code $n} placeholders: the {@code ?} sent as they are (an operator, or a placeholder by mistake). */
        int bareQuestionMarks;

        int statements;
        private boolean inStatement;
        private int parens;
        private int beginDepth;
        private final char[] leading = new char[4];
        private int identifiers;
        private boolean copyStatement;
        /** {@code stdin} or {@code stdout} when a top-level COPY moves data through the client, else null. */
        @Nullable
        String copyWithClient;
        /** The first word of the text (the statement's keyword), or null. */
        @Nullable
        String firstWord;
        /** Start and end offsets in {@link #out} of each literal (string, number). */
        int[] literals = new int[8];

        int literalCount;
        /** When not null, every token is recorded here. */
        @Nullable
        List<Token> tokens;

        Scan(String sql, boolean dollarStyle) {
            this.sql = sql;
            this.n = sql.length();
            this.dollarStyle = dollarStyle;
            this.out = new StringBuilder(n + 8);
        }

        Scan run() {
            int i = 0;
            while (i < n) {
                char c = sql.charAt(i);
                int next;
                boolean literal = false;
                @Nullable Kind kind = Kind.OTHER;
                if (isSpace(c)) {
                    kind = null;
                    next = i + 1;
                } else if (c == '-' && at(i + 1) == '-') {
                    kind = null;
                    next = lineCommentEnd(i + 2);
                } else if (c == '/' && at(i + 1) == '*') {
                    kind = null;
                    next = blockCommentEnd(i + 2);
                } else if (c == '\'') {
                    token();
                    literal = true;
                    next = stringEnd(i + 1, false);
                } else if (c == '"') {
                    token();
                    next = stringEnd(i + 1, true);
                } else if ((c == 'e' || c == 'E') && at(i + 1) == '\'') {
                    token();
                    literal = true;
                    next = extendedStringEnd(i + 2);
                } else if ((c == 'b' || c == 'B' || c == 'x' || c == 'X' || c == 'n' || c == 'N')
                        && at(i + 1) == '\'') {
                    token();
                    literal = true;
                    next = stringEnd(i + 2, false);
                } else if ((c == 'u' || c == 'U') && at(i + 1) == '&' && (at(i + 2) == '\'' || at(i + 2) == '"')) {
                    token();
                    literal = at(i + 2) == '\'';
                    next = stringEnd(i + 3, at(i + 2) == '"');
                } else if (isIdentStart(c)) {
                    token();
                    next = i + 1;
                    while (next < n && isIdentCont(sql.charAt(next))) {
                        next++;
                    }
                    word(sql.substring(i, next));
                    kind = Kind.WORD;
                } else if (isDigit(c) || (c == '.' && isDigit(at(i + 1)))) {
                    token();
                    literal = true;
                    next = numberEnd(i);
                } else if (c == '$') {
                    token();
                    if (isDigit(at(i + 1))) {
                        next = i + 1;
                        while (next < n && isDigit(sql.charAt(next))) {
                            next++;
                        }
                        if (parameter(i, next)) {
                            record(Kind.PARAMETER, i, next);
                            i = next;
                            continue;
                        }
                    } else {
                        next = dollarQuoteEnd(i);
                        literal = next > i + 1;
                    }
                } else if (c == '?') {
                    token();
                    if (!dollarStyle) {
                        if (at(i + 1) == '?') {
                            out.append('?');
                            i += 2;
                            continue;
                        }
                        questionMarks++;
                        out.append('$').append(questionMarks);
                        i++;
                        continue;
                    }
                    bareQuestionMarks++;
                    next = i + 1;
                } else if (c == ';') {
                    if (parens == 0 && beginDepth == 0) {
                        if (inStatement) {
                            statements++;
                        }
                        inStatement = false;
                        identifiers = 0;
                        copyStatement = false;
                        Arrays.fill(leading, '\0');
                    }
                    kind = Kind.SEMICOLON;
                    next = i + 1;
                } else {
                    token();
                    if (c == '(') {
                        record(Kind.OPEN, i, i + 1);
                        kind = null;
                        parens++;
                    } else if (c == ')' && parens > 0) {
                        parens--;
                        record(Kind.CLOSE, i, i + 1);
                        kind = null;
                    }
                    next = i + 1;
                }
                if (literal) {
                    literal(out.length(), out.length() + next - i);
                }
                if (kind != null) {
                    record(kind, i, next);
                }
                out.append(sql, i, next);
                i = next;
            }
            if (inStatement) {
                statements++;
            }
            return this;
        }

        private void record(Kind kind, int start, int end) {
            List<Token> list = tokens;
            if (list != null) {
                list.add(new Token(kind, start, end, parens));
            }
        }

        private void token() {
            inStatement = true;
        }

        private void literal(int start, int end) {
            if (literalCount + 2 > literals.length) {
                literals = Arrays.copyOf(literals, literals.length * 2);
            }
            literals[literalCount++] = start;
            literals[literalCount++] = end;
        }

        /** psql's heuristic: inside CREATE [OR REPLACE] FUNCTION/PROCEDURE, BEGIN ... END (and CASE ... END) nest. */
        private void word(String w) {
            String lower = w.toLowerCase(Locale.ROOT);
            if (firstWord == null) {
                firstWord = w;
            }
            if (parens == 0) {
                if (identifiers == 0) {
                    copyStatement = lower.equals("copy");
                } else if (copyStatement && (lower.equals("stdin") || lower.equals("stdout"))) {
                    copyWithClient = lower;
                }
            }
            if (identifiers < leading.length
                    && (lower.equals("create")
                            || lower.equals("function")
                            || lower.equals("procedure")
                            || lower.equals("or")
                            || lower.equals("replace"))) {
                leading[identifiers] = lower.charAt(0);
            }
            identifiers++;
            boolean routine = leading[0] == 'c'
                    && (leading[1] == 'f'
                            || leading[1] == 'p'
                            || (leading[1] == 'o' && leading[2] == 'r' && (leading[3] == 'f' || leading[3] == 'p')));
            if (routine && parens == 0) {
                if (lower.equals("begin")) {
                    beginDepth++;
                } else if (lower.equals("case") && beginDepth >= 1) {
                    beginDepth++;
                } else if (lower.equals("end") && beginDepth > 0) {
                    beginDepth--;
                }
            }
        }

        /** Handles {@code $digits} from {@code start} to {@code end}; returns true when it was written as a parameter. */
        private boolean parameter(int start, int end) {
            dollarParameters = true;
            if (!dollarStyle) {
                return false;
            }
            long number = 0;
            for (int j = start + 1; j < end; j++) {
                number = Math.min(number * 10 + (sql.charAt(j) - '0'), Integer.MAX_VALUE);
            }
            if (number < 1 || number > MAX_PARAMETERS) {
                throw new IllegalArgumentException("placeholder $" + sql.substring(start + 1, end)
                        + " is out of range; PostgreSQL allows $1 to $" + MAX_PARAMETERS);
            }
            int index = (int) number - 1;
            highest = Math.max(highest, (int) number);
            if (used.length < highest) {
                used = Arrays.copyOf(used, Math.max(highest, used.length * 2));
            }
            used[index] = true;
            out.append(sql, start, end);
            return true;
        }

        private char at(int i) {
            return i < n ? sql.charAt(i) : '\0';
        }

        private int lineCommentEnd(int from) {
            int j = from;
            while (j < n && sql.charAt(j) != '\n' && sql.charAt(j) != '\r') {
                j++;
            }
            return j;
        }

        private int blockCommentEnd(int from) {
            int depth = 1;
            int j = from;
            while (j < n) {
                char c = sql.charAt(j);
                if (c == '/' && at(j + 1) == '*') {
                    depth++;
                    j += 2;
                } else if (c == '*' && at(j + 1) == '/') {
                    depth--;
                    j += 2;
                    if (depth == 0) {
                        return j;
                    }
                } else {
                    j++;
                }
            }
            return n;
        }

        /** Ends a standard string or quoted identifier: only the doubled quote escapes. */
        private int stringEnd(int from, boolean identifier) {
            char quote = identifier ? '"' : '\'';
            int j = from;
            while (j < n) {
                if (sql.charAt(j) == quote) {
                    if (at(j + 1) == quote) {
                        j += 2;
                        continue;
                    }
                    return j + 1;
                }
                j++;
            }
            return n;
        }

        /** Ends an E'' string: a backslash escapes the next character, and '' is a quote too. */
        private int extendedStringEnd(int from) {
            int j = from;
            while (j < n) {
                char c = sql.charAt(j);
                if (c == '\\') {
                    j += 2;
                    continue;
                }
                if (c == '\'') {
                    if (at(j + 1) == '\'') {
                        j += 2;
                        continue;
                    }
                    return j + 1;
                }
                j++;
            }
            return n;
        }

        /** A {@code $} that starts a token: a dollar quote {@code $tag$...$tag$} when the tag is complete, else itself. */
        private int dollarQuoteEnd(int start) {
            int j = start + 1;
            if (j < n && isDollarTagStart(sql.charAt(j))) {
                j++;
                while (j < n && isDollarTagCont(sql.charAt(j))) {
                    j++;
                }
            }
            if (j < n && sql.charAt(j) == '$') {
                String tag = sql.substring(start, j + 1);
                int end = sql.indexOf(tag, j + 1);
                return end < 0 ? n : end + tag.length();
            }
            return start + 1;
        }

        /** Numbers: digits, a fraction, an exponent ({@code 1.5e-3}); what follows starts a new token. */
        private int numberEnd(int start) {
            int j = start;
            while (j < n && isDigit(sql.charAt(j))) {
                j++;
            }
            if (j < n && sql.charAt(j) == '.' && at(j + 1) != '.') {
                j++;
                while (j < n && isDigit(sql.charAt(j))) {
                    j++;
                }
            }
            if (j < n && (sql.charAt(j) == 'e' || sql.charAt(j) == 'E')) {
                int k = j + 1;
                if (at(k) == '+' || at(k) == '-') {
                    k++;
                }
                if (isDigit(at(k))) {
                    j = k;
                    while (j < n && isDigit(sql.charAt(j))) {
                        j++;
                    }
                }
            }
            return j;
        }
    }
}
