package dev.redistls.testing;

/**
 * Reads the usage snippets that {@code client export} prints: a header line (not indented), then the snippet
 * indented by two spaces. What a test takes from here is the snippet exactly as a user would copy it.
 */
public final class PrintedSnippets {
    private static final String INDENT = "  ";

    private PrintedSnippets() {
    }

    /** The snippet under the first header that starts with {@code header}, without its indent; fails when absent. */
    public static String section(String printed, String header) {
        StringBuilder s = new StringBuilder();
        boolean in = false;
        boolean found = false;
        for (String line : printed.split("\n", -1)) {
            if (!line.startsWith(INDENT)) {
                in = !found && line.startsWith(header);
                found |= in;
            } else if (in) {
                s.append(line, INDENT.length(), line.length()).append('\n');
            }
        }
        if (s.length() == 0) {
            throw new AssertionError("no snippet under '" + header + "' in:\n" + printed);
        }
        return s.toString();
    }

    /** The snippet without the lines that contain {@code text}: a configuration that forgot something. */
    public static String without(String snippet, String text) {
        StringBuilder s = new StringBuilder();
        for (String line : snippet.split("\n")) {
            if (!line.contains(text)) {
                s.append(line).append('\n');
            }
        }
        if (s.length() == snippet.length()) {
            throw new AssertionError("'" + text + "' is in no line of:\n" + snippet);
        }
        return s.toString();
    }
}
