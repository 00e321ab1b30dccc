package dev.redistls.install;

import dev.redistls.RedisTlsException;
import dev.redistls.files.FileBatch;
import dev.redistls.node.LiveApply;
import dev.redistls.node.LiveNode;
import dev.redistls.node.Node;

import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * How every change reaches a node, once for install, configure, reissue and uninstall: the files land (one batch),
 * then the running node takes the change live — or, when it cannot, the operator's restart command runs, or a
 * stopped node simply starts with the new files. If the live step (or what follows it, such as the firewall) fails,
 * the files go back and the node's live settings are put back to what they were.
 */
final class Rollout {
    private Rollout() {
    }

    /**
     * Commits {@code files}, then {@code liveStep} on the live node (or the restart), then {@code after}.
     * Returns the live node to prove against (after a restart: the new connection), empty when it is not running.
     */
    static Optional<LiveNode> run(Node node, Optional<LiveNode> live, FileBatch files, Consumer<LiveNode> liveStep,
                                  Runnable after, String liveDone, String notRunning, Report report) {
        return run(node, live, files, liveStep, restarted -> { }, after, liveDone, notRunning, report);
    }

    /** The same, with a check of the node after a restart ({@link NodeHook#afterRestart()}). */
    static Optional<LiveNode> run(Node node, Optional<LiveNode> live, FileBatch files, Consumer<LiveNode> liveStep,
                                  Consumer<LiveNode> restartedStep, Runnable after, String liveDone, String notRunning,
                                  Report report) {
        Map<String, String> before = live.map(LiveApply::snapshot).orElse(null);
        files.commit();
        report.phases().mark("files");
        Optional<LiveNode> proven = live;
        boolean restarting = false;
        try {
            if (live.isPresent()) {
                liveStep.accept(live.get());
                if (liveDone != null) {
                    report.done(liveDone.replace("%s", live.get().endpoint() + node.where()));
                }
            } else if (node.restartCommand() != null) {
                restarting = true;
                Restart.run(node);
                proven = Optional.of(Waits.untilRunning(node));
                try {
                    restartedStep.accept(proven.get());
                } catch (RuntimeException e) {
                    proven.get().close();
                    throw e;
                }
                report.done("Restarted the node" + node.where() + " with: " + node.restartCommand());
            } else {
                report.note(notRunning);
            }
            report.phases().mark(live.isPresent() ? "live apply" : "restart");
            after.run();
            report.phases().mark("firewall");
            return proven;
        } catch (RuntimeException e) {
            files.undo();
            if (live.isPresent() && before != null) {
                restoreQuietly(live.get(), before);
            }
            if (restarting) {
                // The restart may have stopped the node (a Sentinel that refused the new file): start it on the old files.
                try {
                    Restart.run(node);
                } catch (RuntimeException again) {
                    e.addSuppressed(again);
                    throw RedisTlsException.failed(e.getMessage() + "; the files are back as they were, but restarting"
                            + node.where() + " on them failed too: " + again.getMessage(), e);
                }
                throw RedisTlsException.failed(e.getMessage() + "; the files are back as they were and the node was"
                        + " restarted on them", e);
            }
            throw e;
        }
    }

    private static void restoreQuietly(LiveNode node, Map<String, String> before) {
        try {
            LiveApply.apply(node, LiveApply.snapshot(node), before);
        } catch (RuntimeException ignored) {
            // the original failure is the one to report
        }
    }
}
