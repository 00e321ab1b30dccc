package dev.redistls.host;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * The machine a node lives on: its files, its programs, its network and what it is. Every command reaches a node's
 * machine only through this seam, so that the same code secures a node here ({@link LocalHost}) or on another
 * machine over SSH. The CA home, client exports and the cli's history stay on the admin machine and never go
 * through a host.
 */
public interface Host extends AutoCloseable {
    /** How messages name the host: "this machine", or the SSH target as given ("admin@redis1"). */
    String name();

    boolean isLocal();

    /** The host's files, with the file-safety rules of {@link HostFiles}. */
    HostFiles files();

    /**
     * Runs a program on the host, as the user the tool acts as there (root, or root through {@code sudo -n}), with
     * a fixed {@code PATH} and {@code LC_ALL=C}; never through a shell unless {@code argv} asks for one.
     * {@code stdin} may be null. A program that does not end within {@code timeout} is killed and reported.
     */
    Execution run(List<String> argv, byte[] stdin, Duration timeout) throws IOException;

    /**
     * A TCP connection to {@code address:port} as the host itself would open it (over SSH: a forwarded channel,
     * so a node bound to 127.0.0.1 is reachable and no Redis port is exposed to the admin machine). Connection
     * refused, timeouts and unreachable networks are {@link IOException}s.
     */
    Socket connect(String address, int port, Duration timeout) throws IOException;

    /**
     * Whether a process on the host listens on TCP {@code port}, judged on the host (a forwarded connection is
     * accepted by the forwarder whatever the far side does, so it proves nothing).
     */
    boolean listening(int port) throws IOException;

    /** Facts about the host, asked once per command. */
    HostFacts facts();

    /**
     * Takes the host-wide lock named {@code key} (one writer per node at a time), held until the returned lock is
     * closed or this process dies. When another process holds it: with {@code wait}, {@code waiting} is told once
     * and the call blocks; without, {@link HostLock.Busy} is thrown at once.
     */
    HostLock lock(String key, boolean wait, Consumer<String> waiting) throws IOException;

    @Override
    void close();

    /** What a program did: exit code and its output (UTF-8, as the tools print in the C locale). */
    record Execution(int exitCode, String out, String err) {
        public boolean ok() {
            return exitCode == 0;
        }

        /** The first non-blank line of stderr, else of stdout: what the program said went wrong. */
        public String firstErrorLine() {
            String text = err.isBlank() ? out : err;
            return text.lines().filter(l -> !l.isBlank()).findFirst().orElse("exit " + exitCode).trim();
        }
    }
}
