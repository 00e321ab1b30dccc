package dev.redistls.cli;

import dev.redistls.RedisTlsException;
import dev.redistls.files.SafeFiles;
import dev.redistls.host.Host;
import dev.redistls.host.HostLock;
import dev.redistls.node.Node;
import dev.redistls.pki.KeysDir;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Which node: its config file, its keys dir, where it is reached live, how to restart it if ever needed, and
 * whether to wait for another run that is changing it.
 */
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

    @picocli.CommandLine.Mixin
    HostOptions hostOptions = new HostOptions();

    @Option(names = "--no-wait",
            description = "Fail at once when another redis-tls is changing this node (default: wait for it).")
    boolean noWait;

    /** The host the node lives on: this machine, or another one over SSH (connected once, for the whole command). */
    Host host() {
        return hostOptions.open();
    }

    public KeysDir keysDir(Host host) {
        return new KeysDir(host, keysDir != null ? keysDir : KeysDir.DEFAULT);
    }

    /** The config file if one was named or a default exists on the host. */
    public Optional<Path> confIfAny(Host host) {
        if (conf != null) {
            return Optional.of(conf);
        }
        SafeFiles files = new SafeFiles(host);
        return DEFAULT_CONFS.stream().filter(files::exists).findFirst();
    }

    /** The config file; a command that edits Redis needs one. */
    public Path conf(Host host) {
        return confIfAny(host).orElseThrow(() -> RedisTlsException.badInput(
                "no Redis config found at /etc/redis/redis.conf or /etc/redis.conf" + (host.isLocal() ? "" : " on " + host.name())
                        + ": pass --conf PATH"));
    }

    /**
     * Opens the node for a command: its host, then (for a command that changes it) the node's lock, then the node
     * read under that lock, so that what is read is what this run changes.
     */
    OpenNode open(CommandSpec spec, boolean change) {
        Host host = host();
        HostLock lock = null;
        try {
            Path confPath = conf(host);
            if (change) {
                lock = lock(spec, host, lockKey(host, confPath));
            }
            Node node = Node.resolve(host, confPath, keysDir, endpoint, restartCommand, System::getenv);
            return new OpenNode(spec, host, lock, node);
        } catch (RuntimeException e) {
            if (lock != null) {
                lock.close();
            }
            host.close();
            throw e;
        }
    }

    /** Takes the lock that keeps other redis-tls runs off {@code key} on the host until closed. */
    HostLock lock(CommandSpec spec, Host host, String key) {
        try {
            return host.lock(key, !noWait, message -> spec.commandLine().getErr().println("note: " + message));
        } catch (IOException e) {
            throw RedisTlsException.failed("cannot take the lock for " + key + (host.isLocal() ? "" : " on " + host.name())
                    + ": " + e.getMessage(), e);
        }
    }

    /** The node's config as its real path on the host (links resolved), so that two spellings share one lock. */
    static String lockKey(Host host, Path path) {
        Path p = path.toAbsolutePath().normalize();
        try {
            return new SafeFiles(host).realPath(p).toString();
        } catch (IOException | RuntimeException e) {
            return p.toString();
        }
    }

    /** This node's options for a command run later by systemd: the host (with absolute paths), endpoint, restart. */
    void timerArgs(List<String> argv) {
        if (hostOptions.host != null) {
            argv.addAll(List.of("--host", hostOptions.host));
            if (hostOptions.sshConfig != null) {
                argv.addAll(List.of("--ssh-config", hostOptions.sshConfig.toAbsolutePath().normalize().toString()));
            }
            if (hostOptions.sudo) {
                argv.add("--sudo");
            }
        }
        if (endpoint != null) {
            argv.addAll(List.of("--endpoint", endpoint));
        }
        if (restartCommand != null) {
            argv.addAll(List.of("--restart-command", restartCommand));
        }
    }

    public String endpoint() {
        return endpoint;
    }

    public String restartCommand() {
        return restartCommand;
    }
}
