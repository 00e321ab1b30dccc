package dev.redistls.client;

import dev.redistls.RedisTlsException;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a typed line into arguments as redis-cli does (sdssplitargs): spaces separate, "double quotes" allow
 * escapes (\n, \t, \xHH, \"), 'single quotes' are literal except \'.
 */
public final class CommandSplitter {
    private CommandSplitter() {
    }

    public static List<String> split(String line) {
        List<String> args = new ArrayList<>();
        int i = 0;
        int n = line.length();
        while (true) {
            while (i < n && Character.isWhitespace(line.charAt(i))) {
                i++;
            }
            if (i >= n) {
                return args;
            }
            ByteArrayOutputStream cur = new ByteArrayOutputStream();
            boolean dq = false;
            boolean sq = false;
            boolean done = false;
            while (!done) {
                if (i >= n) {
                    if (dq || sq) {
                        throw RedisTlsException.badInput("unbalanced quotes in: " + line);
                    }
                    break;
                }
                char c = line.charAt(i);
                if (dq) {
                    if (c == '\\' && i + 3 < n && line.charAt(i + 1) == 'x' && isHex(line.charAt(i + 2)) && isHex(line.charAt(i + 3))) {
                        cur.write(Integer.parseInt(line.substring(i + 2, i + 4), 16));
                        i += 3;
                    } else if (c == '\\' && i + 1 < n) {
                        i++;
                        char e = line.charAt(i);
                        append(cur, switch (e) {
                            case 'n' -> "\n";
                            case 'r' -> "\r";
                            case 't' -> "\t";
                            case 'b' -> "\b";
                            case 'a' -> "\u0007";
                            default -> String.valueOf(e);
                        });
                    } else if (c == '"') {
                        if (i + 1 < n && !Character.isWhitespace(line.charAt(i + 1))) {
                            throw RedisTlsException.badInput("closing quote must be followed by a space in: " + line);
                        }
                        done = true;
                    } else {
                        append(cur, String.valueOf(c));
                    }
                } else if (sq) {
                    if (c == '\\' && i + 1 < n && line.charAt(i + 1) == '\'') {
                        i++;
                        cur.write('\'');
                    } else if (c == '\'') {
                        if (i + 1 < n && !Character.isWhitespace(line.charAt(i + 1))) {
                            throw RedisTlsException.badInput("closing quote must be followed by a space in: " + line);
                        }
                        done = true;
                    } else {
                        append(cur, String.valueOf(c));
                    }
                } else if (Character.isWhitespace(c)) {
                    done = true;
                } else if (c == '"') {
                    dq = true;
                } else if (c == '\'') {
                    sq = true;
                } else {
                    append(cur, String.valueOf(c));
                }
                i++;
            }
            args.add(cur.toString(StandardCharsets.UTF_8));
        }
    }

    private static boolean isHex(char c) {
        return Character.digit(c, 16) >= 0;
    }

    private static void append(ByteArrayOutputStream out, String s) {
        out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
    }
}
