package dev.redistls.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
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
