package dev.redistls.install;

import dev.redistls.RedisTlsException;
import dev.redistls.conf.AuthClients;
import dev.redistls.conf.EffectiveConf;
import dev.redistls.conf.RedisConf;
import dev.redistls.conf.TlsSettings;
import dev.redistls.node.Credentials;
import dev.redistls.node.Endpoint;
import dev.redistls.node.LiveNode;
import dev.redistls.pki.KeysDir;
import dev.redistls.pki.Pem;
import dev.redistls.pki.TlsContexts;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Function;

/**
 * One node as the commands see it: its config file (as written and as Redis reads it, includes expanded), its keys
 * dir, its install record, where it is reached live and how the tool authenticates.
 */
public final class Node {
    private final Path confPath;
    private final RedisConf conf;
    private final EffectiveConf effective;
    private final KeysDir keys;
    private final String endpointOption;
    private final Credentials credentials;
    private final String restartCommand;

    private Node(Path confPath, RedisConf conf, KeysDir keys, String endpointOption, Credentials credentials,
                 String restartCommand) {
        this.confPath = confPath;
        this.conf = conf;
        this.effective = EffectiveConf.of(conf);
        this.keys = keys;
        this.endpointOption = endpointOption;
        this.credentials = credentials;
        this.restartCommand = restartCommand;
    }

    /**
     * Resolves a node. Without {@code --keys-dir}, the keys dir is the one the config already points at (the
     * parent of {@code server/server.crt}), else {@code /etc/redis/tls}.
     */
    public static Node resolve(Path confPath, Path keysDirOption, String endpoint, String restartCommand,
                               Function<String, String> env) {
        RedisConf conf = RedisConf.read(confPath);
        EffectiveConf eff = EffectiveConf.of(conf);
        KeysDir keys = keysDirOption != null ? new KeysDir(keysDirOption) : eff.value("tls-cert-file")
                .map(Path::of)
                .filter(p -> p.getParent() != null && p.getParent().getParent() != null)
                .map(p -> new KeysDir(p.getParent().getParent()))
                .filter(k -> Files.exists(InstallRecord.path(k)))
                .orElse(new KeysDir(KeysDir.DEFAULT));
        if (endpoint != null) {
            Endpoint.parse(endpoint);
        }
        return new Node(confPath.toAbsolutePath().normalize(), conf, keys, endpoint, Credentials.from(eff, env), restartCommand);
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

    public Optional<InstallRecord> record() {
        return InstallRecord.load(keys).filter(r -> Path.of(r.conf()).toAbsolutePath().normalize()
                .equals(confPath.toAbsolutePath().normalize()));
    }

    public int plainPort() {
        return effective.intValue("port", 6379);
    }

    public int tlsPort() {
        return effective.intValue("tls-port", 0);
    }

    public String host() {
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
                keys.serverCert(), keys.serverKey(), keys.serverRoot());
    }

    /**
     * Connects to the live node: in plain text on its plain port, or, when the config has closed it, over TLS on
     * the TLS port with the keys dir's client certificate. {@code --endpoint} names the address to use.
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
            target = new Endpoint(host(), useTls ? tls : plain);
        }
        if (useTls) {
            if (!keys.isComplete()) {
                throw RedisTlsException.failed("Redis at " + target + " serves only TLS and keys dir " + keys.dir()
                        + " has no client certificate to connect with: pass --keys-dir");
            }
            return LiveNode.connect(target, TlsContexts.create(Pem.readCertificate(keys.clientRoot()),
                    Pem.readCertificate(keys.clientCert()), Pem.readPrivateKey(keys.clientKey())), credentials);
        }
        return LiveNode.connect(target, null, credentials);
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

    /**
     * The user the running node's process runs as, when it runs on this host (its /proc entry is a redis process):
     * the user that must own, and alone read, the node's private keys.
     */
    public Optional<String> processUser() {
        Optional<LiveNode> live = connectIfRunning();
        if (live.isEmpty()) {
            return Optional.empty();
        }
        try (LiveNode n = live.get()) {
            Path proc = Path.of("/proc", String.valueOf(n.processId()));
            if (Files.readString(proc.resolve("comm")).startsWith("redis")) {
                return Optional.of(Files.getOwner(proc).getName());
            }
        } catch (java.io.IOException | RuntimeException e) {
            // another host, another pid namespace, or no /proc: not known
        }
        return Optional.empty();
    }

    public Endpoint tlsEndpoint(int tlsPort) {
        return new Endpoint(host(), tlsPort);
    }
}
