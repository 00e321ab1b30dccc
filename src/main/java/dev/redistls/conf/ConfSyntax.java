package dev.redistls.conf;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits and quotes config lines the way Redis does ({@code sdssplitargs} in sds.c): words separated by spaces,
 * "double quotes" with C escapes (\n \r \t \b \a \\ \" \xHH), 'single quotes' with only \' escaped, and a closing
 * quote that must be followed by a space or the end of the line.
 */
public final class ConfSyntax {
    private ConfSyntax() {
    }

    /** The words of a line, or null when its quotes are unbalanced (Redis refuses such a file). */
    public static List<String> split(String line) {
        List<String> out = new ArrayList<>();
        int i = 0;
        int n = line.length();
        while (true) {
            while (i < n && Character.isWhitespace(line.charAt(i))) {
                i++;
            }
            if (i >= n) {
                return out;
            }
            StringBuilder word = new StringBuilder();
            boolean inDouble = false;
            boolean inSingle = false;
            boolean done = false;
            while (!done) {
                if (i >= n) {
                    if (inDouble || inSingle) {
                        return null;
                    }
                    done = true;
                    continue;
                }
                char c = line.charAt(i);
                if (inDouble) {
                    if (c == '\\' && i + 3 < n && line.charAt(i + 1) == 'x' && isHex(line.charAt(i + 2)) && isHex(line.charAt(i + 3))) {
                        word.append((char) Integer.parseInt(line.substring(i + 2, i + 4), 16));
                        i += 3;
                    } else if (c == '\\' && i + 1 < n) {
                        i++;
                        char e = line.charAt(i);
                        word.append(switch (e) {
                            case 'n' -> '\n';
                            case 'r' -> '\r';
                            case 't' -> '\t';
                            case 'b' -> '\b';
                            case 'a' -> (char) 7;
                            default -> e;
                        });
                    } else if (c == '"') {
                        if (i + 1 < n && !Character.isWhitespace(line.charAt(i + 1))) {
                            return null;
                        }
                        done = true;
                    } else {
                        word.append(c);
                    }
                } else if (inSingle) {
                    if (c == '\\' && i + 1 < n && line.charAt(i + 1) == '\'') {
                        i++;
                        word.append('\'');
                    } else if (c == '\'') {
                        if (i + 1 < n && !Character.isWhitespace(line.charAt(i + 1))) {
                            return null;
                        }
                        done = true;
                    } else {
                        word.append(c);
                    }
                } else if (Character.isWhitespace(c)) {
                    done = true;
                } else if (c == '"') {
                    inDouble = true;
                } else if (c == '\'') {
                    inSingle = true;
                } else {
                    word.append(c);
                }
                i++;
            }
            out.add(word.toString());
        }
    }

    /** A word as it must be written so that {@link #split} gives it back. */
    public static String quote(String word) {
        boolean plain = !word.isEmpty() && word.chars().noneMatch(c -> Character.isWhitespace(c) || c == '"' || c == '\'' || c == '\\' || c < 32);
        if (plain) {
            return word;
        }
        StringBuilder b = new StringBuilder("\"");
        for (char c : word.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 32) {
                        b.append(String.format("\\x%02x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    /**
     * A directive line for {@code args} given as text: each argument goes into the file as its UTF-8 bytes, so a
     * path or password in any script reaches Redis (and the next read) byte for byte.
     */
    public static String line(String directive, List<String> args) {
        StringBuilder b = new StringBuilder(directive);
        for (String a : args) {
            b.append(' ').append(quote(raw(a)));
        }
        return b.toString();
    }

    /**
     * A config file is held one char per byte (ISO-8859-1) so that its bytes survive whatever they are; a word
     * taken from it is text when read as UTF-8, which is what Redis, paths and people mean by it.
     */
    public static String text(String rawWord) {
        return new String(bytes(rawWord), StandardCharsets.UTF_8);
    }

    /** The bytes of a word as it stands in the file. */
    public static byte[] bytes(String rawWord) {
        return rawWord.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Text as it must stand in the file: its UTF-8 bytes, one char per byte. */
    public static String raw(String text) {
        return new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    }

    private static boolean isHex(char c) {
        return Character.digit(c, 16) >= 0;
    }
}
