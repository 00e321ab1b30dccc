package dev.redistls.group;

import dev.redistls.RedisTlsException;
import dev.redistls.group.GroupHosts.GroupMember;
import dev.redistls.install.Status;
import dev.redistls.node.Endpoint;
import dev.redistls.node.LiveNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code group status}: each member's single-node status, plus its role, whether its replication link is up and
 * runs over TLS (a replica pointed at its master's TLS port, which speaks nothing else), and for a sentinel the
 * masters it monitors and whether it reaches them over TLS.
 */
public final class GroupStatus {
    /** One row: the single-node snapshot and what the group adds. */
    /** @param linkProblem why a replica's TLS link is down, as a handshake with its certificate tells; else null */
    public record Row(GroupMember member, Status.Snapshot status, String role, String masterLink, Boolean overTls,
                      List<Monitoring> monitoring, String linkProblem) {
    }

    public record Monitoring(String master, String ip, int port, boolean overTls, String flags) {
    }

    private GroupStatus() {
    }

    public static List<Row> of(GroupHosts hosts) {
        Map<GroupMember, Row> rows = Parallel.map(hosts.members(), GroupStatus::row);
        List<Row> out = new ArrayList<>(rows.values());
        List<Row> fixed = new ArrayList<>();
        for (Row r : out) {
            if (r.role().equals("replica") && r.member() != null) {
                fixed.add(new Row(r.member(), r.status(), r.role(), r.masterLink(), overTls(r), r.monitoring(), r.linkProblem()));
            } else if (r.role().equals("sentinel")) {
                fixed.add(new Row(r.member(), r.status(), r.role(), null, null, sentinelTls(r, out), null));
            } else {
                fixed.add(r);
            }
        }
        return fixed;
    }

    private static Row row(GroupMember m) {
        Status.Snapshot s = Status.of(m.node());
        String role = "down";
        String link = null;
        String problem = null;
        List<Monitoring> monitoring = List.of();
        Optional<LiveNode> live;
        try {
            live = m.node().connectIfRunning();
        } catch (RedisTlsException e) {
            live = Optional.empty();
        }
        if (live.isPresent()) {
            try (LiveNode l = live.get()) {
                if (l.isSentinel()) {
                    role = "sentinel";
                    monitoring = new ArrayList<>();
                    for (Map<String, String> x : Sentinels.maps(l.sentinel("masters"))) {
                        monitoring.add(new Monitoring(x.get("name"), x.get("ip"), Integer.parseInt(x.get("port")), false,
                                x.get("flags")));
                    }
                } else {
                    Map<String, String> repl = l.info("replication");
                    role = "master".equals(repl.get("role")) ? "master" : "replica";
                    link = repl.get("master_link_status");
                    if (link != null) {
                        Endpoint master = new Endpoint(repl.get("master_host"), Integer.parseInt(repl.get("master_port")));
                        if (!"up".equals(link) && s.live().config() != null && "yes".equals(s.live().config().get("tls-replication"))
                                && m.node().keys().isComplete()) {
                            problem = ReplicaLink.why(m, master).orElse(null);
                        }
                        link = link + " " + master;
                    }
                }
            } catch (RedisTlsException e) {
                role = "unreadable";
            }
        }
        return new Row(m, s, role, link, null, monitoring, problem);
    }

    /**
     * A replica with {@code tls-replication yes} speaks only TLS to its master, so a link that is up runs over TLS,
     * whichever node (in this inventory or another region's) is at its other end.
     */
    private static boolean overTls(Row replica) {
        String link = replica.masterLink();
        return link != null && link.startsWith("up ") && replica.status().live().config() != null
                && "yes".equals(replica.status().live().config().get("tls-replication"));
    }

    private static List<Monitoring> sentinelTls(Row sentinel, List<Row> all) {
        boolean tlsReplication = sentinel.status().configured().replication();
        List<Monitoring> out = new ArrayList<>();
        for (Monitoring m : sentinel.monitoring()) {
            boolean tls = tlsReplication && all.stream().anyMatch(r -> r.role().equals("master")
                    && r.status().live().config() != null
                    && String.valueOf(m.port()).equals(r.status().live().config().get("tls-port")));
            out.add(new Monitoring(m.master(), m.ip(), m.port(), tls, m.flags()));
        }
        return out;
    }

    /** The documented {@code group status --json} shape: the single-node fields plus host, role, replication, monitoring. */
    public static List<Map<String, Object>> json(List<Row> rows) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Row r : rows) {
            Map<String, Object> m = new LinkedHashMap<>(Status.json(r.status()));
            m.put("host", r.member().spec().host());
            m.put("member", r.member().spec().kind().section() + "[" + r.member().spec().index() + "]");
            m.put("role", r.role());
            m.put("tlsReplication", r.status().configured().replication());
            if (!r.role().equals("sentinel")) {
                Map<String, Object> repl = new LinkedHashMap<>();
                repl.put("masterLink", r.masterLink() == null ? null : r.masterLink().split(" ")[0]);
                repl.put("master", r.masterLink() == null ? null : r.masterLink().split(" ")[1]);
                repl.put("overTls", r.overTls());
                repl.put("problem", r.linkProblem());
                m.put("replication", repl);
            } else {
                m.remove("replication");
                List<Map<String, Object>> mon = new ArrayList<>();
                for (Monitoring x : r.monitoring()) {
                    Map<String, Object> e = new LinkedHashMap<>();
                    e.put("master", x.master());
                    e.put("ip", x.ip());
                    e.put("port", x.port());
                    e.put("overTls", x.overTls());
                    e.put("flags", x.flags());
                    mon.add(e);
                }
                m.put("monitoring", mon);
            }
            out.add(m);
        }
        return out;
    }
}
