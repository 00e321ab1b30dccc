package dev.redistls.group;

import dev.redistls.RedisTlsException;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Appends an entry to an inventory's {@code nodes} list as a person would: a few lines inserted after the last
 * entry, indented like the entries above; every other byte (comments, blank lines, order, quoting) stays. The
 * result is read back with {@link InventoryReader} before it is used, so an edit that would not validate is refused
 * before anything is touched.
 */
public final class InventoryEditor {
    /** A plain YAML scalar that needs no quotes: no indicator first, no {@code ": "} or {@code " #"} inside. */
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_/.~][A-Za-z0-9_/.~@:+=,%-]*");

    private InventoryEditor() {
    }

    /**
     * {@code text} with an entry of {@code keys} (in order; a list value is written as a flow sequence) appended to
     * its {@code nodes}, and the 1-based line where the entry starts.
     */
    public static Edit appendNode(Path file, String text, Map<String, Object> keys) {
        Node root = InventoryReader.compose(file, text);
        SequenceNode nodes = nodesOf(file, root);
        if (nodes.getValue().isEmpty()) {
            throw RedisTlsException.badInput(file + ": 'nodes' is empty; add the first node by hand");
        }
        Node first = nodes.getValue().get(0);
        Node last = nodes.getValue().get(nodes.getValue().size() - 1);
        int keyColumn = first.getStartMark().map(Mark::getColumn).orElse(0);
        String firstLine = line(text, first.getStartMark().map(Mark::getLine).orElse(0));
        int dash = firstLine.lastIndexOf('-', keyColumn);
        if (!(first instanceof MappingNode) || dash < 0 || !firstLine.substring(0, dash).isBlank()) {
            throw RedisTlsException.badInput(file + " line " + InventoryReader.line(first) + ": 'nodes' is not a block list"
                    + " of '- key: value' entries; add the node by hand");
        }
        StringBuilder entry = new StringBuilder();
        boolean firstKey = true;
        for (Map.Entry<String, Object> e : keys.entrySet()) {
            entry.append(firstKey ? " ".repeat(dash) + "-" + " ".repeat(keyColumn - dash - 1) : " ".repeat(keyColumn))
                    .append(e.getKey()).append(": ").append(value(e.getValue())).append('\n');
            firstKey = false;
        }
        int endLine = lastLine(last);
        int offset = offsetAfterLine(text, endLine);
        String prefix = text.substring(0, offset);
        if (!prefix.isEmpty() && !prefix.endsWith("\n")) {
            prefix += "\n";
        }
        String edited = prefix + entry + text.substring(offset);
        int entryLine = (int) prefix.chars().filter(c -> c == '\n').count() + 1;
        return new Edit(edited, entryLine);
    }

    /** The edited text, and the line where the new entry starts. */
    public record Edit(String text, int line) {
    }

    /**
     * Replaces the inventory on this machine with {@code edited} (atomically, keeping its mode and owner), unless it
     * changed since it was read as {@code read}: then the entry is left for a person to add.
     */
    public static void write(Path file, String read, String edited) {
        try {
            String now = java.nio.file.Files.readString(file, java.nio.charset.StandardCharsets.UTF_8);
            if (!now.equals(read)) {
                throw RedisTlsException.failed(file + " changed while the node was being added: the node is secured;"
                        + " add its entry by hand");
            }
        } catch (java.io.IOException e) {
            throw RedisTlsException.failed("cannot read " + file + " again: " + e.getMessage(), e);
        }
        try (dev.redistls.host.LocalHost here = new dev.redistls.host.LocalHost()) {
            new dev.redistls.files.FileBatch(here, false).replace(file, edited.getBytes(java.nio.charset.StandardCharsets.UTF_8))
                    .commit();
        }
    }

    private static SequenceNode nodesOf(Path file, Node root) {
        if (root instanceof MappingNode map) {
            for (NodeTuple t : map.getValue()) {
                if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals("nodes") && t.getValueNode() instanceof SequenceNode s) {
                    return s;
                }
            }
        }
        throw RedisTlsException.badInput(file + ": no 'nodes' list to add to");
    }

    /** The last line (0-based) holding any part of {@code node}: a scalar's own line, a collection's last child's. */
    private static int lastLine(Node node) {
        int line = node.getStartMark().map(Mark::getLine).orElse(0);
        if (node instanceof ScalarNode s) {
            // A multi-line scalar ends where its end mark is; a plain one-liner's end mark is on its own line.
            return Math.max(line, s.getEndMark().map(Mark::getLine).orElse(line)
                    - (s.getEndMark().map(Mark::getColumn).orElse(1) == 0 ? 1 : 0));
        }
        List<Node> children = new ArrayList<>();
        if (node instanceof MappingNode m) {
            m.getValue().forEach(t -> {
                children.add(t.getKeyNode());
                children.add(t.getValueNode());
            });
        } else if (node instanceof SequenceNode s) {
            children.addAll(s.getValue());
            if (s.getEndMark().isPresent() && !s.getValue().isEmpty() && s.getStartMark().isPresent()
                    && s.getEndMark().get().getLine() == s.getStartMark().get().getLine()) {
                return line; // a flow sequence on one line
            }
        }
        for (Node c : children) {
            line = Math.max(line, lastLine(c));
        }
        return line;
    }

    private static String line(String text, int index) {
        return text.lines().skip(index).findFirst().orElse("");
    }

    private static int offsetAfterLine(String text, int line) {
        int offset = 0;
        for (int i = 0; i <= line; i++) {
            int nl = text.indexOf('\n', offset);
            if (nl < 0) {
                return text.length();
            }
            offset = nl + 1;
        }
        return offset;
    }

    private static String value(Object v) {
        if (v instanceof Boolean || v instanceof Integer) {
            return v.toString();
        }
        if (v instanceof List<?> list) {
            return "[" + String.join(", ", list.stream().map(x -> scalar(String.valueOf(x))).toList()) + "]";
        }
        return scalar(String.valueOf(v));
    }

    /** Plain when it reads back as the same string, else double-quoted with YAML escapes. */
    static String scalar(String s) {
        if (PLAIN.matcher(s).matches() && !s.contains(": ") && !List.of("true", "false", "yes", "no", "on", "off", "null", "~")
                .contains(s.toLowerCase(java.util.Locale.ROOT))) {
            return s;
        }
        StringBuilder q = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> q.append("\\\"");
                case '\\' -> q.append("\\\\");
                case '\n' -> q.append("\\n");
                case '\t' -> q.append("\\t");
                default -> {
                    if (c < 0x20) {
                        q.append(String.format("\\x%02x", (int) c));
                    } else {
                        q.append(c);
                    }
                }
            }
        }
        return q.append('"').toString();
    }

    /** The keys of a node entry in the order the README's inventory shows them. */
    public static Map<String, Object> entry(String host, boolean become, Path conf, Path keysDir, Integer tlsPort, String hostname,
                                     List<String> sans, String endpoint) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (host != null) {
            m.put("host", host);
        }
        if (become) {
            m.put("become", true);
        }
        m.put("conf", conf.toString());
        if (keysDir != null) {
            m.put("keys-dir", keysDir.toString());
        }
        if (tlsPort != null) {
            m.put("tls-port", tlsPort);
        }
        if (hostname != null) {
            m.put("hostname", hostname);
        }
        if (!sans.isEmpty()) {
            m.put("san", sans);
        }
        if (endpoint != null) {
            m.put("endpoint", endpoint);
        }
        return m;
    }
}
