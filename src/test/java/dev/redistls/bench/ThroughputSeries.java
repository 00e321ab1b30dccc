package dev.redistls.bench;

import java.util.List;

/**
 * Successful requests per second in fixed bins (100 ms by default) around one change, counted from the load
 * clients' own records after the load ended: a request counts in the bin in which its reply arrived, so a reply
 * held back (as during a restart's save) is counted when it came, as the application saw it.
 *
 * @param name       the scenario, as the plot's legend says it
 * @param fromMs     where the first bin starts, relative to the change's start (negative: before it)
 * @param binMs      bin width
 * @param perSecond  successful replies in each bin, scaled to requests per second
 * @param changeMs   how long the change took (from its start); marked on the plot
 */
record ThroughputSeries(String name, long fromMs, long binMs, double[] perSecond, long changeMs) {

    static ThroughputSeries of(String name, List<LoadClient> clients, long changeStart, long changeEnd, long fromMs,
                               long toMs, long binMs) {
        int bins = (int) ((toMs - fromMs) / binMs);
        double[] counts = new double[bins];
        long origin = changeStart + fromMs * 1_000_000L;
        for (LoadClient c : clients) {
            for (int i = 0; i < c.count(); i++) {
                if (!c.ok(i)) {
                    continue;
                }
                long done = c.sentAt(i) + c.micros(i) * 1000L;
                long bin = Math.floorDiv(done - origin, binMs * 1_000_000L);
                if (bin >= 0 && bin < bins) {
                    counts[(int) bin]++;
                }
            }
        }
        for (int i = 0; i < bins; i++) {
            counts[i] = counts[i] * 1000.0 / binMs;
        }
        return new ThroughputSeries(name, fromMs, binMs, counts, (changeEnd - changeStart) / 1_000_000);
    }

    /** Start of bin {@code i}, in ms from the change's start. */
    long binStartMs(int i) {
        return fromMs + i * binMs;
    }

    /** Bins from the change's start on (inclusive) in which no request succeeded. */
    int emptyBinsFromChange() {
        int n = 0;
        for (int i = 0; i < perSecond.length; i++) {
            if (binStartMs(i) >= 0 && perSecond[i] == 0) {
                n++;
            }
        }
        return n;
    }

    /** The lowest bin from the change's start until {@code ms} after the change ended. */
    double lowestFromChange() {
        double low = Double.MAX_VALUE;
        for (int i = 0; i < perSecond.length; i++) {
            if (binStartMs(i) >= 0 && binStartMs(i) < changeMs + 1000) {
                low = Math.min(low, perSecond[i]);
            }
        }
        return low;
    }

    /** CSV of several series over the same bins: {@code t_ms,<name>,<name>...}, one row per bin. */
    static String csv(List<ThroughputSeries> series) {
        StringBuilder sb = new StringBuilder("t_ms");
        series.forEach(s -> sb.append(",\"").append(s.name().replace("\"", "'")).append('"'));
        sb.append('\n');
        ThroughputSeries first = series.get(0);
        for (int i = 0; i < first.perSecond().length; i++) {
            sb.append(first.binStartMs(i));
            for (ThroughputSeries s : series) {
                sb.append(',').append(Math.round(s.perSecond()[i]));
            }
            sb.append('\n');
        }
        return sb.toString();
    }
}
