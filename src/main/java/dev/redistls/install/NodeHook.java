package dev.redistls.install;

import dev.redistls.conf.RedisConf;
import dev.redistls.node.LiveNode;

import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * What a group adds to one node's install, configure or uninstall, inside the same rollout (so that a failure puts
 * the node back whole): an edit of config lines the node's peers decide ({@code replicaof}, Sentinel's
 * {@code sentinel monitor} and {@code known-replica} lines: a port that moves with TLS), made after the TLS
 * directives and before the file is written; and a live step run after the TLS change (a replica re-pointed at its
 * master's TLS port). The live step undoes its own work when it fails, then throws. A node that takes the change by a
 * restart instead (a sentinel) gets a check on the restarted node: when it throws, the files go back and the node is
 * restarted on them, as for any failed restart.
 *
 * @param confEdit     edits the config in memory and returns a line per change, for the report
 * @param afterLive    runs on the live node after its TLS settings changed (not when the node is restarted instead)
 * @param afterRestart runs on the node restarted with the new files, before the change counts as done
 */
public record NodeHook(Function<RedisConf, List<String>> confEdit, Consumer<LiveNode> afterLive,
                       Consumer<LiveNode> afterRestart) {
    public static final NodeHook NONE = new NodeHook(conf -> List.of(), live -> { });

    public NodeHook(Function<RedisConf, List<String>> confEdit, Consumer<LiveNode> afterLive) {
        this(confEdit, afterLive, restarted -> { });
    }
}
