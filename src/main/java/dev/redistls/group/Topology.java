package dev.redistls.group;

import dev.redistls.RedisTlsException;
import dev.redistls.group.GroupHosts.GroupMember;
import dev.redistls.node.LiveNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Who replicates from whom, read live ({@code INFO replication}), never declared. A replica's master is the group
 * node whose replication ID it shares and whose plain or TLS port it is pointed at: addresses differ with the
 * point of view (127.0.0.1 on one machine, an IP from another), a replication ID and a port do not.
 */
final class Topology {
    /** One data node as it runs now. */
    record Role(GroupMember member, String role, String replid, int plainPort, int tlsPort, String runId,
                String masterHost, int masterPort, String linkStatus) {
        boolean isMaster() {
            return "master".equals(role);
        }
    }

    private final Map<GroupMember, Role> roles;

    private Topology(Map<GroupMember, Role> roles) {
        this.roles = roles;
    }

    /** Reads every data node at once; a node that does not answer is an error naming it. */
    static Topology read(List<GroupMember> dataNodes) {
        Map<GroupMember, Role> out = new LinkedHashMap<>(Parallel.map(dataNodes, Topology::role));
        return new Topology(out);
    }

    static Role role(GroupMember m) {
        try (LiveNode live = m.node().connect()) {
            return role(m, live);
        } catch (LiveNode.Unreachable e) {
            throw RedisTlsException.failed(m.label() + " is down: " + e.getMessage()
                    + "; a group change needs every node running (start it, then run the same command again)");
        }
    }

    static Role role(GroupMember m, LiveNode live) {
        Map<String, String> repl = live.info("replication");
        Map<String, String> ports = live.configGet("port", "tls-port");
        return new Role(m, repl.getOrDefault("role", "?"), repl.getOrDefault("master_replid", ""),
                Integer.parseInt(ports.getOrDefault("port", "0")), Integer.parseInt(ports.getOrDefault("tls-port", "0")),
                live.infoField("run_id"), repl.get("master_host"),
                Integer.parseInt(repl.getOrDefault("master_port", "0")), repl.get("master_link_status"));
    }

    List<Role> roles() {
        return new ArrayList<>(roles.values());
    }

    Role of(GroupMember m) {
        return roles.get(m);
    }

    List<GroupMember> masters() {
        return roles.values().stream().filter(Role::isMaster).map(Role::member).toList();
    }

    List<GroupMember> replicas() {
        return roles.values().stream().filter(r -> !r.isMaster()).map(Role::member).toList();
    }

    /**
     * The group node a replica replicates from: the one pointed at by port that shares its replication ID (a master
     * first, for chains), else the only node pointed at by port. Empty when none is in the group.
     */
    Optional<GroupMember> masterOf(GroupMember replica) {
        Role r = roles.get(replica);
        List<Role> byPort = roles.values().stream()
                .filter(o -> o.member() != replica && (o.plainPort() == r.masterPort() || o.tlsPort() == r.masterPort()))
                .toList();
        List<Role> sameId = byPort.stream().filter(o -> o.replid().equals(r.replid())).toList();
        List<Role> masters = sameId.stream().filter(Role::isMaster).toList();
        if (masters.size() == 1) {
            return Optional.of(masters.get(0).member());
        }
        if (sameId.size() == 1) {
            return Optional.of(sameId.get(0).member());
        }
        if (byPort.size() == 1) {
            return Optional.of(byPort.get(0).member());
        }
        return Optional.empty();
    }

    /** Every replica's master must be in the group: otherwise its link could not be moved. */
    void requireMastersInGroup() {
        for (GroupMember replica : replicas()) {
            Role r = roles.get(replica);
            if (masterOf(replica).isEmpty()) {
                throw RedisTlsException.badInput(replica.label() + " replicates from " + r.masterHost() + ":" + r.masterPort()
                        + ", which is not a node of this inventory: add that master to 'nodes' (or detach the replica)");
            }
        }
    }

    /** What changed since {@code before}: a node whose role changed (a failover during the rollout), if any. */
    Optional<String> roleChangeSince(Topology before) {
        for (Map.Entry<GroupMember, Role> e : roles.entrySet()) {
            Role was = before.roles.get(e.getKey());
            if (was != null && !was.role().equals(e.getValue().role())) {
                return Optional.of(e.getKey().label() + " was a " + was.role() + " and is now a " + e.getValue().role());
            }
        }
        return Optional.empty();
    }
}
