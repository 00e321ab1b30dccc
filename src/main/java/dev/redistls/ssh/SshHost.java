package dev.redistls.ssh;

import dev.redistls.RedisTlsException;
import dev.redistls.host.Host;
import dev.redistls.host.HostFacts;
import dev.redistls.host.HostFiles;
import dev.redistls.host.HostLock;
import dev.redistls.host.ProcText;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.channel.exception.SshChannelOpenException;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * A node's machine reached over one SSH connection, agentless: files over SFTP, programs over exec channels,
 * Redis over direct-tcpip channels, the node lock held by a remote {@code flock} — all multiplexed on the
 * connection made by {@link #connect}. As root, or as a user with passwordless sudo ({@code sudo -n}), in which
 * case every program and the SFTP server itself run as root.
 */
public final class SshHost implements Host {
    /** Extra time the channel is given past a program's own timeout, for {@code timeout -k 5} to kill it. */
    private static final Duration KILL_GRACE = Duration.ofSeconds(10);

    private final SshSession connection;
    private final boolean sudo;
    private final SftpFiles files;
    private SshFacts facts;
    private RootSftp sftp;

    private SshHost(SshSession connection, boolean sudo) {
        this.connection = connection;
        this.sudo = sudo;
        this.files = new SftpFiles(this, this::sftp);
    }

    /**
     * Connects and authenticates once, for the whole command.
     *
     * @param sshConfig the OpenSSH client config, or null for {@code ~/.ssh/config} ({@code ~} is Java's
     *                  {@code user.home}, from the password database, not {@code $HOME})
     * @param sudo      act as root through {@code sudo -n}; checked at once, so a sudo that wants a password fails here
     */
    public static SshHost connect(SshTarget target, Path sshConfig, boolean sudo) {
        SshSettings settings = SshSettings.resolve(target, sshConfig, Path.of(System.getProperty("user.home")),
                System.getProperty("user.name"), System.getenv("SSH_AUTH_SOCK"));
        SshHost host = new SshHost(SshSession.open(settings), sudo);
        if (sudo) {
            try {
                host.facts(); // the first command through sudo: proves sudo -n works before anything is done
            } catch (RuntimeException e) {
                host.close();
                throw e;
            }
        }
        return host;
    }

    /** Each step's duration so far ("connect 12 ms", "exec id 3 ms"), for {@code --verbose}. */
    public List<String> timings() {
        return connection.timings().lines();
    }

    @Override
    public String name() {
        return connection.settings().target().toString();
    }

    @Override
    public boolean isLocal() {
        return false;
    }

    public boolean sudo() {
        return sudo;
    }

    @Override
    public HostFiles files() {
        return files;
    }

    ClientSession session() {
        return connection.session();
    }

    boolean connected() {
        return connection.isOpen();
    }

    /** The connection is gone: one line naming the host, and what to do. */
    RedisTlsException lost(String during, Throwable cause) {
        String why = connection.closeReason();
        return RedisTlsException.failed("the SSH connection to " + connection.settings().display() + " dropped " + during
                + (why.isEmpty() ? "" : " (" + why + ")") + "; run the command again, it goes on from where it stopped", cause);
    }

    private RedisTlsException sudoRefused(String err) {
        String user = connection.settings().user();
        if (err.contains(RemoteCommand.SUDO_PASSWORD) || err.contains("a terminal is required")) {
            return RedisTlsException.failed("sudo on " + name() + " asks " + user + " for a password; give " + user
                    + " passwordless sudo there (a sudoers line '" + user + " ALL=(ALL) NOPASSWD: ALL') or log in as root");
        }
        return RedisTlsException.failed("sudo on " + name() + " refused " + user + ": " + err.lines().findFirst().orElse("").trim()
                + "; give " + user + " passwordless sudo there or log in as root");
    }

    private static boolean sudoFailed(Exec.Result r) {
        return r.exitStatus() != null && r.exitStatus() == 1 && r.err().startsWith("sudo: ")
                && (r.err().contains(RemoteCommand.SUDO_PASSWORD) || r.err().contains("a terminal is required")
                || r.err().contains("not in the sudoers") || r.err().contains("not allowed to"));
    }

    @Override
    public Execution run(List<String> argv, byte[] stdin, Duration timeout) throws IOException {
        String what = argv.get(0);
        long start = System.nanoTime();
        Exec.Result r;
        try {
            r = Exec.run(session(), RemoteCommand.of(argv, sudo, timeout), stdin, timeout.plus(KILL_GRACE));
        } catch (IOException | RuntimeException e) {
            if (!connected()) {
                throw lost("while running " + what, e);
            }
            throw new IOException("cannot run " + what + " on " + name() + ": " + Messages.oneLine(e), e);
        } finally {
            connection.timings().add("exec " + what, start);
        }
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        if (r.timedOut() || (r.exitStatus() != null && r.exitStatus() == 124 && elapsedMs >= timeout.toMillis())) {
            throw new IOException(what + " did not finish within " + timeout.toSeconds() + " s on " + name() + " and was killed");
        }
        if (r.exitStatus() == null) {
            if (!connected()) {
                throw lost("while running " + what, null);
            }
            throw new IOException(what + " on " + name() + " ended without an exit status (killed by a signal?)");
        }
        if (sudo && sudoFailed(r)) {
            throw sudoRefused(r.err());
        }
        return r.execution();
    }

    /** {@link #run} for the tool's own questions: any failure to run at all is the one-line failure. */
    Execution runChecked(List<String> argv, Duration timeout, String doing) {
        try {
            return run(argv, null, timeout);
        } catch (IOException e) {
            throw RedisTlsException.failed(Messages.oneLine(e) + " (" + doing + ")", e);
        }
    }

    @Override
    public Socket connect(String address, int port, Duration timeout) throws IOException {
        long start = System.nanoTime();
        try {
            return ChannelSocket.open(session(), address, port, timeout);
        } catch (IOException | RuntimeException e) {
            SshChannelOpenException refused = Messages.cause(e, SshChannelOpenException.class);
            if (refused != null) {
                // The host tried and failed (refused, unreachable, no route): what a local connect would have said.
                throw new ConnectException(address + ":" + port + " as seen from " + name() + ": " + refused.getMessage());
            }
            if (!connected()) {
                throw lost("while connecting to " + address + ":" + port, e);
            }
            throw new IOException("cannot reach " + address + ":" + port + " from " + name() + ": " + Messages.oneLine(e), e);
        } finally {
            connection.timings().add("channel " + address + ":" + port, start);
        }
    }

    @Override
    public boolean listening(int port) throws IOException {
        // Judged on the host: the tables of its network namespace, read in one exec (tcp6 may not exist).
        Execution r = run(List.of("sh", "-c", "cat /proc/net/tcp; cat /proc/net/tcp6 2>/dev/null; true"), null, Duration.ofSeconds(20));
        if (!r.out().contains("local_address")) {
            throw new IOException("cannot read /proc/net/tcp on " + name() + ": " + r.firstErrorLine());
        }
        return ProcText.listens(r.out(), port);
    }

    @Override
    public synchronized SshFacts facts() {
        if (facts == null) {
            long start = System.nanoTime();
            facts = SshFacts.ask(this);
            connection.timings().add("facts", start);
        }
        return facts;
    }

    @Override
    public HostLock lock(String key, boolean wait, Consumer<String> waiting) throws IOException {
        return SshLock.take(this, key, wait, waiting);
    }

    private RedisTlsException noSftp(String command, String err, Throwable e) {
        return RedisTlsException.failed(name() + " offers no SFTP service" + (sudo ? " through sudo (" + command + ")" : "")
                + ": " + (err.isBlank() ? Messages.oneLine(e) : err.lines().findFirst().orElse("").trim())
                + "; enable it in its sshd_config (Subsystem sftp /usr/lib/openssh/sftp-server)", e);
    }

    /**
     * The SFTP channel closed under a call while the connection stayed up: the server refused or ended its SFTP
     * service (OpenSSH closes the channel of a subsystem it does not have, after seeming to accept it).
     */
    synchronized boolean sftpClosing() {
        return sftp != null && (!sftp.isOpen() || sftp.getClientChannel().isClosing() || sftp.getClientChannel().isClosed());
    }

    synchronized RedisTlsException sftpClosed(Throwable cause) {
        return noSftp(null, sftp == null ? "" : sftp.stderr(), cause);
    }

    /** The SFTP session, opened on first use: the subsystem as root, {@code sudo -n sftp-server} with sudo. */
    private synchronized RootSftp sftp() {
        if (sftp != null && sftp.isOpen()) {
            return sftp;
        }
        if (!connected()) {
            throw lost("before files could be reached", null);
        }
        String command = null;
        if (sudo) {
            String server = facts().sftpServers().stream().findFirst().orElseThrow(() -> RedisTlsException.failed(
                    "no SFTP server program on " + name() + " (looked in sshd_config and " + String.join(", ", SshFacts.SFTP_SERVERS)
                            + "); install OpenSSH's sftp-server there (Debian: openssh-sftp-server)"));
            command = "sudo -n -- " + RemoteCommand.quote(server);
        }
        long start = System.nanoTime();
        StringBuilder stderr = new StringBuilder();
        try {
            sftp = RootSftp.open(session(), command, stderr);
            return sftp;
        } catch (IOException | RuntimeException e) {
            if (!connected()) {
                throw lost("while starting SFTP", e);
            }
            String err = stderr.toString();
            if (sudo && err.startsWith("sudo: ")) {
                throw sudoRefused(err);
            }
            throw noSftp(command, err, e);
        } finally {
            connection.timings().add("sftp open", start);
        }
    }

    @Override
    public synchronized void close() {
        try {
            if (sftp != null) {
                sftp.close();
            }
        } catch (IOException | RuntimeException ignored) {
            // the connection is closed next anyway
        }
        connection.close();
    }
}
