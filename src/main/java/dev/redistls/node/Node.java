package dev.redistls.node;

import dev.redistls.RedisTlsException;
import dev.redistls.conf.AuthClients;
import dev.redistls.conf.EffectiveConf;
import dev.redistls.conf.RedisConf;
import dev.redistls.conf.TlsProfile;
import dev.redistls.conf.TlsSettings;
import dev.redistls.files.SafeFiles;
import dev.redistls.host.Host;
import dev.redistls.host.HostFacts.Account;
import dev.redistls.pki.KeysDir;

import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Function;

/**
 * One node as the commands see it: the host it lives on, its config file (as written and as Redis reads it,
 * includes expanded), its keys dir, its install record, where it is reached live and how the tool authenticates.
 */
public final class Node {
    private final Host host;
    private final Path confPath;
    private final RedisConf conf;
    private final EffectiveConf effective;
    private final KeysDir keys;
    private final String endpointOption;
    private final Credentials credentials;
    private final String restartCommand;
    private final Path keysDirOption;
    private final Function<String, String> env;

    private Node(Host host, Path confPath, RedisConf conf, KeysDir keys, Path keysDirOption, String endpointOption,
                 Function<String, String> env, String restartCommand) {
        this.host = host;
        this.confPath = confPath;
        this.conf = conf;
        this.effective = EffectiveConf.of(conf);
        this.keys = keys;
        this.keysDirOption = keysDirOption;
        this.endpointOption = endpointOption;
        this.env = env;
        this.credentials = Credentials.from(effective, env);
        this.restartCommand = restartCommand;
    }

    /**
     * Resolves a node on {@code host}. Without {@code --keys-dir}, the keys dir is the one the config already
     * points at (the parent of {@code server/server.crt}) when it holds an install record, else {@code /etc/redis/tls}.
     */
    public static Node resolve(Host host, Path confPath, Path keysDirOption, String endpoint, String restartCommand,
                               Function<String, String> env) {
        if (!confPath.isAbsolute() && !host.isLocal()) {
            throw RedisTlsException.badInput("--conf " + confPath + " must be an absolute path on " + host.name());
        }
        Path conf = confPath.toAbsolutePath().normalize();
        SafeFiles files = new SafeFiles(host);
        RedisConf rc = RedisConf.read(files, conf);
        EffectiveConf eff = EffectiveConf.of(rc);
        KeysDir keys = keysDirOption != null ? new KeysDir(host, keysDirOption) : eff.value("tls-cert-file")
                .map(Path::of)
                .filter(p -> p.isAbsolute() && p.getParent() != null && p.getParent().getParent() != null)
                .map(p -> new KeysDir(host, p.getParent().getParent()))
                .filter(k -> files.exists(InstallRecord.path(k)))
                .orElse(new KeysDir(host, KeysDir.DEFAULT));
        if (endpoint != null) {
            Endpoint.parse(endpoint);
        }
        return new Node(host, conf, rc, keys, keysDirOption, endpoint, env, restartCommand);
    }

    /** The same node read again from its host (after a restart, or after the tool changed its files). */
    public Node reread() {
        return resolve(host, confPath, keysDirOption != null ? keysDirOption : keys.dir(), endpointOption, restartCommand, env);
    }

    public Host host() {
        return host;
    }

    public Path confPath() {
        return confPath;
    }

    public RedisConf conf() {
        return conf;
    }

    public EffectiveConf effective() {
        return effective;
    }

    public KeysDir keys() {
        return keys;
    }

    public Credentials credentials() {
        return credentials;
    }

    public String restartCommand() {
        return restartCommand;
    }

    /** The install record of this config in the keys dir, checked before it is trusted (see {@link InstallRecord#load}). */
    public Optional<InstallRecord> record() {
        return InstallRecord.load(keys).filter(r -> Path.of(r.conf()).toAbsolutePath().normalize().equals(confPath));
    }

    /** Whether the keys dir holds a trusted install record of this config: {@link #record()} present, read faster. */
    public boolean isInstalled() {
        return InstallRecord.conf(keys).filter(c -> Path.of(c).toAbsolutePath().normalize().equals(confPath)).isPresent();
    }

