package dev.redistls.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A Redis Cluster on this machine for tests: {@code masters} masters with {@code replicasEach} replicas each, real
 * redis-server processes on free ports (each with its bus port, +10000, free too) in temp dirs, started in parallel
 * and joined by the test with {@code redis-cli --cluster create}; a password everywhere; a short node timeout so that
 * every pair of nodes PINGs within a few seconds. Plus an inventory for it. {@link #close()} stops every process and
 * removes the dirs.
 */
public final class LocalCluster implements AutoCloseable {
    public static final String PASSWORD = "cluster-s3cret";
    public static final int NODE_TIMEOUT_MS = 5000;

    private final Path dir;
    private final List<RedisServer> nodes = new ArrayList<>();

    private LocalCluster(Path dir) {
        this.dir = dir;
    }

    public static LocalCluster start(int masters, int replicasEach) {
        return start(masters, replicasEach, NODE_TIMEOUT_MS);
    }

    /** The same with another cluster-node-timeout (Redis's default is 15000). */
    public static LocalCluster start(int masters, int replicasEach, int nodeTimeoutMs) {
        try {
            LocalCluster c = new LocalCluster(Files.createTempDirectory("redis-tls-cluster-"));
            try {
                c.build(masters, replicasEach, nodeTimeoutMs);
                return c;
            } catch (RuntimeException e) {
                c.close();
                throw e;
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void build(int masters, int replicasEach, int nodeTimeoutMs) {
        int count = masters * (1 + replicasEach);
        java.util.Set<Integer> taken = new java.util.HashSet<>();
        for (int i = 0; i < count; i++) {
            // Free now is not free once a sibling started: no two nodes share a client or bus port.
            int port = RedisServer.freeClusterPort();
            while (taken.contains(port) || taken.contains(port + 10000)) {
                port = RedisServer.freeClusterPort();
            }
            taken.add(port);
            taken.add(port + 10000);
            nodes.add(RedisServer.prepare(port, "requirepass " + PASSWORD + "\nmasterauth " + PASSWORD
                    + "\ncluster-enabled yes\ncluster-config-file nodes.conf\ncluster-node-timeout " + nodeTimeoutMs + "\n"));
        }
        CompletableFuture.allOf(nodes.stream().map(r -> CompletableFuture.runAsync(r::start, LocalCluster::thread))
                .toArray(CompletableFuture[]::new)).join();
        List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
        nodes.forEach(r -> create.add("127.0.0.1:" + r.port()));
        create.addAll(List.of("--cluster-replicas", String.valueOf(replicasEach), "--cluster-yes"));
        Processes.Output out = Processes.run(null, Map.of("REDISCLI_AUTH", PASSWORD), create);
        if (out.exitCode() != 0 || !out.out().contains("All 16384 slots covered")) {
            throw new IllegalStateException("redis-cli --cluster create failed: " + out.out());
        }
        ClusterJudge.awaitHealthy(endpoints(), PASSWORD, count);
    }

    /** A distinct free TLS port for every node ({@link RedisServer#freeLowPort()}). */
    public List<Integer> freeTlsPorts() {
        java.util.Set<Integer> ports = new java.util.LinkedHashSet<>();
        while (ports.size() < nodes.size()) {
            ports.add(RedisServer.freeLowPort());
        }
        return new ArrayList<>(ports);
    }

    public List<RedisServer> nodes() {
        return List.copyOf(nodes);
    }

    /** Every node's plain endpoint, as the test reaches it. */
    public List<ClusterJudge.Node> endpoints() {
        return nodes.stream().map(r -> new ClusterJudge.Node("127.0.0.1", r.port())).toList();
    }

    public Path dir() {
        return dir;
    }

    /**
     * An inventory: every node with its own keys dir and TLS port ({@code tlsPorts}), host name localhost, and
     * {@code defaults} lines under {@code defaults}.
     */
    public Path writeInventory(Path file, String name, Path caHome, List<Integer> tlsPorts, String defaults) {
        StringBuilder sb = new StringBuilder("# cluster of a redis-tls test\nname: " + name + "\nca-home: " + caHome + "\n");
        if (!defaults.isBlank()) {
            sb.append("defaults:\n").append(defaults.indent(2));
        }
        sb.append(LocalGroup.nodeEntries(nodes, tlsPorts));
        try {
            Files.writeString(file, sb.toString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return file;
    }

    @Override
    public void close() {
        nodes.forEach(RedisServer::close);
        if (System.getenv("KEEP_GROUP_DIR") == null) {
            Processes.run(null, List.of("rm", "-rf", dir.toString()));
        }
    }

    private static void thread(Runnable r) {
        Thread t = new Thread(r, "local-cluster");
        t.setDaemon(true);
        t.start();
    }
}
