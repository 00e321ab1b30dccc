package dev.redistls.conf;

import dev.redistls.RedisTlsException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Sets the directives the tool owns in a {@link RedisConf}, and takes them back out. A directive is changed
 * where it already is; a missing one goes right after its commented template (Debian's {@code # tls-port 6379})
 * or, without one, at the end of the file. Nothing else moves.
 */
public final class ConfEditor {
    /** Redis's own defaults: a directive absent from the file and wanted at its default is not written. */
    private static final Map<String, String> REDIS_DEFAULTS = Map.of(
            "port", "6379", "tls-port", "0", "tls-replication", "no", "tls-cluster", "no");

    private ConfEditor() {
    }

    /**
     * Applies {@code wanted} to {@code conf}. {@code earlier} are the changes of a previous install or configure:
     * a directive already changed keeps its first "before", so that uninstall goes back to the original.
     */
    public static List<ConfChange> apply(RedisConf conf, Map<String, List<String>> wanted, List<ConfChange> earlier) {
        EffectiveConf effective = EffectiveConf.of(conf);
        Map<String, ConfChange> changes = new LinkedHashMap<>();
        earlier.forEach(c -> changes.put(c.directive(), c));
        int lastInserted = -1;
        for (Map.Entry<String, List<String>> w : wanted.entrySet()) {
            String d = w.getKey();
            String line = ConfSyntax.line(d, w.getValue());
            effective.last(d).filter(s -> !s.file().equals(conf.path())).ifPresent(s -> {
                throw RedisTlsException.badInput(d + " is set in included file " + s.file() + " line " + (s.line() + 1)
                        + ", which overrides " + conf.path() + ": remove it there so that redis-tls can manage it");
            });
            int at = conf.lastIndexOf(d);
            if (at >= 0) {
                String old = conf.line(at);
                if (!ConfSyntax.split(old).equals(ConfSyntax.split(line))) {
                    conf.replaceLine(at, line);
                    changes.putIfAbsent(d, new ConfChange(d, old, line));
                    changes.computeIfPresent(d, (k, c) -> new ConfChange(d, c.before(), line));
                }
                continue;
            }
            if (w.getValue().size() == 1 && w.getValue().get(0).equals(REDIS_DEFAULTS.get(d))) {
                continue;
            }
            int template = conf.templateIndexOf(d);
            if (template >= 0) {
                conf.insertLine(template, line);
                if (lastInserted > template) {
                    lastInserted++;
                }
            } else {
                // Lines without a template are kept together, in the order they are applied.
                int anchor = lastInserted >= 0 ? lastInserted : conf.lineCount() - 1;
                conf.insertLine(anchor, line);
                lastInserted = anchor + 1;
            }
            changes.putIfAbsent(d, new ConfChange(d, null, line));
            changes.computeIfPresent(d, (k, c) -> new ConfChange(d, c.before(), line));
        }
        return new ArrayList<>(changes.values());
    }

    /** What {@link #revert} found changed by hand since the tool wrote its lines. */
    public record Reverted(List<String> handEdited) {
    }

    /** Puts back the lines recorded in {@code changes}; lines a person edited since are reported. */
    public static Reverted revert(RedisConf conf, List<ConfChange> changes) {
        List<String> notes = new ArrayList<>();
        for (int i = changes.size() - 1; i >= 0; i--) {
            ConfChange c = changes.get(i);
            int at = conf.lastIndexOf(c.directive());
            if (at < 0) {
                notes.add(c.directive() + " was removed by hand after install; left out");
                continue;
            }
            // Sentinel and CONFIG REWRITE write the same setting with quotes: only a different meaning is an edit.
            if (!conf.line(at).equals(c.after()) && !java.util.Objects.equals(ConfSyntax.split(conf.line(at)), ConfSyntax.split(c.after()))) {
                notes.add(c.directive() + " was edited by hand after install ('" + conf.line(at) + "'); restored to "
                        + (c.before() == null ? "its absence" : "'" + c.before() + "'"));
            }
            if (c.before() == null) {
                conf.removeLine(at);
            } else {
                conf.replaceLine(at, c.before());
            }
        }
        return new Reverted(notes);
    }
}
