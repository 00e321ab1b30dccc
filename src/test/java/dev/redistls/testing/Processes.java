package dev.redistls.testing;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs an external program (openssl, redis-cli, nft ...) as an independent judge, with a time limit. */
public final class Processes {
    private Processes() {
    }

    public record Output(int exitCode, String out) {
    }

    public static Output run(String... command) {
        return run(null, List.of(command));
    }

    /** Runs with {@code stdin} fed to the process (may be null); stdout and stderr are merged. */
    public static Output run(String stdin, List<String> command) {
        return run(stdin, java.util.Map.of(), command);
    }

    /**
     * Runs with extra environment variables: how a secret (REDISCLI_AUTH) reaches a judge such as redis-cli
     * without appearing in any process's argv.
     */
    public static Output run(String stdin, java.util.Map<String, String> env, List<String> command) {
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
            pb.environment().putAll(env);
            Process p = pb.start();
            if (stdin != null) {
                p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("timed out: " + command);
            }
            return new Output(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Runs in {@code dir} with extra environment variables and a hard time limit: a client that retries forever is
     * killed and reported, instead of hanging the build. Output goes through a file so that waiting is bounded.
     */
    public static Output run(Path dir, Map<String, String> env, List<String> command, Duration limit) {
        try {
            Path out = Files.createTempFile("redis-tls-process-", ".out");
            try {
                ProcessBuilder pb = new ProcessBuilder(command).directory(dir == null ? null : dir.toFile())
                        .redirectErrorStream(true).redirectOutput(out.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
                pb.environment().putAll(env);
                Process p = pb.start();
                if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly().waitFor();
                    throw new IllegalStateException("timed out after " + limit + ": " + command + "\n"
                            + Files.readString(out));
                }
                return new Output(p.exitValue(), Files.readString(out));
            } finally {
                Files.deleteIfExists(out);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static Output run(String stdin, String... command) {
        return run(stdin, Arrays.asList(command));
    }

    /** Runs a set-up step that must succeed: a non-zero exit fails with the command and its output. */
    public static String must(String... command) {
        return must(null, Arrays.asList(command));
    }

    public static String must(String stdin, List<String> command) {
        Output r = run(stdin, command);
        if (r.exitCode() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed (exit " + r.exitCode() + "): "
                    + r.out().strip());
        }
        return r.out();
    }
}
