package dev.redistls.host;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** This machine: what every command did before hosts existed, behind the same seam as a host over SSH. */
public final class LocalHost implements Host {
    /** Where programs are looked for: the system's directories, sbin included (a non-root PATH often lacks them). */
    static final List<String> SYSTEM_PATH = List.of("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin");

    private final LocalFacts facts = new LocalFacts(this);
    private final HostFiles files = () -> LocalDir.root(facts);

    @Override
    public String name() {
        return "this machine";
    }

    @Override
    public boolean isLocal() {
        return true;
    }

    @Override
    public HostFiles files() {
        return files;
    }

    @Override
    public Execution run(List<String> argv, byte[] stdin, Duration timeout) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(argv);
        pb.environment().put("PATH", String.join(":", SYSTEM_PATH));
        // Tools print in the C locale so that what we parse is the English text.
        pb.environment().put("LC_ALL", "C");
        Process p = pb.start();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
        try (var in = p.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin);
            }
        }
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IOException(argv.get(0) + " did not finish within " + timeout.toSeconds() + " s");
            }
            return new Execution(p.exitValue(), out.join(), err.join());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("interrupted while running " + argv.get(0), e);
        }
    }

    private static String read(InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Socket connect(String address, int port, Duration timeout) throws IOException {
        Socket s = new Socket();
        try {
            s.connect(new InetSocketAddress(address, port), (int) timeout.toMillis());
            return s;
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    @Override
    public boolean listening(int port) throws IOException {
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path p = Path.of(table);
            if (Files.exists(p) && ProcText.listens(Files.readString(p), port)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public HostFacts facts() {
        return facts;
    }

    @Override
    public HostLock lock(String key, boolean wait, Consumer<String> waiting) throws IOException {
        return LocalLock.take(this, key, wait, waiting);
    }

    @Override
    public void close() {
        // nothing held
    }
}
