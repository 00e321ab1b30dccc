package dev.redistls.group;

import dev.redistls.RedisTlsException;
import dev.redistls.conf.AuthClients;
import dev.redistls.conf.TlsProfile;
import dev.redistls.group.Inventory.Kind;
import dev.redistls.group.Inventory.Member;
import dev.redistls.node.Endpoint;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads and validates an inventory file completely, before any node is touched. Every error is one line naming
 * the file, the line and the key: {@code /srv/orders.yaml line 9: nodes[1].tls_port: unknown key (known: ...)}.
 * <p>
 * The YAML is composed, not constructed: keys and values stay text with their positions, and each key is read as
 * the type it has here (YAML 1.2: {@code auth-clients: no} is the word, and {@code replication: yes} is accepted
 * as a boolean because people write it).
 */
public final class InventoryReader {
    /** Keys of a node or sentinel entry. */
    static final List<String> MEMBER_KEYS = List.of("host", "become", "conf", "keys-dir", "tls-port", "hostname", "san",
            "endpoint", "restart-command");
    /** Mode options, allowed under {@code defaults} only: a group shares one mode. */
    static final List<String> MODE_KEYS = List.of("auth-clients", "replication", "cluster", "tls-only", "tls-profile");
    /** Keys under {@code defaults} that data nodes take but sentinels do not: a sentinel has its own files and ports. */
    private static final Set<String> DATA_NODE_ONLY = Set.of("conf", "keys-dir", "tls-port", "endpoint", "restart-command");
    private static final List<String> TOP_KEYS = List.of("name", "ca-home", "defaults", "nodes", "sentinels");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
    /** Where a sentinel's TLS files go when its entry does not say: apart from a data node's on the same host. */
    public static final Path SENTINEL_KEYS_DIR = Path.of("/etc/redis/tls-sentinel");
    private static final long MAX_BYTES = 1 << 20;

    private final Path file;

    private InventoryReader(Path file) {
        this.file = file;
    }

