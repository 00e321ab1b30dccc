package dev.redistls.conf;

import dev.redistls.RedisTlsException;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What Redis will read: the main file with its {@code include} files expanded in place (globs in alphabetical
 * order, as Redis does), where the last occurrence of a directive wins.
 */
public final class EffectiveConf {
    /** One directive line and the file it is in. */
    public record Setting(Path file, int line, List<String> args) {
        public String value() {
            return args.isEmpty() ? "" : args.get(0);
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
                for (Path p : expand(conf.path(), words.get(1))) {
                    walk(RedisConf.read(p), depth + 1);
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

    private static List<Path> expand(Path from, String pattern) {
        Path p = Path.of(pattern);
        if (!p.isAbsolute()) {
            // Redis resolves relative includes against its working directory; the config's directory is the best guess.
            p = from.toAbsolutePath().getParent().resolve(p);
        }
        String name = p.getFileName().toString();
        if (!name.contains("*") && !name.contains("?") && !name.contains("[")) {
            if (!Files.exists(p)) {
                throw RedisTlsException.badInput(from + " includes " + p + ", which does not exist (Redis would refuse to start)");
            }
            return List.of(p);
        }
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(p.getParent(), name)) {
            ds.forEach(out::add);
        } catch (IOException e) {
            return out;
        }
        out.sort(null);
        return out;
    }
}
