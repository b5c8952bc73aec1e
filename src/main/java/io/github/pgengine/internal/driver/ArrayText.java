package io.github.pgengine.internal.driver;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * PostgreSQL's array text form both ways: {@code {1,2,NULL}}, nested braces for several dimensions, quoted
 * elements with backslash escapes, and explicit bounds ({@code [0:2]={1,2,3}}, whose lower bound a {@link List}
 * cannot keep).
 */
final class ArrayText {

    private ArrayText() {}

    /**
     * @param text the server's text
     * @param element decodes one element's text
     * @return the elements; nested lists for several dimensions; {@code null} for NULL elements
     * @throws IllegalArgumentException when the text is not an array literal
     */
    static List<@Nullable Object> parse(String text, Function<String, Object> element) {
        int start = 0;
        if (text.startsWith("[")) {
            start = text.indexOf('=') + 1;
            if (start <= 0) {
                throw new IllegalArgumentException("cannot read array '" + text + "'");
            }
        }
        Parser p = new Parser(text, start, element);
        List<@Nullable Object> out = p.list();
        if (p.pos != text.length()) {
            throw new IllegalArgumentException("cannot read array '" + text + "'");
        }
        return out;
    }

    private static final class Parser {
        private final String text;
        private final Function<String, Object> element;
        private int pos;

        Parser(String text, int pos, Function<String, Object> element) {
            this.text = text;
            this.pos = pos;
            this.element = element;
        }

        List<@Nullable Object> list() {
            expect('{');
            List<@Nullable Object> out = new ArrayList<>();
            if (peek() == '}') {
                pos++;
                return Collections.unmodifiableList(out);
            }
            while (true) {
                char c = peek();
                if (c == '{') {
                    out.add(list());
                } else if (c == '"') {
                    out.add(element.apply(quoted()));
                } else {
                    int end = pos;
                    while (end < text.length() && text.charAt(end) != ',' && text.charAt(end) != '}') {
                        end++;
                    }
                    String raw = text.substring(pos, end);
                    pos = end;
                    out.add(raw.equalsIgnoreCase("NULL") ? null : element.apply(raw));
                }
                char next = peek();
                pos++;
                if (next == '}') {
                    return Collections.unmodifiableList(out);
                }
                if (next != ',') {
                    throw new IllegalArgumentException("cannot read array '" + text + "'");
                }
            }
        }

        private String quoted() {
            expect('"');
            StringBuilder sb = new StringBuilder();
            while (true) {
                char c = text.charAt(pos++);
                if (c == '\\') {
                    sb.append(text.charAt(pos++));
                } else if (c == '"') {
                    return sb.toString();
                } else {
                    sb.append(c);
                }
            }
        }

        private char peek() {
            if (pos >= text.length()) {
                throw new IllegalArgumentException("cannot read array '" + text + "'");
            }
            return text.charAt(pos);
        }

        private void expect(char c) {
            if (peek() != c) {
                throw new IllegalArgumentException("cannot read array '" + text + "'");
            }
            pos++;
        }
    }

    /**
     * Appends one element, always quoted (so {@code NULL}, commas and braces in text stay text).
     *
     * @param sb the literal being built
     * @param text the element's text, or {@code null} for NULL
     */
    static void appendElement(StringBuilder sb, @Nullable String text) {
        if (text == null) {
            sb.append("NULL");
            return;
        }
        sb.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\');
            }
            sb.append(c);
        }
        sb.append('"');
    }
}