    public static Inventory read(Path file) {
        Path abs = file.toAbsolutePath().normalize();
        String text;
        try {
            if (!Files.isRegularFile(abs)) {
                throw RedisTlsException.badInput("inventory " + abs + " does not exist or is not a regular file");
            }
            if (Files.size(abs) > MAX_BYTES) {
                throw RedisTlsException.badInput("inventory " + abs + " is larger than 1 MiB");
            }
            text = Files.readString(abs, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw RedisTlsException.badInput("cannot read inventory " + abs + ": " + e.getMessage());
        }
        return parse(abs, text);
    }

    /** Parses inventory text as if read from {@code file}. */
    public static Inventory parse(Path file, String text) {
        return new InventoryReader(file).inventory(compose(file, text));
    }

    static Node compose(Path file, String text) {
        LoadSettings settings = LoadSettings.builder().setLabel(file.toString()).setMaxAliasesForCollections(20)
                .setAllowRecursiveKeys(false).setCodePointLimit((int) MAX_BYTES).build();
        try {
            return new Compose(settings).composeString(text).orElseThrow(() ->
                    RedisTlsException.badInput(file + " line 1: the inventory is empty: it needs 'name' and 'nodes'"));
        } catch (MarkedYamlEngineException e) {
            int line = e.getProblemMark().map(m -> m.getLine() + 1).orElse(1);
            throw RedisTlsException.badInput(file + " line " + line + ": not valid YAML: " + e.getProblem());
        } catch (YamlEngineException e) {
            throw RedisTlsException.badInput(file + ": not valid YAML: " + e.getMessage().lines().findFirst().orElse(""));
        }
    }

    private Inventory inventory(Node root) {
        Map<String, NodeTuple> top = mapping(root, "the inventory", TOP_KEYS);
        String name = string(required(top, root, "name", "the inventory").getValueNode(), "name");
        if (!NAME.matcher(name).matches()) {
            throw error(top.get("name").getValueNode(), "name", "'" + name
                    + "' is not a group name: letters, digits, '.', '_' and '-', at most 63 characters");
        }
        Path caHome = top.containsKey("ca-home") ? absolute(top.get("ca-home").getValueNode(), "ca-home") : null;

        Map<String, NodeTuple> defaults = Map.of();
        if (top.containsKey("defaults")) {
            List<String> allowed = new ArrayList<>(MEMBER_KEYS);
            allowed.addAll(MODE_KEYS);
            defaults = mapping(top.get("defaults").getValueNode(), "defaults", allowed);
        }
        Inventory.Mode mode = mode(defaults);

        NodeTuple nodesTuple = required(top, root, "nodes", "the inventory");
        List<Member> nodes = members(nodesTuple.getValueNode(), Kind.NODE, defaults);
        if (nodes.isEmpty()) {
            throw error(nodesTuple.getValueNode(), "nodes", "the group has no node");
        }
        List<Member> sentinels = top.containsKey("sentinels")
                ? members(top.get("sentinels").getValueNode(), Kind.SENTINEL, defaults) : List.of();
        Inventory inv = new Inventory(file, name, caHome, mode, nodes, sentinels);
        checkDistinct(inv);
        return inv;
    }

    private Inventory.Mode mode(Map<String, NodeTuple> d) {
        AuthClients auth = null;
        if (d.containsKey("auth-clients")) {
            String v = string(d.get("auth-clients").getValueNode(), "defaults.auth-clients");
            try {
                auth = AuthClients.parse(v);
            } catch (RedisTlsException e) {
                throw error(d.get("auth-clients").getValueNode(), "defaults.auth-clients", "'" + v + "': use no, optional or yes");
            }
        }
        TlsProfile profile = null;
        if (d.containsKey("tls-profile")) {
            String v = string(d.get("tls-profile").getValueNode(), "defaults.tls-profile");
            try {
                profile = TlsProfile.parse(v);
            } catch (RedisTlsException e) {
                throw error(d.get("tls-profile").getValueNode(), "defaults.tls-profile", "'" + v + "': use intermediate or modern");
            }
        }
        return new Inventory.Mode(auth, bool(d, "replication", "defaults."), bool(d, "cluster", "defaults."),
                bool(d, "tls-only", "defaults."), profile);
    }

    private List<Member> members(Node node, Kind kind, Map<String, NodeTuple> defaults) {
        if (!(node instanceof SequenceNode seq)) {
            throw error(node, kind.section(), "must be a list of entries ('- host: ...')");
        }
        List<Member> out = new ArrayList<>();
        for (Node item : seq.getValue()) {
            int i = out.size();
            String where = kind.section() + "[" + i + "]";
            List<String> allowed = MEMBER_KEYS;
            Map<String, NodeTuple> own = mapping(item, where, allowed, MODE_KEYS,
                    " is a group option: set it under 'defaults'");
            Map<String, NodeTuple> m = new LinkedHashMap<>();
            defaults.forEach((k, v) -> {
                if (MEMBER_KEYS.contains(k) && (kind == Kind.NODE || !DATA_NODE_ONLY.contains(k))) {
                    m.put(k, v);
                }
            });
            m.putAll(own);
            if (!m.containsKey("conf")) {
                throw error(item, where + ".conf", kind == Kind.SENTINEL
                        ? "a sentinel needs 'conf' (its sentinel.conf)" : "a node needs 'conf' (its redis.conf)");
            }
            String host = m.containsKey("host") ? string(m.get("host").getValueNode(), where + ".host") : null;
            Path conf = absolute(m.get("conf").getValueNode(), where + ".conf");
            Path keys = m.containsKey("keys-dir") ? absolute(m.get("keys-dir").getValueNode(), where + ".keys-dir")
                    : kind == Kind.SENTINEL ? SENTINEL_KEYS_DIR : null;
            Integer tlsPort = m.containsKey("tls-port") ? port(m.get("tls-port").getValueNode(), where + ".tls-port") : null;
            String hostname = m.containsKey("hostname") ? string(m.get("hostname").getValueNode(), where + ".hostname") : null;
            List<String> sans = m.containsKey("san") ? strings(m.get("san").getValueNode(), where + ".san") : List.of();
            String endpoint = null;
            if (m.containsKey("endpoint")) {
                Node v = m.get("endpoint").getValueNode();
                endpoint = string(v, where + ".endpoint");
                try {
                    Endpoint.parse(endpoint);
                } catch (RedisTlsException e) {
                    throw error(v, where + ".endpoint", "'" + endpoint + "' is not HOST:PORT");
                }
            }
            String restart = m.containsKey("restart-command")
                    ? string(m.get("restart-command").getValueNode(), where + ".restart-command") : null;
            Boolean become = bool(m, "become", where + ".");
            out.add(new Member(kind, line(item), i, host, Boolean.TRUE.equals(become), conf, keys, tlsPort, hostname,
                    sans, endpoint, restart));
        }
        return out;
    }

    /** No member twice, no two members sharing an endpoint or a keys dir on one host. */
    private void checkDistinct(Inventory inv) {
        Map<String, Member> confs = new HashMap<>();
        Map<String, Member> endpoints = new HashMap<>();
        Map<String, Member> keys = new HashMap<>();
        for (Member m : inv.members()) {
            String host = m.host() == null ? "" : m.host();
            Member twin = confs.putIfAbsent(host + "\0" + m.conf(), m);
            if (twin != null) {
                throw new RedisTlsException(RedisTlsException.BAD_INPUT, file + " line " + m.line() + ": "
                        + m.kind().section() + "[" + m.index() + "].conf: the same node as " + twin.label());
            }
            if (m.endpoint() != null) {
                Endpoint e = Endpoint.parse(m.endpoint());
                twin = endpoints.putIfAbsent(host + "\0" + e, m);
                if (twin != null) {
                    throw new RedisTlsException(RedisTlsException.BAD_INPUT, file + " line " + m.line() + ": "
                            + m.kind().section() + "[" + m.index() + "].endpoint: " + e + " is also the endpoint of " + twin.label());
                }
            }
            if (m.keysDir() != null) {
                twin = keys.putIfAbsent(host + "\0" + m.keysDir(), m);
                if (twin != null) {
                    throw new RedisTlsException(RedisTlsException.BAD_INPUT, file + " line " + m.line() + ": "
                            + m.kind().section() + "[" + m.index() + "].keys-dir: " + m.keysDir()
                            + " is also the keys dir of " + twin.label() + "; each node needs its own");
                }
            }
        }
    }

    // ---------------------------------------------------------------- typed values

    private Map<String, NodeTuple> mapping(Node node, String where, List<String> allowed) {
        return mapping(node, where, allowed, List.of(), "");
    }

    /** A block mapping's entries by key; unknown and repeated keys are errors ({@code misplaced} get {@code why}). */
    private Map<String, NodeTuple> mapping(Node node, String where, List<String> allowed, List<String> misplaced, String why) {
        if (!(node instanceof MappingNode map)) {
            throw error(node, where, "must be a mapping of keys ('key: value')");
        }
        Map<String, NodeTuple> out = new LinkedHashMap<>();
        for (NodeTuple t : map.getValue()) {
            if (!(t.getKeyNode() instanceof ScalarNode k)) {
                throw error(t.getKeyNode(), where, "a key must be a plain word");
            }
            String key = k.getValue();
            String path = where.equals("the inventory") ? key : where + "." + key;
            if (misplaced.contains(key)) {
                throw error(k, path, key + why);
            }
            if (!allowed.contains(key)) {
                String hint = allowed.contains(key.replace('_', '-').toLowerCase(Locale.ROOT))
                        ? " (did you mean '" + key.replace('_', '-').toLowerCase(Locale.ROOT) + "'?)" : "";
                throw error(k, path, "unknown key" + hint + "; known keys: " + String.join(", ", allowed));
            }
            if (out.containsKey(key)) {
                throw error(k, path, "given twice (first on line " + line(out.get(key).getKeyNode()) + ")");
            }
            out.put(key, t);
        }
        return out;
    }

    private NodeTuple required(Map<String, NodeTuple> map, Node parent, String key, String where) {
        NodeTuple t = map.get(key);
        if (t == null) {
            throw error(parent, key, "missing: " + where + " needs '" + key + "'");
        }
        return t;
    }

    private String string(Node node, String path) {
        if (!(node instanceof ScalarNode s)) {
            throw error(node, path, "must be a single value");
        }
        String v = s.getValue().strip();
        if (v.isEmpty() || (s.isPlain() && (v.equals("~") || v.equals("null")))) {
            throw error(node, path, "has no value");
        }
        return v;
    }

    private List<String> strings(Node node, String path) {
        if (node instanceof ScalarNode) {
            return List.of(string(node, path));
        }
        if (!(node instanceof SequenceNode seq)) {
            throw error(node, path, "must be a value or a list of values");
        }
        List<String> out = new ArrayList<>();
        for (Node n : seq.getValue()) {
            out.add(string(n, path));
        }
        return out;
    }

    private Path absolute(Node node, String path) {
        String v = string(node, path);
        Path p = Path.of(v);
        if (!p.isAbsolute()) {
            throw error(node, path, "'" + v + "' must be an absolute path");
        }
        return p.normalize();
    }

    private Integer port(Node node, String path) {
        String v = string(node, path);
        try {
            int p = Integer.parseInt(v);
            if (p >= 1 && p <= 65535) {
                return p;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw error(node, path, "'" + v + "' is not a port (1-65535)");
    }

    private Boolean bool(Map<String, NodeTuple> map, String key, String prefix) {
        NodeTuple t = map.get(key);
        if (t == null) {
            return null;
        }
        String v = string(t.getValueNode(), prefix + key);
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw error(t.getValueNode(), prefix + key, "'" + v + "' is not true or false");
        };
    }

    private RedisTlsException error(Node node, String key, String message) {
        return RedisTlsException.badInput(file + " line " + line(node) + ": " + key + ": " + message);
    }

    static int line(Node node) {
        return node.getStartMark().map(Mark::getLine).orElse(0) + 1;
    }
}
