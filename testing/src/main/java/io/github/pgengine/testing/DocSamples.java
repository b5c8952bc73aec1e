package io.github.pgengine.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Documentation samples checked word for word against compiled code. A Markdown code block shows a region of a
 * source file that the build compiles (and a test may run); the region is marked in that file by a line
 * {@code // region NAME} and the next line {@code // endregion}:
 *
 * <pre>{@code
 * // region connect
 * PostgresEngine engine = new PostgresEngine(config);
 * // endregion
 * }</pre>
 *
 * <p>A test finds the blocks in the Markdown (how a block names its region is the project's choice, e.g. an HTML
 * comment above it) and asks {@link #difference(String, String, String)} whether each block still is its region, so
 * a sample that drifts from the API fails the build and a sample edited in only one place fails the test.
 *
 * <p>Both sides are compared in one normal form: trailing whitespace stripped from every line and every line ended by
 * {@code '\n'}; a region also loses its lines' common indentation, so a sample may sit inside a class or a method.
 */
public final class DocSamples {
    private DocSamples() {}

    /**
     * Reads the named region of a source text: the lines after the first line {@code // region NAME} up to the next
     * line {@code // endregion} (both matched with surrounding whitespace ignored), without the lines' common
     * indentation and trailing whitespace, each ended by {@code '\n'}; blank lines come back empty.
     *
     * @param source the source file's text
     * @param name the region's name
     * @return the region, or empty when the source has no such region or does not end it
     */
    public static Optional<String> region(String source, String name) {
        List<String> lines = source.lines().toList();
        int start = -1;
        int end = -1;
        for (int i = 0; i < lines.size(); i++) {
            String t = lines.get(i).trim();
            if (start < 0 && t.equals("// region " + name)) {
                start = i + 1;
            } else if (start >= 0 && t.equals("// endregion")) {
                end = i;
                break;
            }
        }
        if (start < 0 || end < 0) {
            return Optional.empty();
        }
        List<String> body = lines.subList(start, end);
        int indent = body.stream()
                .filter(l -> !l.isBlank())
                .mapToInt(l -> l.length() - l.stripLeading().length())
                .min()
                .orElse(0);
        StringBuilder sb = new StringBuilder();
        for (String l : body) {
            sb.append(l.isBlank() ? "" : l.substring(indent).stripTrailing()).append('\n');
        }
        return Optional.of(sb.toString());
    }

    /**
     * Reads the named region of a source file (UTF-8), as {@link #region(String, String)} does.
     *
     * @param file the source file
     * @param name the region's name
     * @return the region, or empty when the file has no such region or does not end it
     * @throws IOException when the file cannot be read
     */
    public static Optional<String> region(Path file, String name) throws IOException {
        return region(Files.readString(file), name);
    }

    /**
     * Puts the body of a Markdown code block (the text between its fences) in the form regions come in: trailing
     * whitespace stripped from every line, every line ended by {@code '\n'}.
     *
     * @param body the block's body
     * @return the body in normal form
     */
    public static String block(String body) {
        StringBuilder sb = new StringBuilder();
        body.lines().forEach(l -> sb.append(l.stripTrailing()).append('\n'));
        return sb.toString();
    }

    /**
     * Compares a Markdown code block with the region of a source text it shows.
     *
     * @param body the block's body (the text between its fences)
     * @param source the source file's text
     * @param name the region's name
     * @return empty when the block is the region word for word; otherwise what differs, for an assertion message:
     *     that the source has no such region, or the block (after a line {@code --- docs}) and the region (after a
     *     line {@code --- source})
     */
    public static Optional<String> difference(String body, String source, String name) {
        Optional<String> region = region(source, name);
        if (region.isEmpty()) {
            return Optional.of("the source has no region " + name + " (a line // region " + name
                    + " and, after it, a line // endregion)\n");
        }
        String docs = block(body);
        return docs.equals(region.get())
                ? Optional.empty()
                : Optional.of("--- docs\n" + docs + "--- source\n" + region.get());
    }
}
