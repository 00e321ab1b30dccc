package dev.redistls.group;

import dev.redistls.RedisTlsException;
import dev.redistls.conf.ConfSyntax;
import dev.redistls.conf.RedisConf;
import dev.redistls.group.GroupHosts.GroupMember;
import dev.redistls.install.NodeHook;
import dev.redistls.node.Endpoint;
import dev.redistls.node.LiveNode;
import dev.redistls.node.TlsProbe;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Moves a replica's link to another port of its master, live: {@code REPLICAOF} the same master address at the new
 * port. Redis keeps the old link's state as a cached master, so the new link resumes by partial resync
 * ({@code +CONTINUE}) when the master's backlog still holds the offset: the master's {@code sync_partial_ok} and
 * {@code sync_full} counters, read before and after, tell which happened. The replica presents its node
 * certificate ({@code tls-cert-file}, used as the client certificate when no {@code tls-client-cert-file} is set),
 * so the link works under mutual TLS.
 */
final class ReplicaLink {
    static final Duration LINK_TIMEOUT = Duration.ofSeconds(30);
    /** Handshake failures that mean the two sides do not trust each other's certificates. */
    private static final java.util.regex.Pattern TRUST_FAILURE = java.util.regex.Pattern.compile(
            "unknown_ca|bad_certificate|certificate_unknown|PKIX|certification path|unable to find valid");

    /** How a link came back: {@code full} true for a full resync (the dataset sent again). */
    record Resync(String replica, String master, int port, boolean tls, long fullBefore, long fullAfter,
                  long partialBefore, long partialAfter) {
        String kind() {
            if (partialAfter > partialBefore && fullAfter == fullBefore) {
                return "partial resync";
            }
            if (fullAfter > fullBefore) {
                return "FULL resync";
            }
            return "resync not seen in the master's counters";
        }

        String line() {
            return replica + ": replication moved to " + master + " port " + port + (tls ? " over TLS" : " in plain text")
                    + " by " + kind() + " (master's sync_partial_ok " + partialBefore + "->" + partialAfter
                    + ", sync_full " + fullBefore + "->" + fullAfter + ")";
        }
    }

    private ReplicaLink() {
    }

    /**
     * The hook that moves {@code replica}'s link to {@code master}'s {@code toPort} ({@code tls}: its TLS port) during
     * the replica's own change; {@code fromPort} is the port it leaves. {@code resyncs} collects what happened.
     */
    static NodeHook hook(GroupMember replica, GroupMember master, int fromPort, int toPort, boolean tls,
                         Object masterLock, List<Resync> resyncs) {
        return new NodeHook(conf -> repointConf(conf, fromPort, toPort, master),
                live -> {
                    synchronized (masterLock) {
                        Resync r = move(replica, live, master, fromPort, toPort, tls);
                        if (r != null) {
                            synchronized (resyncs) {
                                resyncs.add(r);
                            }
                        }
                    }
                });
    }

