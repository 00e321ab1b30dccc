package dev.redistls.client;

/**
 * What an application connects to: one node (the default), the master a Sentinel names ({@code sentinelMaster}: the
 * name it monitors), or a Redis Cluster. It decides which snippets {@code client export} prints and what the Spring
 * Boot properties it writes connect to.
 */
public record Topology(String sentinelMaster, boolean cluster) {
    public static final Topology NODE = new Topology(null, false);

    public boolean sentinel() {
        return sentinelMaster != null;
    }
}
