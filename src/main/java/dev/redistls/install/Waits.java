package dev.redistls.install;

import dev.redistls.RedisTlsException;
import dev.redistls.node.LiveNode;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/** Waiting for a restarted node to answer again. */
final class Waits {
    private static final Duration LIMIT = Duration.ofSeconds(30);

    private Waits() {
    }

    /** Re-reads the node's config (now the new one) and connects as soon as it answers. */
    static LiveNode untilRunning(Node before) {
        Node node = Node.resolve(before.confPath(), before.keys().dir(), null, before.restartCommand(), System::getenv);
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
        throw RedisTlsException.failed("Redis did not answer within " + LIMIT.toSeconds() + " s after the restart command");
    }
}
