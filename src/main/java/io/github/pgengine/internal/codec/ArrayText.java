package io.github.pgengine.internal.codec;

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
                throw new IllegalArgumentException("array bounds without '='");
            }
        }
        Parser p = new Parser(text, start, element);
        List<@Nullable Object> out = p.list();
        if (p.pos != text.length()) {
            throw p.unexpected();
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
                    pos--;
                    throw unexpected();
                }
            }
        }

        private String quoted() {
            expect('"');
            StringBuilder sb = new StringBuilder();
            while (true) {
                char c = next();
                if (c == '\\') {
                    sb.append(next());
                } else if (c == '"') {
                    return sb.toString();
                } else {
                    sb.append(c);
                }
            }
        }

        private char peek() {
            if (pos >= text.length()) {
                throw new IllegalArgumentException("array text ends too early");
            }
            return text.charAt(pos);
        }

        private char next() {
            char c = peek();
            pos++;
            return c;
        }

        private void expect(char c) {
            if (peek() != c) {
                throw unexpected();
            }
            pos++;
        }

        /** The text at {@link #pos} is not what an array literal has there. */
        IllegalArgumentException unexpected() {
            return new IllegalArgumentException(
                    "array text with '" + text.charAt(pos) + "' at character " + (pos + 1) + " of " + text.length());
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
