package dev.redistls.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A test's set of simulated hosts ({@link SimulatedHost}) and everything they share: one temp tree (traversable by
 * {@code redis}), the test side's SSH material — client key pairs, a {@code known_hosts} and an {@code ssh_config}
 * with a {@code Host} block per host — and two host users: one with passwordless sudo, one whose sudo asks for a
 * password. A test class makes one in {@code @BeforeAll} and closes it in {@code @AfterAll}:
 * <pre>{@code
 * hosts = SimulatedHosts.create();
 * List<SimulatedHost> h = hosts.start(Options.named("node1"), Options.named("node2").redisPassword("pw"));
 * Processes.run(null, List.of("ssh", "-F", hosts.sshConfig().toString(), "node1", "hostname"));   // node1
 * }</pre>
 * Nothing relies on {@code ~/.ssh} (Java's {@code user.home} comes from the password database): the config names
 * the key, the known_hosts file and {@code BatchMode yes}, {@code StrictHostKeyChecking yes}.
 *
 * <p>{@link #close()} removes every host, the users, the sudoers file and the temp tree; it is idempotent, and a JVM
 * shutdown hook calls it for fixtures a test left open. Needs root.
 */
public final class SimulatedHosts implements AutoCloseable {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Set<SimulatedHosts> OPEN = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> OPEN.forEach(f -> {
            try {
                f.close();
            } catch (RuntimeException e) {
                System.err.println("SimulatedHosts shutdown hook: " + e.getMessage());
            }
        }), "simulated-hosts-cleanup"));
    }

    private final String id;
    private final Path dir;
    private final Map<SshKeyType, Path> identities = new EnumMap<>(SshKeyType.class);
    private final List<SimulatedHost> hosts = new CopyOnWriteArrayList<>();
    private final List<String> usersCreated = new CopyOnWriteArrayList<>();
    private final String sudoUser;
    private final String passwordSudoUser;
    private final Path sudoers;
    private boolean sudoersWritten;
    private boolean closed;

    private SimulatedHosts(String id, Path dir) {
        this.id = id;
        this.dir = dir;
        this.sudoUser = "rtsudo" + id;
        this.passwordSudoUser = "rtpass" + id;
        this.sudoers = Path.of("/etc/sudoers.d/redis-tls-" + id);
    }

    /** The temp tree, a client key pair (ed25519; ECDSA and RSA on demand), the users and their sudoers file. */
    public static SimulatedHosts create() {
        byte[] b = new byte[3];
        RANDOM.nextBytes(b);
        String id = HexFormat.of().formatHex(b);
        Path dir;
        try {
            dir = Files.createTempDirectory("redis-tls-hosts-" + id + "-");
            Files.setAttribute(dir, "unix:mode", 0755); // the redis user must traverse it to its config
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        SimulatedHosts f = new SimulatedHosts(id, dir);
        OPEN.add(f);
        try {
            Files.createDirectory(dir.resolve("client"));
            Files.setAttribute(dir.resolve("client"), "unix:mode", 0700);
            Files.createDirectory(dir.resolve("home"));
            Files.setAttribute(dir.resolve("home"), "unix:mode", 0755);
            f.identity(SshKeyType.ED25519);
            f.createUsers();
            f.writeClientFiles();
            return f;
        } catch (IOException | RuntimeException e) {
            try {
                f.close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
        }
    }

    /** Starts one host (and adds it to known_hosts and ssh_config). */
    public SimulatedHost start(SimulatedHost.Options options) {
        return start(List.of(options)).get(0);
    }

    public SimulatedHost start(String name) {
        return start(SimulatedHost.Options.named(name));
    }

    /** Starts hosts in parallel; on failure the ones that started stay in the fixture (closed with it). */
    public List<SimulatedHost> start(SimulatedHost.Options... options) {
        return start(List.of(options));
    }

    public List<SimulatedHost> start(List<SimulatedHost.Options> options) {
        synchronized (this) {
            requireOpen();
            for (SimulatedHost.Options o : options) {
                if (hosts.stream().anyMatch(h -> h.name().equals(o.name()))
                        || options.stream().filter(x -> x.name().equals(o.name())).count() > 1) {
                    throw new IllegalArgumentException("two hosts named " + o.name());
                }
            }
        }
        List<CompletableFuture<SimulatedHost>> futures = options.stream()
                .map(o -> CompletableFuture.supplyAsync(() -> {
                    SimulatedHost h = SimulatedHost.start(this, o);
                    hosts.add(h);
                    return h;
                }, SimulatedHosts::newThread)).toList();
        try {
            CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        } finally {
            writeClientFiles();
        }
        return futures.stream().map(CompletableFuture::join).toList();
    }

    /**
     * Lets {@code hosts} reach each other's addresses, as machines on one network do. The test's namespace becomes
     * their router: IPv4 forwarding is switched on for their test-side links only (the machine's own
     * {@code ip_forward} and firewall are not touched, and the setting goes with the links), and each host gets a
     * route to every other one's /30 through its own link; nothing else is routed. Without it a host reaches only
     * the test's side of its link.
     */
    public void route(List<SimulatedHost> hosts) {
        for (SimulatedHost h : hosts) {
            try {
                Files.writeString(Path.of("/proc/sys/net/ipv4/conf", h.veth(), "forwarding"), "1\n");
            } catch (IOException e) {
                throw new IllegalStateException("cannot switch forwarding on for " + h.veth(), e);
            }
        }
        for (SimulatedHost from : hosts) {
            StringBuilder batch = new StringBuilder();
            for (SimulatedHost to : hosts) {
                if (to != from) {
                    batch.append("route replace ").append(to.network()).append(" via ").append(from.testSideAddress())
                            .append('\n');
                }
            }
            Processes.must(batch.toString(), List.of("ip", "-n", from.netns(), "-batch", "-"));
        }
    }

    public List<SimulatedHost> hosts() {
        return List.copyOf(hosts);
    }

    /** The fixture's temp tree: {@code client/} (SSH material), {@code home/}, and one tree per host. */
    public Path dir() {
        return dir;
    }

    /** {@code ssh -F} / {@code --ssh-config}: a {@code Host <name>} block per host, as root with the ed25519 key. */
    public Path sshConfig() {
        return dir.resolve("client/ssh_config");
    }

    /** Every host's current key, for its alias and its address. */
    public Path knownHosts() {
        return dir.resolve("client/known_hosts");
    }

    /** The ed25519 private key (authorized for root and both users on every host). */
    public Path identity() {
        return identity(SshKeyType.ED25519);
    }

    /**
     * The private key of that type ({@code client/id_<type>}, 0600), made on first use and then authorized on every
     * host for root and both users.
     */
    public synchronized Path identity(SshKeyType type) {
        Path key = identities.get(type);
        if (key == null) {
            key = dir.resolve("client/id_" + type.keygenName());
            type.generate(key, "redis-tls-test@" + id);
            identities.put(type, key);
            hosts.forEach(this::writeAuthorizedKeys);
        }
        return key;
    }

    /** A user with passwordless sudo ({@code NOPASSWD: ALL}); key login works on every host. */
    public String sudoUser() {
        return sudoUser;
    }

    /** A user whose sudo asks for a password (so {@code sudo -n} fails); key login works on every host. */
    public String passwordSudoUser() {
        return passwordSudoUser;
    }

    /** The sudoers file of the two users ({@code /etc/sudoers.d/redis-tls-<id>}). */
    public Path sudoersFile() {
        return sudoers;
    }

    /** The {@code known_hosts} line of a host with its current key: {@code alias,address type base64}. */
    public static String knownHostsLine(SimulatedHost h) {
        String names = h.sshPort() == 22 ? h.alias() + "," + h.address()
                : "[" + h.alias() + "]:" + h.sshPort() + ",[" + h.address() + "]:" + h.sshPort();
        return names + " " + h.hostKey();
    }

    /** Rewrites {@link #knownHosts()} with every host's current key (after {@link SimulatedHost#replaceHostKey}). */
    public void writeKnownHosts() {
        writeClientFiles();
    }

    /**
     * Writes an ssh_config with a block per host for {@code user}, {@code identity} and {@code knownHosts}: the
     * variants a bad-input test needs (an empty known_hosts, another user, an unauthorized key).
     */
    public Path writeSshConfig(Path file, String user, Path identity, Path knownHosts) {
        StringBuilder sb = new StringBuilder("# Simulated hosts of a redis-tls test (" + dir + ")\n");
        for (SimulatedHost h : hosts) {
            sb.append("Host ").append(h.alias()).append('\n')
                    .append("  HostName ").append(h.address()).append('\n')
                    .append("  Port ").append(h.sshPort()).append('\n')
                    .append("  User ").append(user).append('\n')
                    .append("  IdentityFile ").append(identity).append('\n')
                    .append("  IdentitiesOnly yes\n")
                    .append("  UserKnownHostsFile ").append(knownHosts).append('\n')
                    .append("  GlobalKnownHostsFile /dev/null\n")
                    .append("  StrictHostKeyChecking yes\n")
                    .append("  BatchMode yes\n");
        }
        try {
            Files.writeString(file, sb.toString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return file;
    }

    /**
     * Removes every host (processes, veth, namespace), the users, the sudoers file and the temp tree. Idempotent;
     * throws, after trying everything, if anything could not be removed.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        List<String> errors = new ArrayList<>();
        List<CompletableFuture<Void>> closing = hosts.stream()
                .map(h -> CompletableFuture.runAsync(h::close, SimulatedHosts::newThread)).toList();
        for (CompletableFuture<Void> c : closing) {
            try {
                c.join();
            } catch (CompletionException e) {
                errors.add(e.getCause().getMessage());
            }
        }
        try {
            if (sudoersWritten || Files.exists(sudoers)) {
                Files.deleteIfExists(sudoers);
            }
            Files.deleteIfExists(sudoersTemp());
        } catch (IOException e) {
            errors.add("cannot remove " + sudoers + ": " + e.getMessage());
        }
        for (String user : usersCreated) {
            Processes.Output r = retryingLock("userdel", user);
            if (r.exitCode() != 0 && r.exitCode() != 6) { // 6: no such user
                errors.add("userdel " + user + ": " + r.out().strip());
            }
            for (String leftover : List.of("/run/sudo/ts/" + user, "/var/lib/sudo/lectured/" + user,
                    "/var/mail/" + user)) {
                try {
                    Files.deleteIfExists(Path.of(leftover));
                } catch (IOException e) {
                    errors.add("cannot remove " + leftover + ": " + e.getMessage());
                }
            }
        }
        Processes.Output rm = Processes.run(null, List.of("rm", "-rf", "--one-file-system", dir.toString()));
        if (rm.exitCode() != 0 || Files.exists(dir)) {
            errors.add("rm -rf " + dir + ": " + rm.out().strip());
        }
        OPEN.remove(this);
        if (!errors.isEmpty()) {
            throw new IllegalStateException("simulated hosts not fully removed: " + errors);
        }
    }

    // ---------------------------------------------------------------- internals

    void writeAuthorizedKeys(SimulatedHost h) {
        List<String> keys;
        synchronized (this) {
            keys = identities.values().stream().map(SshKeyType::publicKey).toList();
        }
        h.writeAuthorizedKeys(List.of("root", sudoUser, passwordSudoUser), keys);
    }

    private synchronized void writeClientFiles() {
        StringBuilder kh = new StringBuilder();
        hosts.forEach(h -> kh.append(knownHostsLine(h)).append('\n'));
        try {
            Files.writeString(knownHosts(), kh.toString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        writeSshConfig(sshConfig(), "root", identity(), knownHosts());
    }

    private void createUsers() throws IOException {
        for (String user : List.of(sudoUser, passwordSudoUser)) {
            // '*' (not the '!' of a new account): sshd without PAM refuses a locked account even with a key.
            Processes.Output r = retryingLock("useradd", "-m", "-d", dir.resolve("home/" + user).toString(),
                    "-s", "/bin/bash", "-p", "*", "-c", "redis-tls simulated hosts " + id, user);
            if (r.exitCode() != 0) {
                throw new IllegalStateException("useradd " + user + " failed: " + r.out().strip());
            }
            usersCreated.add(user);
        }
        Path temp = sudoersTemp(); // a name with a dot: sudo ignores it until it is renamed into place
        Files.writeString(temp, "# redis-tls simulated hosts " + dir + ": removed when the test closes them\n"
                + sudoUser + " ALL=(ALL:ALL) NOPASSWD: ALL\n"
                + passwordSudoUser + " ALL=(ALL:ALL) ALL\n");
        Files.setAttribute(temp, "unix:mode", 0440);
        Processes.must("visudo", "-cf", temp.toString());
        sudoersWritten = true;
        Files.move(temp, sudoers, StandardCopyOption.ATOMIC_MOVE);
    }

    private Path sudoersTemp() {
        return Path.of("/etc/sudoers.d/.redis-tls-" + id + ".tmp");
    }

    /** useradd and userdel fail at once when another process (another test JVM) holds the passwd lock. */
    private static Processes.Output retryingLock(String... command) {
        Processes.Output r = null;
        for (int attempt = 0; attempt < 20; attempt++) {
            r = Processes.run(command);
            if (r.exitCode() == 0 || !(r.out().contains("lock") || r.out().contains("try again"))) {
                return r;
            }
            try {
                Thread.sleep(50 + RANDOM.nextInt(150));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return r;
            }
        }
        return r;
    }

    /** A thread per task: the common pool has one thread on a 2-core machine, which would start hosts in turn. */
    private static void newThread(Runnable task) {
        Thread t = new Thread(task, "simulated-host");
        t.setDaemon(true);
        t.start();
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("simulated hosts are closed");
        }
    }
}
