package dev.redistls.bench;

import java.util.Arrays;
import java.util.List;

/**
 * The numbers of one time window for one kind of client (plain or TLS), computed after the load ended.
 * A request belongs to the window in which it was sent. Latency is send-to-reply of successful requests, and
 * includes the reconnect (TCP, TLS handshake, AUTH) when that request had to reconnect first.
 */
record PhaseStats(double seconds, int ok, int failed, int reconnects, double p50Ms, double p99Ms, double maxMs,
                  double longestOutageMs, boolean unrecovered) {

    /** A named time window [start, end) in System.nanoTime(). */
    record Window(String name, String wallTime, long start, long end) {
        boolean contains(long t) {
            return t >= start && t < end;
        }
    }

    static PhaseStats of(Window w, List<LoadClient> clients) {
        int ok = 0;
        int failed = 0;
        int reconnects = 0;
        int[] lat = new int[64];
        double outage = 0;
        boolean unrecovered = false;
        for (LoadClient c : clients) {
            for (int i = 1; i < c.connects.size(); i++) {
                if (w.contains(c.connects.get(i))) {
                    reconnects++;
                }
            }
            long lastOkEnd = -1;
            int n = c.count();
            for (int i = 0; i < n; i++) {
                long sent = c.sentAt(i);
                if (c.ok(i)) {
                    lastOkEnd = sent + c.micros(i) * 1000L;
                    if (w.contains(sent)) {
                        if (ok == lat.length) {
                            lat = Arrays.copyOf(lat, ok * 2);
                        }
                        lat[ok++] = c.micros(i);
                    }
                    continue;
                }
                if (w.contains(sent)) {
                    failed++;
                }
                boolean runStart = i == 0 || c.ok(i - 1);
                if (runStart && w.contains(sent)) {
                    // An outage: from the last reply before the failures to the first reply after them.
                    int j = i;
                    while (j < n && !c.ok(j)) {
                        j++;
                    }
                    long from = lastOkEnd >= 0 ? lastOkEnd : sent;
                    if (j < n) {
                        outage = Math.max(outage, (c.sentAt(j) + c.micros(j) * 1000L - from) / 1e6);
                    } else {
                        unrecovered = true;
                    }
                }
            }
        }
        int[] sorted = Arrays.copyOf(lat, ok);
        Arrays.sort(sorted);
        return new PhaseStats((w.end() - w.start()) / 1e9, ok, failed, reconnects, pct(sorted, 0.50), pct(sorted, 0.99),
                sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1] / 1000.0, outage, unrecovered);
    }

    private static double pct(int[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int idx = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, idx))] / 1000.0;
    }

    double requestsPerSecond() {
        return ok / seconds;
    }
}