    /** {@code replicaof ADDR fromPort} becomes {@code replicaof ADDR toPort}: the file follows the live link. */
    static List<String> repointConf(RedisConf conf, int fromPort, int toPort, GroupMember master) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < conf.lineCount(); i++) {
            List<String> w = ConfSyntax.split(conf.line(i));
            if (w != null && w.size() == 3 && (w.get(0).equalsIgnoreCase("replicaof") || w.get(0).equalsIgnoreCase("slaveof"))
                    && w.get(2).equals(String.valueOf(fromPort)) && fromPort != toPort) {
                conf.replaceLine(i, ConfSyntax.line(w.get(0), List.of(w.get(1), String.valueOf(toPort))));
                out.add(conf.path() + ": " + w.get(0) + " " + w.get(1) + " " + toPort + " (was port " + fromPort + ", "
                        + master.spec().kind().section() + "[" + master.spec().index() + "])");
            }
        }
        return out;
    }

    /**
     * Re-points the live replica from {@code fromPort} to {@code toPort} of its master; on failure puts its link back
     * where it was, then throws. Null: nothing to move. A TLS link is tried first with the replica's own certificate,
     * from its host, so that a link that cannot come up is refused at once, saying why, with the old link untouched.
     */
    static Resync move(GroupMember replica, LiveNode live, GroupMember master, int fromPort, int toPort, boolean tls) {
        Map<String, String> repl = live.info("replication");
        String host = repl.get("master_host");
        int port = Integer.parseInt(repl.getOrDefault("master_port", "0"));
        if (host == null) {
            throw RedisTlsException.failed(replica.label() + " is no longer a replica (a failover during the rollout?):"
                    + " run the same command again");
        }
        if (port == toPort && "up".equals(repl.get("master_link_status"))) {
            return null;
        }
        if (port != fromPort && port != toPort) {
            throw RedisTlsException.failed(replica.label() + " replicates from " + host + ":" + port + " now, not from "
                    + master.label() + " (a failover during the rollout?): run the same command again");
        }
        if (tls) {
            String why = diagnose(replica, new Endpoint(host, toPort), true);
            if (!why.isEmpty()) {
                throw RedisTlsException.failed(replica.label() + ": its link to " + master.label() + " cannot move to "
                        + host + ":" + toPort + why + "; the link stays on port " + port);
            }
        }
        long[] before;
        try (LiveNode m = master.node().connect()) {
            before = counters(m);
        }
        live.replicaOf(host, toPort);
        if (!awaitLink(live, toPort)) {
            String why = diagnose(replica, new Endpoint(host, toPort), tls);
            live.replicaOf(host, port);
            throw RedisTlsException.failed(replica.label() + ": its link to " + master.label() + " at " + host + ":" + toPort
                    + " did not come up within " + LINK_TIMEOUT.toSeconds() + " s" + why + "; it was put back on port " + port);
        }
        long[] after;
        try (LiveNode m = master.node().connect()) {
            after = counters(m);
        }
        return new Resync(replica.label(), master.label(), toPort, tls, before[0], after[0], before[1], after[1]);
    }

    /** {@code sync_full} and {@code sync_partial_ok} of a master. */
    static long[] counters(LiveNode master) {
        Map<String, String> stats = master.info("stats");
        return new long[] {Long.parseLong(stats.getOrDefault("sync_full", "0")),
                Long.parseLong(stats.getOrDefault("sync_partial_ok", "0"))};
    }

    static boolean awaitLink(LiveNode live, int port) {
        long deadline = System.nanoTime() + LINK_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            Map<String, String> r = live.info("replication");
            if (String.valueOf(port).equals(r.get("master_port")) && "up".equals(r.get("master_link_status"))
                    && "0".equals(r.getOrDefault("master_sync_in_progress", "0"))) {
                return true;
            }
            sleep(20);
        }
        return false;
    }

    /**
     * Why a TLS link may not come up, told by the same handshake the replica makes: from the replica's host, trusting
     * the replica's root and presenting its certificate, to the master's TLS port.
     */
    static String diagnose(GroupMember replica, Endpoint target, boolean tls) {
        if (!tls || !replica.node().keys().isComplete()) {
            return "";
        }
        return why(replica, target).map(w -> " (" + w + ")").orElse("");
    }

    /** What a TLS handshake from the replica's host, with its certificate, to {@code target} fails on; empty: nothing. */
    static Optional<String> why(GroupMember replica, Endpoint target) {
        TlsProbe.Handshake hs = TlsProbe.handshake(replica.host(), target, replica.node().keys().clientContext());
        if (hs.ok()) {
            return Optional.empty();
        }
        return Optional.of("a TLS handshake from " + (replica.host().isLocal() ? "this machine" : replica.host().name())
                + " to " + target + " with the replica's certificate from " + replica.node().keys().dir() + " fails: "
                + hs.failure() + (TRUST_FAILURE.matcher(hs.failure()).find() ? "; both nodes need certificates from one root"
                + " (a region's root is shared with 'redis-tls ca export' and 'ca import')" : ""));
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw RedisTlsException.failed("interrupted");
        }
    }
}
