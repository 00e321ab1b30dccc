package dev.redistls.testing;

import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * The test's own view of a Redis Cluster, independent of the tool: plain-text Jedis connections to every node, as
 * the test reaches them. Reads state (CLUSTER INFO, NODES, LINKS, INFO), and {@link Watch}es the cluster through a
 * change for anything a failover starts with.
 */
public final class ClusterJudge {
    /** A node's plain endpoint as the test reaches it. */
    public record Node(String host, int port) {
        @Override
        public String toString() {
            return host + ":" + port;
        }
    }

    /** One node at one moment: its id, role, epoch, process and (replicas) the master port it replicates from. */
    public record State(String id, boolean master, long currentEpoch, String clusterState, long pid, String masterPort,
                        String linkStatus) {
    }

    private ClusterJudge() {
    }

    public static Jedis connect(Node n, String password) {
        return new Jedis(new HostAndPort(n.host(), n.port()), DefaultJedisClientConfig.builder().password(password)
                .connectionTimeoutMillis(5000).socketTimeoutMillis(5000).build());
    }

    public static State state(Node n, String password) {
        try (Jedis j = connect(n, password)) {
            Map<String, String> info = fields(j.clusterInfo());
            Map<String, String> repl = fields(j.info("replication"));
            Map<String, String> server = fields(j.info("server"));
            return new State(j.clusterMyId(), "master".equals(repl.get("role")),
                    Long.parseLong(info.get("cluster_current_epoch")), info.get("cluster_state"),
                    Long.parseLong(server.get("process_id")), repl.get("master_port"), repl.get("master_link_status"));
        }
    }

    public static List<State> states(List<Node> nodes, String password) {
        return nodes.stream().map(n -> state(n, password)).toList();
    }

    /** The node's clock (TIME), in ms: what CLUSTER LINKS' create-time is read against. */
    public static long timeMillis(Node n, String password) {
        try (Jedis j = connect(n, password)) {
            List<String> t = j.time();
            return Long.parseLong(t.get(0)) * 1000 + Long.parseLong(t.get(1)) / 1000;
        }
    }

    /** Create-time of every cluster-bus link of the node (both directions), in ms of its clock. */
    public static List<Long> linkCreateTimes(Node n, String password) {
        try (Jedis j = connect(n, password)) {
            List<Long> out = new ArrayList<>();
            for (Map<String, Object> link : j.clusterLinks()) {
                out.add(((Number) link.get("create-time")).longValue());
            }
            return out;
        }
    }

    /** Every "ip:port" CLUSTER SLOTS names, asked in plain text. */
    public static Set<String> slotEndpoints(Node n, String password) {
        try (Jedis j = connect(n, password)) {
            Set<String> out = new LinkedHashSet<>();
            for (Object range : j.clusterSlots()) {
                List<?> r = (List<?>) range;
                for (int i = 2; i < r.size(); i++) {
                    List<?> node = (List<?>) r.get(i);
                    out.add(text(node.get(0)) + ":" + node.get(1));
                }
            }
            return out;
        }
    }

    /** Waits until every node reports cluster_state:ok, knows {@code count} nodes, and every replica's link is up. */
    public static void awaitHealthy(List<Node> nodes, String password, int count) {
        await(() -> nodes.stream().allMatch(n -> {
            try (Jedis j = connect(n, password)) {
                Map<String, String> info = fields(j.clusterInfo());
                Map<String, String> repl = fields(j.info("replication"));
                return "ok".equals(info.get("cluster_state")) && String.valueOf(count).equals(info.get("cluster_known_nodes"))
                        && ("master".equals(repl.get("role")) || "up".equals(repl.get("master_link_status")));
            } catch (RuntimeException e) {
                return false;
            }
        }), "a healthy cluster of " + count + " nodes");
    }

    public static void await(BooleanSupplier ok, String what) {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!ok.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out waiting for " + what);
            }
            sleep(50);
        }
    }

    public static Map<String, String> fields(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : text.split("\r?\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && !line.startsWith("#")) {
                out.put(line.substring(0, colon), line.substring(colon + 1).trim());
            }
        }
        return out;
    }

    static String text(Object o) {
        return o instanceof byte[] b ? new String(b, java.nio.charset.StandardCharsets.UTF_8) : String.valueOf(o);
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Reads every node's CLUSTER NODES and CLUSTER INFO over and over (one connection per node) until closed,
     * recording every flag {@code fail} or {@code fail?}, every change of current_epoch or of a role, every
     * cluster_state other than ok.
     */
    public static final class Watch implements AutoCloseable {
        private final List<Node> nodes;
        private final String password;
        private final List<String> seen = new ArrayList<>();
        private final Map<Node, String> baseline = new LinkedHashMap<>();
        private final Map<String, String> roles = new java.util.HashMap<>();
        private final Thread thread;
        private volatile boolean running = true;
        private volatile int rounds;

        public Watch(List<Node> nodes, String password) {
            this.nodes = nodes;
            this.password = password;
            this.thread = new Thread(this::loop, "cluster-judge-watch");
            thread.setDaemon(true);
            thread.start();
        }

        private void loop() {
            Map<Node, Jedis> conns = new LinkedHashMap<>();
            try {
                while (running) {
                    for (Node n : nodes) {
                        try {
                            Jedis j = conns.computeIfAbsent(n, k -> connect(k, password));
                            Map<String, String> info = fields(j.clusterInfo());
                            for (String line : j.clusterNodes().split("\n")) {
                                String[] w = line.trim().split(" ");
                                if (w.length < 3) {
                                    continue;
                                }
                                Set<String> flags = Set.of(w[2].split(","));
                                if (flags.contains("fail") || flags.contains("fail?")) {
                                    record(n + " flagged " + w[1] + " " + w[2]);
                                }
                                // Each node's own view over time: a replica that turns master is a failover (a node
                                // that joins, or turns replica when told to, is none).
                                String role = flags.contains("master") ? "master" : "replica";
                                String was = roles.put(n + " " + w[0], role);
                                if ("replica".equals(was) && "master".equals(role)) {
                                    record(n + " saw replica " + w[1] + " become a master");
                                }
                            }
                            if (!"ok".equals(info.get("cluster_state"))) {
                                record(n + " cluster_state:" + info.get("cluster_state"));
                            }
                            String epoch = info.get("cluster_current_epoch");
                            String was = baseline.putIfAbsent(n, epoch);
                            if (was != null && !was.equals(epoch)) {
                                record(n + " cluster_current_epoch " + was + " -> " + epoch);
                                baseline.put(n, epoch);
                            }
                        } catch (RuntimeException e) {
                            record(n + " unreadable: " + e.getMessage());
                            Jedis broken = conns.remove(n);
                            if (broken != null) {
                                broken.close();
                            }
                        }
                    }
                    rounds++;
                    sleep(50);
                }
            } finally {
                conns.values().forEach(Jedis::close);
            }
        }

        private synchronized void record(String what) {
            if (seen.size() < 20) {
                seen.add(what);
            }
        }

        /** What was seen (empty: nothing a failover starts with), and how many rounds of reads it took. */
        public synchronized List<String> seen() {
            return List.copyOf(seen);
        }

        public int rounds() {
            return rounds;
        }

        @Override
        public void close() {
            running = false;
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
