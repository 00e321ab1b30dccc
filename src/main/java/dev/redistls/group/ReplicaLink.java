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

    /**
     * How the links moved to one master at the same time came back: the master's counters read before the first
     * move began and after the last one ended, so {@code replicas} share them (one replica when moves did not overlap).
     */
    record Resync(List<String> replicas, String master, int port, boolean tls, long fullBefore, long fullAfter,
                  long partialBefore, long partialAfter) {
        Resync {
            replicas = List.copyOf(replicas);
        }

        String kind() {
            long partial = partialAfter - partialBefore;
            long full = fullAfter - fullBefore;
            int n = replicas.size();
            if (partial >= n && full == 0) {
                // More than one each: a replica may reconnect once more on its own (in a cluster, when gossip brings
                // its master's newly announced port); still no full resync, which is what matters.
                return (n == 1 ? "by partial resync" : "each by partial resync") + (partial > n ? " (" + partial + " in all)" : "");
            }
            if (full == n && partial == 0) {
                return n == 1 ? "by FULL resync" : "each by FULL resync";
            }
            return "by " + partial + " partial and " + full + " FULL resync(s) for " + n + " link(s)";
        }

        String line() {
            return String.join(", ", replicas) + ": replication moved to " + master + " port " + port
                    + (tls ? " over TLS" : " in plain text") + " " + kind() + " (master's sync_partial_ok " + partialBefore
                    + "->" + partialAfter + ", sync_full " + fullBefore + "->" + fullAfter + ")";
        }
    }

    /**
     * The link moves to one master's port, which run at the same time (replicas on several hosts move together); the
     * master's resync counters are read when the first begins and when the last ends, and each such batch of
     * overlapping moves is reported with them.
     */
    static final class Moves {
        private final GroupMember master;
        private final List<Resync> done;
        private final List<String> batch = new ArrayList<>();
        private int inFlight;
        private long[] before;

        Moves(GroupMember master, List<Resync> done) {
            this.master = master;
            this.done = done;
        }

        synchronized void begin(GroupMember replica) {
            if (inFlight++ == 0) {
                batch.clear();
                try (LiveNode m = master.node().connect()) {
                    before = counters(m);
                }
            }
            batch.add(replica.label());
        }

        /** {@code moved}: the link came up at {@code port}; a move that failed leaves the batch. */
        synchronized void end(GroupMember replica, boolean moved, int port, boolean tls) {
            if (!moved) {
                batch.remove(replica.label());
            }
            if (--inFlight == 0 && !batch.isEmpty()) {
                long[] after;
                try (LiveNode m = master.node().connect()) {
                    after = counters(m);
                }
                synchronized (done) {
                    done.add(new Resync(batch, master.label(), port, tls, before[0], after[0], before[1], after[1]));
                }
            }
        }
    }

    private ReplicaLink() {
    }

    /**
     * The hook that moves {@code replica}'s link to {@code master}'s {@code toPort} ({@code tls}: its TLS port) during
     * the replica's own change; {@code fromPort} is the port it leaves. {@code moves} counts what happened.
     */
    static NodeHook hook(GroupMember replica, GroupMember master, int fromPort, int toPort, boolean tls, Moves moves) {
        return new NodeHook(conf -> repointConf(conf, fromPort, toPort, master),
                live -> move(replica, live, master, fromPort, toPort, tls, moves));
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
    static void move(GroupMember replica, LiveNode live, GroupMember master, int fromPort, int toPort, boolean tls,
                     Moves moves) {
        Map<String, String> repl = live.info("replication");
        String host = repl.get("master_host");
        int port = Integer.parseInt(repl.getOrDefault("master_port", "0"));
        if (host == null) {
            throw RedisTlsException.failed(replica.label() + " is no longer a replica (a failover during the rollout?):"
                    + " run the same command again");
        }
        if (port == toPort && "up".equals(repl.get("master_link_status"))) {
            return;
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
        moves.begin(replica);
        boolean moved = false;
        try {
            live.replicaOf(host, toPort);
            if (!awaitLink(live, toPort)) {
                String why = diagnose(replica, new Endpoint(host, toPort), tls);
                live.replicaOf(host, port);
                throw RedisTlsException.failed(replica.label() + ": its link to " + master.label() + " at " + host + ":"
                        + toPort + " did not come up within " + LINK_TIMEOUT.toSeconds() + " s" + why
                        + "; it was put back on port " + port);
            }
            moved = true;
        } finally {
            moves.end(replica, moved, toPort, tls);
        }
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
            sleep(50); // many replicas poll at once: gently
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
