package dev.redistls.group;

import dev.redistls.conf.AuthClients;
import dev.redistls.conf.TlsProfile;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A group as its inventory file describes it: its name (which names its root CA), where that root lives, the mode
 * options the group shares, its data nodes and its sentinels. Roles (master, replica) are not here: they are read
 * live. Made only by {@link InventoryReader}, so an {@code Inventory} is always a fully validated one.
 *
 * @param file      the inventory file, for messages
 * @param name      the group's name: its root is "redis-tls root CA {@code name}"
 * @param caHome    the CA home, or null for the default (as for single nodes)
 * @param mode      the group's mode options (null fields: not given)
 * @param nodes     the data nodes, in file order
 * @param sentinels the sentinels, in file order
 */
public record Inventory(Path file, String name, Path caHome, Mode mode, List<Member> nodes, List<Member> sentinels) {

    public Inventory {
        nodes = List.copyOf(nodes);
        sentinels = List.copyOf(sentinels);
    }

    /** Mode options shared by the group ({@code defaults:} in the file); null: not given. */
    public record Mode(AuthClients authClients, Boolean replication, Boolean cluster, Boolean tlsOnly, TlsProfile profile) {
        public static final Mode NONE = new Mode(null, null, null, null, null);
    }

    public enum Kind {
        NODE("nodes"), SENTINEL("sentinels");

        private final String section;

        Kind(String section) {
            this.section = section;
        }

        public String section() {
            return section;
        }
    }

    /**
     * One data node or sentinel, with the group defaults already applied.
     *
     * @param line     1-based line of its entry in the file
     * @param index    its index in its section
     * @param host     {@code [user@]name[:port]}, or null for this machine
     * @param become   act as root through {@code sudo -n} there
     * @param tlsPort  null: the default (6380 for data nodes, the plain port + 1 for sentinels)
     * @param sans     extra subject alternative names
     */
    public record Member(Kind kind, int line, int index, String host, boolean become, Path conf, Path keysDir,
                         Integer tlsPort, String hostname, List<String> sans, String endpoint, String restartCommand) {
        public Member {
            sans = List.copyOf(sans);
        }

        /** How messages name it: {@code nodes[1] (redis2:/etc/redis/redis.conf, line 9)}. */
        public String label() {
            return kind.section() + "[" + index + "] (" + (host == null ? "" : host + ":") + conf + ", line " + line + ")";
        }

        public boolean isLocal() {
            return host == null;
        }

        public Optional<String> hostOption() {
            return Optional.ofNullable(host);
        }
    }

    /** Every member: data nodes first, then sentinels. */
    public List<Member> members() {
        return java.util.stream.Stream.concat(nodes.stream(), sentinels.stream()).toList();
    }
}
