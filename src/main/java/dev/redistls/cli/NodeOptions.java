package dev.redistls.cli;

import dev.redistls.RedisTlsException;
import dev.redistls.pki.KeysDir;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Which node: its config file, its keys dir, where it is reached live, and how to restart it if ever needed. */
public final class NodeOptions {
    static final List<Path> DEFAULT_CONFS = List.of(Path.of("/etc/redis/redis.conf"), Path.of("/etc/redis.conf"));

    @Option(names = "--conf", paramLabel = "PATH",
            description = "The node's redis.conf (default: the first of /etc/redis/redis.conf, /etc/redis.conf that exists).")
    Path conf;

    @Option(names = "--keys-dir", paramLabel = "DIR", description = "Where the node's TLS files live (default: /etc/redis/tls).")
    Path keysDir;

    @Option(names = "--endpoint", paramLabel = "HOST:PORT",
            description = "Where the live node is reached (default: from the config's bind and port).")
    String endpoint;

    @Option(names = "--restart-command", paramLabel = "CMD",
            description = "Restarts the node when a change cannot be applied live (never used on a running Redis 7).")
    String restartCommand;

    public KeysDir keysDir() {
        return new KeysDir(keysDir != null ? keysDir : KeysDir.DEFAULT);
    }

    /** The config file if one was named or a default exists. */
    public Optional<Path> confIfAny() {
        if (conf != null) {
            return Optional.of(conf);
        }
        return DEFAULT_CONFS.stream().filter(Files::exists).findFirst();
    }

    /** The config file; a command that edits Redis needs one. */
    public Path conf() {
        return confIfAny().orElseThrow(() -> RedisTlsException.badInput(
                "no Redis config found at /etc/redis/redis.conf or /etc/redis.conf: pass --conf PATH"));
    }

    /** The node these options name, read and checked. */
    public dev.redistls.install.Node resolve() {
        return dev.redistls.install.Node.resolve(conf(), keysDir, endpoint, restartCommand, System::getenv);
    }

    public String endpoint() {
        return endpoint;
    }

    public String restartCommand() {
        return restartCommand;
    }
}
