package dev.redistls.install;

import dev.redistls.RedisTlsException;
import dev.redistls.host.Host;
import dev.redistls.node.Node;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

/** The fallback for a node that cannot take a change live: the operator's own restart command, run once on its host. */
final class Restart {
    private static final Duration LIMIT = Duration.ofSeconds(120);

    private Restart() {
    }

    static void run(Node node) {
        Host host = node.host();
        String command = node.restartCommand();
        try {
            Host.Execution r = host.run(List.of("sh", "-c", command), null, LIMIT);
            if (!r.ok()) {
                throw RedisTlsException.failed("restart command exited with " + r.exitCode() + node.where() + ": " + command
                        + " (" + r.firstErrorLine() + ")");
            }
        } catch (IOException e) {
            throw RedisTlsException.failed("cannot run restart command" + node.where() + ": " + e.getMessage(), e);
        }
    }
}
