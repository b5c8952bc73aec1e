package io.github.pgengine.internal.sql;

/** The character classes of PostgreSQL's lexer ({@code src/backend/parser/scan.l}) that {@link SqlScanner} needs. */
final class SqlChars {
    private SqlChars() {}

    /** scan.l's {@code space}: {@code [ \t\n\r\f\v]}. */
    static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 0x0b;
    }

    /** An ASCII digit. */
    static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** scan.l's {@code ident_start}: {@code [A-Za-z\200-\377_]}; every non-ASCII character's UTF-8 bytes are high. */
    static boolean isIdentStart(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
    }

    /** scan.l's {@code ident_cont}: {@code ident_start}, digits and {@code $}. */
    static boolean isIdentCont(char c) {
        return isIdentStart(c) || isDigit(c) || c == '$';
    }

    /** scan.l's {@code dolq_start}: a dollar-quote tag starts as an identifier does. */
    static boolean isDollarTagStart(char c) {
        return isIdentStart(c);
    }

    /** scan.l's {@code dolq_cont}: letters, digits and {@code _}, no {@code $}. */
    static boolean isDollarTagCont(char c) {
        return isIdentStart(c) || isDigit(c);
    }
}