    public int plainPort() {
        return effective.intValue("port", 6379);
    }

    public int tlsPort() {
        return effective.intValue("tls-port", 0);
    }

    /** The address the node is reached at, as its host sees it: {@code --endpoint}, else the config's first bind. */
    public String address() {
        if (endpointOption != null) {
            return Endpoint.parse(endpointOption).host();
        }
        return Endpoint.hostFromBind(effective.last("bind").map(s -> String.join(" ", s.args())).orElse(null));
    }

    /** The TLS settings the config holds now (defaults where a directive is absent). */
    public TlsSettings configuredSettings() {
        return new TlsSettings(plainPort(), tlsPort(),
                effective.value("tls-auth-clients").map(AuthClients::parse).orElse(AuthClients.YES),
                effective.value("tls-replication").map("yes"::equalsIgnoreCase).orElse(false),
                effective.value("tls-cluster").map("yes"::equalsIgnoreCase).orElse(false),
                configuredProfile().orElse(null), keys.serverCert(), keys.serverKey(), keys.serverRoot());
    }

    /** The TLS profile the config's protocol and cipher directives amount to, if they are one of ours. */
    public Optional<TlsProfile> configuredProfile() {
        java.util.Map<String, String> values = new java.util.LinkedHashMap<>();
        TlsProfile.INTERMEDIATE.directives().keySet().forEach(k -> effective.value(k).ifPresent(v -> values.put(k, v)));
        return TlsProfile.of(values);
    }

    /**
     * Connects to the live node through its host: in plain text on its plain port, or, when the config has closed
     * it, over TLS on the TLS port with the keys dir's client certificate. {@code --endpoint} names the address.
     */
    public LiveNode connect() {
        int plain = plainPort();
        int tls = tlsPort();
        Endpoint target;
        boolean useTls;
        if (endpointOption != null) {
            target = Endpoint.parse(endpointOption);
            useTls = plain == 0 || (tls != 0 && target.port() == tls && target.port() != plain);
        } else {
            useTls = plain == 0;
            target = new Endpoint(address(), useTls ? tls : plain);
        }
        if (useTls) {
            if (!keys.isComplete()) {
                throw RedisTlsException.failed("Redis at " + target + where() + " serves only TLS and keys dir " + keys.dir()
                        + " has no client certificate to connect with: pass --keys-dir");
            }
            return LiveNode.connect(host, target, keys.clientContext(), credentials);
        }
        return LiveNode.connect(host, target, null, credentials);
    }

    /** The live node, or empty when nothing answers (refused or timed out); other failures are thrown. */
    public Optional<LiveNode> connectIfRunning() {
        try {
            return Optional.of(connect());
        } catch (LiveNode.Unreachable e) {
            return Optional.empty();
        }
    }

    /**
     * The live node to change, or empty when the change must go through the restart command instead: the node is
     * not running, or cannot take TLS changes live (Redis 6, CONFIG renamed) and a restart command was given.
     * Without a restart command such a node is refused before anything is touched.
     */
    public Optional<LiveNode> connectForChange() {
        Optional<LiveNode> live = connectIfRunning();
        Optional<String> notLive = live.flatMap(LiveNode::whyNotLive);
        if (notLive.isPresent()) {
            live.get().close();
            if (restartCommand == null) {
                throw RedisTlsException.failed(notLive.get() + ": pass --restart-command CMD to restart it once");
            }
            return Optional.empty();
        }
        return live;
    }

    /** The account the running node's redis-server process belongs to, on its host: the owner its keys must have. */
    public Optional<Account> processOwner(LiveNode live) {
        try {
            return host.facts().processOwner(live.processId(), "redis");
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The same, connecting for it; empty when the node is not running. */
    public Optional<Account> processOwner() {
        Optional<LiveNode> live = connectIfRunning();
        if (live.isEmpty()) {
            return Optional.empty();
        }
        try (LiveNode n = live.get()) {
            return processOwner(n);
        }
    }

    /** " on HOST" for a node on another machine: appended to what the tool says about it. */
    public String where() {
        return host.isLocal() ? "" : " on " + host.name();
    }
}
