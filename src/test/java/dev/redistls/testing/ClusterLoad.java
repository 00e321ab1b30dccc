package dev.redistls.testing;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.util.JedisClusterCRC16;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A plain-text client writing keys across all 16384 slots of a cluster, on ONE connection per master opened at the
 * start and never reopened, each key sent straight to the master that owned its slot at the start: a dropped
 * connection, a MOVED (a failover, a slot that moved) or a wrong reply each count as a failed write. Beside it, a
 * judge asks every node's CLUSTER SLOTS in plain text over and over and counts every answer naming an endpoint that
 * is not a node's plain endpoint: a plain-text client that (re)discovered the cluster then would be sent to a port it
 * cannot speak.
 */
public final class ClusterLoad implements AutoCloseable {
    /** A key of every slot: {@code KEYS[s]} hashes to slot {@code s}. */
    public static final String[] KEYS = keysForEverySlot();

    private final String password;
    private final Map<Integer, Jedis> bySlotOwner = new HashMap<>();
    private final int[] ownerOfSlot = new int[16384];
    private final String[] lastWritten = new String[16384];
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong ok = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong misdirected = new AtomicLong();
    private final AtomicLong topologyReads = new AtomicLong();
    private final List<String> errors = new ArrayList<>();
    private final Thread writer;
    private final Thread judge;

    public ClusterLoad(List<ClusterJudge.Node> nodes, String password) {
        this.password = password;
        Set<String> plain = new java.util.HashSet<>();
        nodes.forEach(n -> plain.add(n.toString()));
        Map<String, Integer> masterIndex = new LinkedHashMap<>();
        List<Jedis> connections = new ArrayList<>();
        try (Jedis seed = ClusterJudge.connect(nodes.get(0), password)) {
            for (Object range : seed.clusterSlots()) {
                List<?> r = (List<?>) range;
                List<?> master = (List<?>) r.get(2);
                String endpoint = ClusterJudge.text(master.get(0)) + ":" + master.get(1);
                Integer index = masterIndex.get(endpoint);
                if (index == null) {
                    index = connections.size();
                    masterIndex.put(endpoint, index);
                    connections.add(ClusterJudge.connect(new ClusterJudge.Node(ClusterJudge.text(master.get(0)),
                            ((Number) master.get(1)).intValue()), password));
                }
                for (int s = ((Number) r.get(0)).intValue(); s <= ((Number) r.get(1)).intValue(); s++) {
                    ownerOfSlot[s] = index;
                }
            }
        }
        for (int i = 0; i < connections.size(); i++) {
            bySlotOwner.put(i, connections.get(i));
        }
        writer = new Thread(this::write, "cluster-load-writer");
        writer.setDaemon(true);
        writer.start();
        judge = new Thread(() -> judge(nodes, plain), "cluster-load-judge");
        judge.setDaemon(true);
        judge.start();
    }

    private void write() {
        long i = 0;
        while (running.get()) {
            int slot = (int) (i % 16384);
            String value = "v" + i++;
            try {
                String reply = bySlotOwner.get(ownerOfSlot[slot]).set(KEYS[slot], value);
                if ("OK".equals(reply)) {
                    ok.incrementAndGet();
                    synchronized (lastWritten) {
                        lastWritten[slot] = value;
                    }
                } else {
                    fail("SET " + KEYS[slot] + " answered " + reply);
                }
            } catch (RuntimeException e) {
                fail(e.toString());
                ClusterJudge.sleep(20);
            }
            if (i % 8 == 0) {
                ClusterJudge.sleep(1); // a few thousand writes a second: enough, and the machine is shared
            }
        }
    }

    private void judge(List<ClusterJudge.Node> nodes, Set<String> plain) {
        while (running.get()) {
            for (ClusterJudge.Node n : nodes) {
                try {
                    for (String endpoint : ClusterJudge.slotEndpoints(n, password)) {
                        if (!plain.contains(endpoint)) {
                            misdirected.incrementAndGet();
                            record(n + " sent plain-text clients to " + endpoint);
                        }
                    }
                    topologyReads.incrementAndGet();
                } catch (RuntimeException e) {
                    record(n + ": CLUSTER SLOTS failed: " + e);
                    misdirected.incrementAndGet();
                }
            }
            ClusterJudge.sleep(50);
        }
    }

    private void fail(String what) {
        failed.incrementAndGet();
        record(what);
    }

    private void record(String what) {
        synchronized (errors) {
            if (errors.size() < 10) {
                errors.add(what);
            }
        }
    }

    public long ok() {
        return ok.get();
    }

    public long failed() {
        return failed.get();
    }

    public long misdirected() {
        return misdirected.get();
    }

    public long topologyReads() {
        return topologyReads.get();
    }

    public List<String> errors() {
        synchronized (errors) {
            return List.copyOf(errors);
        }
    }

    /** The last value acknowledged for each slot's key (null: none yet). */
    public String[] lastWritten() {
        synchronized (lastWritten) {
            return lastWritten.clone();
        }
    }

    /** Waits until at least {@code more} further writes were acknowledged (or one failed). */
    public void awaitProgress(long more) {
        long target = ok.get() + more;
        long deadline = System.currentTimeMillis() + 20_000;
        while (ok.get() < target && System.currentTimeMillis() < deadline && failed.get() == 0) {
            ClusterJudge.sleep(5);
        }
    }

    /** Waits until every slot's key was written at least once. */
    public void awaitEverySlot() {
        ClusterJudge.await(() -> {
            synchronized (lastWritten) {
                for (String v : lastWritten) {
                    if (v == null) {
                        return failed.get() > 0;
                    }
                }
                return true;
            }
        }, "a write to every slot");
    }

    @Override
    public void close() {
        running.set(false);
        try {
            writer.join(10_000);
            judge.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        bySlotOwner.values().forEach(Jedis::close);
    }

    private static String[] keysForEverySlot() {
        String[] keys = new String[16384];
        int found = 0;
        for (int i = 0; found < 16384; i++) {
            String tag = Integer.toString(i, 36);
            int slot = JedisClusterCRC16.getSlot(tag);
            if (keys[slot] == null) {
                keys[slot] = "load:{" + tag + "}";
                found++;
            }
        }
        return keys;
    }
}
