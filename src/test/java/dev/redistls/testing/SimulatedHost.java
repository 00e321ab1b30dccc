package dev.redistls.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A simulated machine for tests that reach a node over SSH: a network namespace of its own linked to the test's
 * namespace by a veth pair on a /30 of its own ({@link VethLink}), in which run
 * <ul>
 *   <li>an <b>anchor</b> ({@code sleep infinity} under {@code unshare --uts --mount}) that holds the host's own host
 *       name and its private {@code /etc/hosts} and {@code /etc/hostname} (bind-mounted over the shared ones);
 *       everything below enters the anchor's namespaces ({@code nsenter --mount --uts --net}), so sshd, its
 *       sessions, sftp-server, redis-server and {@link #exec} all see the same host;</li>
 *   <li>a real OpenSSH server ({@code /usr/sbin/sshd -D}) with its own config, host key and authorized keys;</li>
 *   <li>a real redis-server running as user {@code redis}, bound to 127.0.0.1 inside the namespace, so it is reached
 *       only through SSH (or by a judge run inside with {@link #exec}).</li>
 * </ul>
 * Namespaces share the filesystem: the host's files live in a tree of its own, {@link #root()}, laid out like
 * Debian's ({@code etc/redis/redis.conf} ...). Those paths are the same inside the host and in the test, so
 * {@link #redisConf()} is also the path to give a command run over SSH.
 *
 * <p>Made by {@link SimulatedHosts#start}, which also holds the test's SSH material and the host users.
 * {@link #close()} (idempotent) stops every process left in the namespace, deletes the veth and the namespace.
 */
public final class SimulatedHost implements AutoCloseable {
    /** Host names get this domain for their FQDN ({@code .test} is reserved, RFC 6761). */
    public static final String DOMAIN = "redis-tls.test";
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,30}");
    private static final String WRITE_ONLY = "/proc/sys/net/ipv4/route/flush";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(15);

    /**
     * How to make a host: its name (also its SSH alias) and what it runs. Defaults: ed25519 host key, sftp on,
     * SSH port 22, redis-server on 6379 with Debian's stock config, no password.
     */
    public record Options(String name, SshKeyType hostKey, boolean sftp, int sshPort, boolean redis,
                          boolean stockRedisConfig, int redisPort, String redisPassword, String extraRedisConfig) {
        public Options {
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("host name must match " + NAME + ": " + name);
            }
        }

        public static Options named(String name) {
            return new Options(name, SshKeyType.ED25519, true, 22, true, true, 6379, null, "");
        }

        public Options hostKey(SshKeyType type) {
            return new Options(name, type, sftp, sshPort, redis, stockRedisConfig, redisPort, redisPassword,
                    extraRedisConfig);
        }

        /** No {@code Subsystem sftp}: an SFTP client is refused ("subsystem request failed"). */
        public Options withoutSftp() {
            return new Options(name, hostKey, false, sshPort, redis, stockRedisConfig, redisPort, redisPassword,
                    extraRedisConfig);
        }

        public Options sshPort(int port) {
            return new Options(name, hostKey, sftp, port, redis, stockRedisConfig, redisPort, redisPassword,
                    extraRedisConfig);
        }

        /** No redis-server is started (its config is still written); {@link #startRedis()} starts it. */
        public Options withoutRedis() {
            return new Options(name, hostKey, sftp, sshPort, false, stockRedisConfig, redisPort, redisPassword,
                    extraRedisConfig);
        }

        /** A short config (port, bind, no persistence, paths) instead of Debian's stock one. */
        public Options minimalRedisConfig() {
            return new Options(name, hostKey, sftp, sshPort, redis, false, redisPort, redisPassword,
                    extraRedisConfig);
        }

        public Options redisPort(int port) {
            return new Options(name, hostKey, sftp, sshPort, redis, stockRedisConfig, port, redisPassword,
                    extraRedisConfig);
        }

        /** {@code requirepass}. */
        public Options redisPassword(String password) {
            return new Options(name, hostKey, sftp, sshPort, redis, stockRedisConfig, redisPort, password,
                    extraRedisConfig);
        }

        /** Lines appended to redis.conf (e.g. {@code rename-command CONFIG ""}). */
        public Options redisConfig(String extraLines) {
            return new Options(name, hostKey, sftp, sshPort, redis, stockRedisConfig, redisPort, redisPassword,
                    extraLines.endsWith("\n") || extraLines.isEmpty() ? extraLines : extraLines + "\n");
        }
    }

    private final SimulatedHosts fixture;
    private final Options options;
    private final Path root;
    private final List<Long> pidsStarted = new CopyOnWriteArrayList<>();
    private final Map<Path, String> unreadable = new LinkedHashMap<>();
    private final List<Path> mounts = new ArrayList<>();
    private Netns ns;
    private VethLink link;
    private long anchorPid;
    private Process sshd;
    private Process redis;
    private SshKeyType hostKeyType;
    private String hostKey;
    private boolean closed;

    private SimulatedHost(SimulatedHosts fixture, Options options) {
        this.fixture = fixture;
        this.options = options;
        this.root = fixture.dir().resolve(options.name());
    }

    /** Made by {@link SimulatedHosts#start}: on failure, whatever was made is removed again. */
    static SimulatedHost start(SimulatedHosts fixture, Options options) {
        SimulatedHost h = new SimulatedHost(fixture, options);
        try {
            h.build();
            return h;
        } catch (RuntimeException | IOException e) {
            try {
                h.close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
        }
    }

    private void build() throws IOException {
        Files.createDirectory(root);
        for (String d : List.of("etc/ssh", "etc/redis", "var/lib/redis", "var/log/redis", "run/redis",
                "usr/local/sbin")) {
            Files.createDirectories(root.resolve(d));
        }
        hostKeyType = options.hostKey();
        hostKey = hostKeyType.generate(hostKeyFile(hostKeyType), "root@" + options.name());
        writeRedisFiles();
        ns = Netns.create();
        link = VethLink.create(ns);
        Files.writeString(root.resolve("etc/hostname"), options.name() + "\n");
        Files.writeString(root.resolve("etc/hosts"), "127.0.0.1\tlocalhost\n"
                + address() + "\t" + fqdn() + " " + options.name() + "\n\n"
                + "::1\tlocalhost ip6-localhost ip6-loopback\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n");
        startAnchor();
        writeSshdConfig();
        fixture.writeAuthorizedKeys(this);
        if (options.redis()) {
            long redisLog = size(redisLog());
            redis = launchRedis();
            startSshd();
            awaitRedis(redis, redisLog);
        } else {
            startSshd();
        }
    }

    // ---------------------------------------------------------------- identity

    /** The host name (also the SSH alias in the fixture's ssh_config and known_hosts). */
    public String name() {
        return options.name();
    }

    public String alias() {
        return options.name();
    }

    /** {@code <name>.redis-tls.test}: what {@code hostname -f} says on the host. */
    public String fqdn() {
        return options.name() + "." + DOMAIN;
    }

    /** The host's address ({@code .2} of its /30), where its sshd listens. */
    public String address() {
        return link.hostSide();
    }

    /** The test side's address on the link ({@code .1}): where the host sees SSH clients come from. */
    public String testSideAddress() {
        return link.testSide();
    }

    /** The host's link network ({@code a.b.c.d/30}): what another host routes to reach it. */
    public String network() {
        return link.network();
    }

    /** The network namespace ({@code ip netns exec <netns>}). */
    public String netns() {
        return ns.name();
    }

    /** The test-side end of the veth pair. */
    public String veth() {
        return link.name();
    }

    public Options options() {
        return options;
    }

    /** The host's own directory tree (shared filesystem; the same path inside the host). */
    public Path root() {
        return root;
    }

    /** Where an absolute Debian path of the host lives: {@code path("/etc/redis")} = {@code <root>/etc/redis}. */
    public Path path(String absolute) {
        if (!absolute.startsWith("/")) {
            throw new IllegalArgumentException("not absolute: " + absolute);
        }
        return root.resolve(absolute.substring(1));
    }

    /** Every pid this host started itself (anchor, each sshd, each redis-server, {@link #start} processes). */
    public List<Long> pidsStarted() {
        return List.copyOf(pidsStarted);
    }

    // ---------------------------------------------------------------- ssh

    public int sshPort() {
        return options.sshPort();
    }

    public Path sshdConfig() {
        return path("/etc/ssh/sshd_config");
    }

    /** The host key's public half, {@code "<type> <base64>"}. */
    public String hostKey() {
        return hostKey;
    }

    public SshKeyType hostKeyType() {
        return hostKeyType;
    }

    /** The file sshd reads {@code user}'s authorized keys from ({@code AuthorizedKeysFile}). */
    public Path authorizedKeys(String user) {
        return path("/etc/ssh/authorized_keys." + user);
    }

    /** The sshd log ({@code sshd -e}, LogLevel VERBOSE). */
    public Path sshdLog() {
        return path("/var/log/sshd.log");
    }

    /** The pid of the sshd listener, or -1 when it is stopped. */
    public synchronized long sshdPid() {
        return sshd != null && sshd.isAlive() ? sshd.pid() : -1;
    }

    /** Starts sshd (again); returns once it listens. */
    public synchronized void startSshd() {
        if (sshdPid() > 0) {
            return;
        }
        try {
            Path privsep = Path.of("/run/sshd"); // sshd's privilege separation dir: root, 0755; shared, never removed
            if (!Files.isDirectory(privsep)) {
                Files.createDirectories(privsep);
                Files.setAttribute(privsep, "unix:mode", 0755);
            }
            long from = size(sshdLog());
            sshd = inHost(List.of("/usr/sbin/sshd", "-D", "-e", "-f", sshdConfig().toString()), sshdLog());
            await("sshd listening on " + address() + ":" + sshPort(), sshd,
                    () -> tail(sshdLog(), from).contains("Server listening on"), sshdLog());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Stops the sshd listener (SIGTERM): new connections are refused; open sessions stay. */
    public synchronized void stopSshd() {
        if (sshd != null && sshd.isAlive()) {
            sshd.destroy();
            waitFor(sshd);
        }
    }

    /**
     * Kills (SIGKILL) every sshd session process of the host (all but the listener): every open SSH connection
     * drops at once, as when a link or the server dies mid-command. Commands those sessions started keep running
     * (orphaned), as they would on a real host. Returns how many processes were killed.
     */
    public int killSessions() {
        long listener = sshdPid();
        List<ProcessHandle> sessions = ns.pids().stream().filter(p -> p != listener)
                .map(ProcessHandle::of).flatMap(Optional::stream)
                .filter(p -> p.info().command().orElse("").equals("/usr/sbin/sshd")).toList();
        sessions.forEach(ProcessHandle::destroyForcibly);
        sessions.forEach(p -> awaitDead(p.pid()));
        return sessions.size();
    }

    /**
     * Replaces the host key with a new one of {@code type} and restarts sshd: clients with the old key in
     * known_hosts are refused ("REMOTE HOST IDENTIFICATION HAS CHANGED"). The fixture's known_hosts is NOT updated
     * ({@link SimulatedHosts#writeKnownHosts()} does that).
     */
    public synchronized void replaceHostKey(SshKeyType type) {
        boolean running = sshdPid() > 0;
        stopSshd();
        try {
            Files.deleteIfExists(hostKeyFile(hostKeyType));
            Files.deleteIfExists(Path.of(hostKeyFile(hostKeyType) + ".pub"));
            hostKeyType = type;
            hostKey = type.generate(hostKeyFile(type), "root@" + name());
            writeSshdConfig();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        if (running) {
            startSshd();
        }
    }

    public void replaceHostKey() {
        replaceHostKey(hostKeyType);
    }

    // ---------------------------------------------------------------- redis

    public int redisPort() {
        return options.redisPort();
    }

    /** {@code <root>/etc/redis/redis.conf}, redis:redis 0640 in redis:redis 2770, as Debian has it. */
    public Path redisConf() {
        return path("/etc/redis/redis.conf");
    }

    /** The {@code requirepass} of the config the host was made with, or null. */
    public String redisPassword() {
        return options.redisPassword();
    }

    public Path redisLog() {
        return path("/var/log/redis/redis-server.log");
    }

    public Path redisPidFile() {
        return path("/run/redis/redis-server.pid");
    }

    /**
     * A command, run on the host (over SSH, e.g. a node's {@code --restart-command}), that stops its redis-server
     * and starts it again as {@code redis} from the same config, and returns once it is ready.
     */
    public String redisRestartCommand() {
        return path("/usr/local/sbin/redis-restart").toString();
    }

    /** The pid of the running redis-server (its pid file, else the one this fixture started), or -1. */
    public long redisPid() {
        try {
            if (Files.exists(redisPidFile())) {
                long pid = Long.parseLong(Files.readString(redisPidFile()).strip());
                if (isRedis(pid) && !isDead(pid)) {
                    return pid;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // being written or removed right now: fall back to the process this fixture started
        }
        // A killed process stays "alive" to Java until its reaper has run: a zombie counts as dead here.
        Process p = redis;
        return p != null && p.isAlive() && !isDead(p.pid()) ? p.pid() : -1;
    }

    public boolean redisRunning() {
        return redisPid() > 0;
    }

    /** Starts redis-server as {@code redis} from {@link #redisConf()}; returns once it accepts connections. */
    public synchronized void startRedis() {
        if (redisRunning()) {
            return;
        }
        long from = size(redisLog());
        redis = launchRedis();
        awaitRedis(redis, from);
    }

    /** SIGTERM, and waits until it is gone (SIGKILL after 10 s). */
    public synchronized void stopRedis() {
        signalRedis(false);
    }

    /** SIGKILL: no shutdown, the pid file stays behind. */
    public synchronized void killRedis() {
        signalRedis(true);
    }

    /** Runs {@code redis-cli -h 127.0.0.1 -p <port> args} inside the host (password through REDISCLI_AUTH). */
    public Processes.Output redisCli(String... args) {
        List<String> cmd = new ArrayList<>(List.of("redis-cli", "-h", "127.0.0.1", "-p",
                String.valueOf(redisPort())));
        cmd.addAll(List.of(args));
        return Processes.run(null, redisPassword() == null ? Map.of() : Map.of("REDISCLI_AUTH", redisPassword()),
                nsenter(cmd));
    }

    // ---------------------------------------------------------------- commands inside the host

    /** Runs a command inside the host (its network, host name and mounts), as root; stdout and stderr merged. */
    public Processes.Output exec(String... command) {
        return Processes.run(null, nsenter(List.of(command)));
    }

    public Processes.Output execWithInput(String stdin, String... command) {
        return Processes.run(stdin, nsenter(List.of(command)));
    }

    /** Like {@link #exec} but fails when the command does; returns its output. */
    public String must(String... command) {
        return Processes.must(null, nsenter(List.of(command)));
    }

    /**
     * Starts a long-running process inside the host (a load client, a judge that must stay connected), output to
     * {@code log}. It is stopped at {@link #close()} if still running.
     */
    public Process start(Path log, String... command) {
        return inHost(List.of(command), log);
    }

    // ---------------------------------------------------------------- faults

    /** Drops every packet coming in over the link (iptables inside the namespace): connects time out. */
    public void dropInbound() {
        must("iptables", "-w", "5", "-I", "INPUT", "-i", "eth0", "-j", "DROP");
    }

    /** Undoes {@link #dropInbound()}. */
    public void acceptInbound() {
        must("iptables", "-w", "5", "-D", "INPUT", "-i", "eth0", "-j", "DROP");
    }

    /**
     * Mounts a tmpfs of {@code kib} KiB over {@code dir} (a directory of the host's tree) as the host sees it: its
     * sshd sessions, sftp-server and redis-server (one mount namespace), not the test. The directory's mode, owner and
     * contents are carried over, so only the space changes: writing more than is left fails with ENOSPC.
     */
    public synchronized void mountTmpfs(Path dir, int kib) {
        requireInTree(dir);
        Path stage = root.resolve(".tmpfs-stage-" + System.nanoTime());
        must("sh", "-ec", """
                mkdir -m 700 "$4"
                cp -a "$1"/. "$4"/
                mount -t tmpfs -o "size=$2k,mode=$(stat -c %a "$1"),uid=$(stat -c %u "$1"),gid=$(stat -c %g "$1")" \
                  "$3" "$1"
                cp -a "$4"/. "$1"/
                rm -rf "$4"
                """, "sh", dir.toString(), String.valueOf(kib), "simhost-" + name(), stage.toString());
        mounts.add(dir);
    }

    /**
     * Makes a file of the host unreadable, even to root over SSH or SFTP ("Permission denied"): mode 000 (for a
     * non-root user) and, for root, which reads past modes, a write-only kernel file bind-mounted over it in the
     * host's mount namespace ({@value #WRITE_ONLY} of the host's own network namespace: open for reading fails with
     * EACCES for root too; chmod and chown on it fail; a rename onto it fails with EBUSY). The test still reads the
     * real file.
     */
    public synchronized void makeUnreadable(Path file) {
        requireInTree(file);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("not a regular file: " + file);
        }
        try {
            unreadable.put(file, Integer.toOctalString((Integer) Files.getAttribute(file, "unix:mode") & 07777));
            Files.setAttribute(file, "unix:mode", 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        must("mount", "--bind", WRITE_ONLY, file.toString());
        mounts.add(file);
    }

    /** Undoes {@link #makeUnreadable} (mode restored) or {@link #mountTmpfs} (contents written meanwhile are lost). */
    public synchronized void unmount(Path path) {
        if (!mounts.remove(path)) {
            throw new IllegalArgumentException("not mounted by this fixture: " + path);
        }
        must("umount", path.toString());
        String mode = unreadable.remove(path);
        if (mode != null) {
            try {
                Files.setAttribute(path, "unix:mode", Integer.parseInt(mode, 8));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** Same as {@link #unmount} for a file made unreadable. */
    public void makeReadable(Path file) {
        unmount(file);
    }

    // ---------------------------------------------------------------- teardown

    /**
     * Removes the host: unmounts what the fixture mounted, stops every process still in its namespace (by pid,
     * only those), deletes the veth pair, then the namespace. Idempotent; throws if something could not be removed.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<String> errors = new ArrayList<>();
        if (anchorPid > 0 && ProcessHandle.of(anchorPid).isPresent()) {
            for (Path m : List.copyOf(mounts)) {
                try {
                    Processes.run(null, enter(List.of("umount", m.toString())));
                } catch (RuntimeException ignored) {
                    // the mount lives only in the host's mount namespace: it goes with the host's processes
                }
            }
        }
        mounts.clear();
        unreadable.forEach((file, mode) -> {
            try {
                Files.setAttribute(file, "unix:mode", Integer.parseInt(mode, 8));
            } catch (IOException | RuntimeException ignored) {
                // removed with the tree
            }
        });
        if (ns != null) {
            try {
                ns.stopProcesses(Duration.ofSeconds(3));
            } catch (RuntimeException e) {
                errors.add(e.getMessage());
            }
        }
        if (link != null) {
            try {
                link.delete();
            } catch (RuntimeException e) {
                errors.add(e.getMessage());
            }
        }
        if (ns != null) {
            try {
                ns.close();
            } catch (RuntimeException e) {
                errors.add(e.getMessage());
            }
            if (Processes.run(null, List.of("ip", "netns", "list")).out().lines()
                    .anyMatch(l -> l.split(" ")[0].equals(netns()))) {
                errors.add("ip netns del " + netns() + " did not remove it");
            }
        }
        if (!errors.isEmpty()) {
            throw new IllegalStateException("simulated host " + name() + " not fully removed: " + errors);
        }
    }

    // ---------------------------------------------------------------- internals

    private void startAnchor() throws IOException {
        Path log = path("/var/log/anchor.log");
        ProcessBuilder pb = new ProcessBuilder("ip", "netns", "exec", ns.name(), "unshare", "--uts", "--mount", "--",
                "sh", "-c", "hostname \"$1\" && mount --bind \"$2\" /etc/hosts"
                + " && { [ ! -e /etc/hostname ] || mount --bind \"$3\" /etc/hostname; } && exec sleep infinity",
                "sh", name(), path("/etc/hosts").toString(), path("/etc/hostname").toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Process anchor = pb.start();
        anchorPid = anchor.pid();
        pidsStarted.add(anchorPid);
        Path comm = Path.of("/proc/" + anchorPid + "/comm");
        await("host name and mounts of " + name(), anchor, () -> {
            try {
                return Files.readString(comm).strip().equals("sleep");
            } catch (IOException e) {
                return false;
            }
        }, log);
    }

    /** {@code nsenter} into the anchor's mount, UTS and network namespaces, then {@code command}. */
    private List<String> nsenter(List<String> command) {
        if (closed) {
            throw new IllegalStateException("simulated host " + name() + " is closed");
        }
        return enter(command);
    }

    private List<String> enter(List<String> command) {
        List<String> full = new ArrayList<>(List.of("nsenter", "--target", String.valueOf(anchorPid), "--mount",
                "--uts", "--net", "--"));
        full.addAll(command);
        return full;
    }

    private Process inHost(List<String> command, Path log) {
        try {
            Process p = new ProcessBuilder(nsenter(command)).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            pidsStarted.add(p.pid()); // nsenter and setpriv exec: this is the pid of the program itself
            return p;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + command + " in " + name(), e);
        }
    }

    private Path hostKeyFile(SshKeyType type) {
        return path("/etc/ssh/ssh_host_" + type.keygenName() + "_key");
    }

    private void writeSshdConfig() throws IOException {
        Files.writeString(sshdConfig(), "# sshd of the simulated host " + name() + " (redis-tls tests)\n"
                + "ListenAddress " + address() + "\n"
                + "Port " + sshPort() + "\n"
                + "HostKey " + hostKeyFile(hostKeyType) + "\n"
                + "PidFile " + path("/run/sshd.pid") + "\n"
                + "UsePAM no\n"
                + "PermitRootLogin prohibit-password\n"
                + "PubkeyAuthentication yes\n"
                + "PasswordAuthentication no\n"
                + "KbdInteractiveAuthentication no\n"
                + "AuthorizedKeysFile " + path("/etc/ssh") + "/authorized_keys.%u\n"
                + "StrictModes no\n"
                + "AcceptEnv LANG LC_*\n"
                + "PrintMotd no\n"
                + "LogLevel VERBOSE\n"
                + (options.sftp() ? "Subsystem sftp /usr/lib/openssh/sftp-server\n" : ""));
    }

    void writeAuthorizedKeys(List<String> users, List<String> publicKeys) {
        String text = String.join("\n", publicKeys) + "\n";
        try {
            for (String user : users) {
                Files.writeString(authorizedKeys(user), text);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void writeRedisFiles() throws IOException {
        Path conf = redisConf();
        String pidfile = redisPidFile().toString();
        String logfile = redisLog().toString();
        String dir = path("/var/lib/redis").toString();
        String text;
        if (options.stockRedisConfig()) {
            text = StockRedis.template(options.redisPassword(), pidfile, logfile, dir)
                    .replace("%PORT%", String.valueOf(redisPort()));
        } else {
            text = "port " + redisPort() + "\nbind 127.0.0.1 -::1\ndaemonize no\nsave \"\"\nappendonly no\n"
                    + "dir " + dir + "\nlogfile " + logfile + "\npidfile " + pidfile + "\n"
                    + (options.redisPassword() == null ? "" : "requirepass " + options.redisPassword() + "\n");
        }
        Files.writeString(conf, text + options.extraRedisConfig(), StandardCharsets.ISO_8859_1);
        // Debian's modes and owners: etc/redis redis:redis 2770, redis.conf 0640, var/lib/redis 0750,
        // var/log/redis 2750, run/redis 2775. chown before chmod: chown clears the setgid bit.
        own(path("/etc/redis"), 02770);
        own(conf, 0640);
        own(path("/var/lib/redis"), 0750);
        own(path("/var/log/redis"), 02750);
        own(path("/run/redis"), 02775);
        Path restart = Path.of(redisRestartCommand());
        Files.writeString(restart, """
                #!/bin/sh
                # Restarts the redis-server of the simulated host %1$s as user redis, from the same config.
                pidfile=%2$s
                log=%3$s
                if [ -s "$pidfile" ]; then
                  pid=$(cat "$pidfile")
                  if kill "$pid" 2>/dev/null; then
                    while kill -0 "$pid" 2>/dev/null; do sleep 0.02; done
                  fi
                fi
                before=$(grep -c 'Ready to accept connections' "$log" 2>/dev/null) || true
                setpriv --reuid=redis --regid=redis --init-groups --reset-env -- \\
                  /usr/bin/redis-server %4$s --daemonize yes || exit 1
                i=0
                while [ $i -lt 500 ]; do
                  now=$(grep -c 'Ready to accept connections' "$log" 2>/dev/null) || true
                  [ "${now:-0}" -gt "${before:-0}" ] && exit 0
                  sleep 0.02
                  i=$((i + 1))
                done
                echo "redis-server did not become ready, see $log" >&2
                exit 1
                """.formatted(name(), pidfile, logfile, conf));
        Files.setAttribute(restart, "unix:mode", 0755);
    }

    private static void own(Path p, int mode) throws IOException {
        UserPrincipalLookupService users = p.getFileSystem().getUserPrincipalLookupService();
        UserPrincipal redis = users.lookupPrincipalByName("redis");
        GroupPrincipal group = users.lookupPrincipalByGroupName("redis");
        PosixFileAttributeView view = Files.getFileAttributeView(p, PosixFileAttributeView.class);
        view.setOwner(redis);
        view.setGroup(group);
        Files.setAttribute(p, "unix:mode", mode);
    }

    private Process launchRedis() {
        return inHost(List.of("setpriv", "--reuid=redis", "--regid=redis", "--init-groups", "--reset-env", "--",
                "/usr/bin/redis-server", redisConf().toString()), path("/var/log/redis-server.out"));
    }

    private void awaitRedis(Process p, long logFrom) {
        await("redis-server ready in " + name(), p,
                () -> tail(redisLog(), logFrom).contains("Ready to accept connections"), redisLog());
    }

    private void signalRedis(boolean kill) {
        long pid = redisPid();
        if (pid < 0) {
            return;
        }
        ProcessHandle h = ProcessHandle.of(pid).orElse(null);
        if (h == null) {
            return;
        }
        if (kill) {
            h.destroyForcibly();
        } else {
            h.destroy();
        }
        if (!awaitDead(pid)) {
            h.destroyForcibly(); // e.g. a SIGTERM shutdown that cannot save the RDB keeps redis running
            awaitDead(pid);
        }
    }

    /**
     * Waits up to 10 s until {@code pid} is gone or a zombie. A killed process whose parent is not this JVM (a
     * daemonized redis-server, an sshd session) stays a zombie until init reaps it: Java's ProcessHandle still calls
     * that alive.
     */
    static boolean awaitDead(long pid) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (isDead(pid)) {
                return true;
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    /** Gone, or a zombie (dead, not yet reaped). */
    public static boolean isDead(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (IOException e) {
            return true;
        }
    }

    private static boolean isRedis(long pid) {
        try {
            return Files.readString(Path.of("/proc/" + pid + "/comm")).strip().startsWith("redis-server");
        } catch (IOException e) {
            return false;
        }
    }

    private void requireInTree(Path p) {
        if (!p.isAbsolute() || !p.normalize().startsWith(root) || p.normalize().equals(root)) {
            throw new IllegalArgumentException(p + " is not inside the host's tree " + root);
        }
    }

    private void await(String what, Process p, java.util.function.BooleanSupplier ready, Path log) {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!ready.getAsBoolean()) {
            if (!p.isAlive()) {
                throw new IllegalStateException(what + ": process exited " + p.exitValue() + "; " + log + ":\n"
                        + tail(log, Math.max(0, size(log) - 2000)));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(what + ": not after " + START_TIMEOUT + "; " + log);
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    private static void waitFor(Process p) {
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static long size(Path p) {
        try {
            return Files.exists(p) ? Files.size(p) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    private static String tail(Path p, long from) {
        try {
            if (!Files.exists(p)) {
                return "";
            }
            byte[] all = Files.readAllBytes(p);
            int start = (int) Math.min(from, all.length);
            return new String(all, start, all.length - start, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
