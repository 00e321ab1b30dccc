package dev.redistls.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * redis-tls as an operator runs it: the packaged jar in its own JVM (built by the package phase, before failsafe
 * runs), so that two runs really are two processes, and one can be killed.
 */
public final class Tool {
    public static final Path JAR = Path.of("target/redis-tls.jar").toAbsolutePath();

    private Tool() {
    }

    /** The command line of a run, optionally behind a prefix (e.g. strace). */
    public static List<String> command(List<String> prefix, String... args) {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-jar", JAR.toString()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    public static Process start(Map<String, String> env, List<String> prefix, String... args) {
        try {
            ProcessBuilder pb = new ProcessBuilder(command(prefix, args));
            pb.environment().putAll(env);
            return pb.start();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs to the end; stdout and stderr apart. */
    public static Cli.Result run(Map<String, String> env, List<String> prefix, String... args) {
        return finish(start(env, prefix, args));
    }

    public static Cli.Result run(String... args) {
        return run(Map.of(), List.of(), args);
    }

    public static Cli.Result finish(Process p) {
        try {
            var err = java.util.concurrent.CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
            String out = read(p.getInputStream());
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("redis-tls did not finish within 120 s");
            }
            return new Cli.Result(p.exitValue(), out, err.join());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String read(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
