package dev.redistls;

import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a one-shot command's time goes, for {@code scripts/bench-cli}: named marks on the wall clock, printed on
 * stderr as {@code startup-trace EPOCH_MICROS NAME} lines when the JVM runs with {@code -Dredis-tls.startup-trace}.
 * Each mark ends the phase that began at the previous one; the benchmark takes the time before the first mark
 * ({@code main}) from its own clock, started just before it launched the process. Off, a mark is one branch.
 */
public final class StartupTrace {
    private static final boolean ON = System.getProperty("redis-tls.startup-trace") != null;
    private static final List<String> MARKS = ON ? new ArrayList<>() : null;

    private StartupTrace() {
    }

    /** Ends the phase running since the previous mark under {@code name}. */
    public static void mark(String name) {
        if (ON) {
            Instant now = Instant.now();
            synchronized (MARKS) {
                MARKS.add("startup-trace " + (now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000) + " " + name);
            }
        }
    }

    /** Prints the marks (nothing when off). */
    public static void print(PrintStream err) {
        if (ON) {
            synchronized (MARKS) {
                MARKS.forEach(err::println);
            }
            err.flush();
        }
    }
}
