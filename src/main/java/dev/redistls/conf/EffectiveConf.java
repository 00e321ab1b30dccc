package dev.redistls.conf;

import dev.redistls.RedisTlsException;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.PathMatcher;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What Redis will read: the main file with its {@code include} files expanded in place (globs in alphabetical
 * order, as Redis does), where the last occurrence of a directive wins.
 */
public final class EffectiveConf {
    /** One directive line and the file it is in; {@code args} as they stand in the file (one char per byte). */
    public record Setting(Path file, int line, List<String> args) {
        /** The first argument as text (its bytes read as UTF-8). */
        public String value() {
            return args.isEmpty() ? "" : ConfSyntax.text(args.get(0));
        }

        /** The first argument's bytes, exactly (a password). */
        public byte[] rawValue() {
            return args.isEmpty() ? new byte[0] : ConfSyntax.bytes(args.get(0));
        }
    }

    private final List<Setting> settings = new ArrayList<>();
    private final List<String> names = new ArrayList<>();

    private EffectiveConf() {
    }

    public static EffectiveConf of(RedisConf main) {
        EffectiveConf e = new EffectiveConf();
        e.walk(main, 0);
        return e;
    }

    private void walk(RedisConf conf, int depth) {
        if (depth > 8) {
            throw RedisTlsException.badInput("includes nested too deep at " + conf.path());
        }
        for (int i = 0; i < conf.lineCount(); i++) {
            String d = conf.directiveAt(i);
            if (d == null) {
                continue;
            }
            List<String> words = ConfSyntax.split(conf.line(i));
            if ("include".equals(d) && words.size() > 1) {
                for (Path p : expand(conf, ConfSyntax.text(words.get(1)))) {
                    walk(RedisConf.read(conf.files(), p), depth + 1);
                }
                continue;
            }
            names.add(d);
            settings.add(new Setting(conf.path(), i, words.subList(1, words.size())));
        }
    }

    /** The setting that wins, if any. */
    public Optional<Setting> last(String directive) {
        for (int i = settings.size() - 1; i >= 0; i--) {
            if (names.get(i).equals(directive)) {
                return Optional.of(settings.get(i));
            }
        }
        return Optional.empty();
    }

    public Optional<String> value(String directive) {
        return last(directive).map(Setting::value);
    }

    public int intValue(String directive, int fallback) {
        Optional<Setting> s = last(directive);
        if (s.isEmpty()) {
            return fallback;
        }
        try {
            return Integer.parseInt(s.get().value());
        } catch (NumberFormatException e) {
            throw RedisTlsException.badInput(s.get().file() + " line " + (s.get().line() + 1) + ": " + directive
                    + " must be a number, got '" + s.get().value() + "'");
        }
    }

    private static List<Path> expand(RedisConf conf, String pattern) {
        Path from = conf.path();
        Path p = Path.of(pattern);
        if (!p.isAbsolute()) {
            // Redis resolves relative includes against its working directory; the config's directory is the best guess.
            p = from.toAbsolutePath().getParent().resolve(p);
        }
        String name = p.getFileName().toString();
        if (!name.contains("*") && !name.contains("?") && !name.contains("[")) {
            if (!conf.files().exists(p)) {
                throw RedisTlsException.badInput(from + " includes " + p + ", which does not exist (Redis would refuse to start)");
            }
            return List.of(p);
        }
        List<Path> out = new ArrayList<>();
        PathMatcher glob = FileSystems.getDefault().getPathMatcher("glob:" + name);
        try {
            for (String entry : conf.files().list(p.getParent())) {
                if (glob.matches(Path.of(entry))) {
                    out.add(p.getParent().resolve(entry));
                }
            }
        } catch (IOException e) {
            return out;
        }
        out.sort(null);
        return out;
    }
}
