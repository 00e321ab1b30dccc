package dev.redistls.host;

import java.util.Locale;
import java.util.OptionalInt;

/**
 * Reads what Linux says in {@code /proc} text, the same way whether the text was read here or fetched from another
 * host: who a process runs as, and which TCP ports have a listener.
 */
public final class ProcText {
    private static final String LISTEN = "0A";

    private ProcText() {
    }

    /** The effective uid on the {@code Uid:} line of a {@code /proc/PID/status} text. */
    public static OptionalInt effectiveUid(String status) {
        for (String line : status.split("\n")) {
            if (line.startsWith("Uid:")) {
                String[] ids = line.substring(4).trim().split("\\s+");
                if (ids.length > 1) {
                    return OptionalInt.of(Integer.parseInt(ids[1]));
                }
            }
        }
        return OptionalInt.empty();
    }

    /** Whether a {@code /proc/net/tcp} or {@code tcp6} text has a socket in LISTEN state on {@code port}. */
    public static boolean listens(String procNetTcp, int port) {
        String hexPort = String.format(Locale.ROOT, "%04X", port);
        for (String line : procNetTcp.split("\n")) {
            String[] f = line.trim().split("\\s+");
            // sl local_address rem_address st ...; local_address is HEXADDR:HEXPORT
            if (f.length > 3 && LISTEN.equals(f[3]) && f[1].endsWith(":" + hexPort)) {
                return true;
            }
        }
        return false;
    }
}
