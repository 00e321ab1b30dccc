package dev.redistls.install;

import dev.redistls.RedisTlsException;
import dev.redistls.node.LiveNode;
import dev.redistls.node.Node;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/** Waiting for a restarted node to answer again. */
final class Waits {
    private static final Duration LIMIT = Duration.ofSeconds(30);

    private Waits() {
    }

    /** Re-reads the node's config (now the new one), with the same options, and connects as soon as it answers. */
    static LiveNode untilRunning(Node before) {
        Node node = before.reread();
        Instant deadline = Instant.now().plus(LIMIT);
        while (Instant.now().isBefore(deadline)) {
            Optional<LiveNode> live = node.connectIfRunning();
            if (live.isPresent()) {
                return live.get();
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw RedisTlsException.failed("Redis" + node.where() + " did not answer within " + LIMIT.toSeconds()
                + " s after the restart command");
    }
}
