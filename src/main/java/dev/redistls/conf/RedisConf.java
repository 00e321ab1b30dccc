package dev.redistls.conf;

import dev.redistls.RedisTlsException;
import dev.redistls.files.FileError;
import dev.redistls.files.SafeFiles;
import dev.redistls.files.SafePath;
import dev.redistls.host.FileStat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A redis.conf (or sentinel.conf) held line by line, so that what the tool does not own stays byte for byte:
 * comments, blank lines, order, quoting, line endings, includes and directives it does not know. Reading follows
 * Redis: the last occurrence of a directive wins. Editing touches only the lines of the directives it sets.
 */
public final class RedisConf {
    private final Path path;
    private final SafeFiles files;
    private final List<String> lines = new ArrayList<>();
    private final List<String> endings = new ArrayList<>();

    private RedisConf(Path path, String text, SafeFiles files) {
        this.path = path;
        this.files = files;
        int start = 0;
        while (start < text.length()) {
            int nl = text.indexOf('\n', start);
            if (nl < 0) {
                lines.add(text.substring(start));
                endings.add("");
                break;
            }
            boolean crlf = nl > start && text.charAt(nl - 1) == '\r';
            lines.add(text.substring(start, crlf ? nl - 1 : nl));
            endings.add(crlf ? "\r\n" : "\n");
            start = nl + 1;
        }
        for (int i = 0; i < lines.size(); i++) {
            String t = lines.get(i).stripLeading();
            if (!t.isEmpty() && !t.startsWith("#") && ConfSyntax.split(t) == null) {
                throw RedisTlsException.badInput(path + " line " + (i + 1) + ": unbalanced quotes (Redis would refuse this file)");
            }
        }
    }

    /**
     * Reads a config file on a host (links followed only when root or the tool's user made them); a missing,
     * unreadable, oversized or non-regular file (a FIFO, a device) is bad input naming the path. The bytes are kept
     * as they are: each byte is one char (ISO-8859-1), whatever encoding the file uses.
     */
    public static RedisConf read(SafeFiles files, Path path) {
        String where = FileError.where(files.host());
        Optional<FileStat> st;
        try {
            st = files.stat(path);
        } catch (RedisTlsException e) {
            if (e.exitCode() != RedisTlsException.BAD_INPUT || !(e.getCause() instanceof IOException)) {
                throw e; // not about this path (a lost connection, no SFTP): said as it is
            }
            IOException cause = (IOException) e.getCause();
            throw FileError.badInput("cannot read config file", path, files.host(), cause);
        }
        if (st.isEmpty()) {
            if (files.lstat(path).isPresent()) {
                throw RedisTlsException.badInput("cannot read config file " + path + where + ": broken symbolic link");
            }
            throw RedisTlsException.badInput("config file not found: " + path + where);
        }
        if (st.get().isDirectory()) {
            throw RedisTlsException.badInput("config path is a directory, not a file: " + path + where);
        }
        if (!st.get().isFile()) {
            throw RedisTlsException.badInput("config path " + path + where + " is not a regular file (a FIFO or a device?): refused");
        }
        try {
            return new RedisConf(path, new String(files.read(path), StandardCharsets.ISO_8859_1), files);
        } catch (SafePath.UntrustedLink e) {
            throw RedisTlsException.badInput("cannot read config file " + path + where + ": " + e.getFile() + " is " + e.getReason());
        } catch (IOException e) {
            throw FileError.badInput("cannot read config file", path, files.host(), e);
        }
    }

    /** A config from its text (ISO-8859-1 chars, one per byte); includes are read from {@code files}. */
    public static RedisConf parse(Path path, String text, SafeFiles files) {
        return new RedisConf(path, text, files);
    }

    /** A config from its text, for tests and for edits of a copy; includes are read from this machine. */
    public static RedisConf parse(Path path, String text) {
        return new RedisConf(path, text, null);
    }

    /** Where includes are read from. */
    SafeFiles files() {
        return files != null ? files : new SafeFiles(new dev.redistls.host.LocalHost());
    }

    public Path path() {
        return path;
    }

    /** The file's exact bytes (ISO-8859-1 keeps every byte as one char, whatever the encoding). */
    public byte[] bytes() {
        return text().getBytes(StandardCharsets.ISO_8859_1);
    }

    public String text() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            b.append(lines.get(i)).append(endings.get(i));
        }
        return b.toString();
    }

    public int lineCount() {
        return lines.size();
    }

    public String line(int index) {
        return lines.get(index);
    }

    /** The index of the last line setting {@code directive}, or -1. */
    public int lastIndexOf(String directive) {
        for (int i = lines.size() - 1; i >= 0; i--) {
            if (directive.equals(directiveAt(i))) {
                return i;
            }
        }
        return -1;
    }

    /** The arguments (as text: the bytes read as UTF-8) of the directive's last occurrence in this file. */
    public Optional<List<String>> args(String directive) {
        int i = lastIndexOf(directive);
        if (i < 0) {
            return Optional.empty();
        }
        List<String> words = ConfSyntax.split(lines.get(i));
        return Optional.of(words.subList(1, words.size()).stream().map(ConfSyntax::text).toList());
    }

    /** The first argument of the directive's last occurrence. */
    public Optional<String> value(String directive) {
        return args(directive).map(a -> a.isEmpty() ? "" : a.get(0));
    }

    /** The lower-case directive a line sets, or null for comments and blank lines. */
    public String directiveAt(int index) {
        String t = lines.get(index).stripLeading();
        if (t.isEmpty() || t.startsWith("#")) {
            return null;
        }
        List<String> words = ConfSyntax.split(t);
        return words == null || words.isEmpty() ? null : words.get(0).toLowerCase(Locale.ROOT);
    }

    /** The files named by {@code include} lines, in order (globs are expanded by {@link EffectiveConf}). */
    public List<String> includes() {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if ("include".equals(directiveAt(i))) {
                List<String> words = ConfSyntax.split(lines.get(i));
                if (words.size() > 1) {
                    out.add(words.get(1));
                }
            }
        }
        return out;
    }

    /**
     * The index of a commented-out template of the directive, such as Debian's {@code # tls-port 6379}: the
     * natural place for the real line, next to its documentation. The last such template wins.
     */
    public int templateIndexOf(String directive) {
        for (int i = lines.size() - 1; i >= 0; i--) {
            String t = lines.get(i).strip();
            if (t.startsWith("#")) {
                List<String> words = ConfSyntax.split(t.substring(1).strip());
                if (words != null && !words.isEmpty() && words.get(0).equalsIgnoreCase(directive)) {
                    return i;
                }
            }
        }
        return -1;
    }

    public void replaceLine(int index, String text) {
        lines.set(index, text);
    }

    /** Inserts after {@code index} (-1: at the top), with the file's line ending. */
    public void insertLine(int index, String text) {
        String eol = dominantEnding();
        int at = index + 1;
        if (at == lines.size() && !lines.isEmpty() && endings.get(at - 1).isEmpty()) {
            // The file does not end with a newline: give the old last line one, keep the file's habit for ours.
            endings.set(at - 1, eol);
            lines.add(text);
            endings.add("");
            return;
        }
        lines.add(at, text);
        endings.add(at, eol);
    }

    public void removeLine(int index) {
        lines.remove(index);
        endings.remove(index);
    }

    private String dominantEnding() {
        long crlf = endings.stream().filter("\r\n"::equals).count();
        long lf = endings.stream().filter("\n"::equals).count();
        return crlf > lf ? "\r\n" : "\n";
    }
}
