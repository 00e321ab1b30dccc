package dev.redistls.demo;

import dev.redistls.testing.Cli;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code redis-tls demo}: secures a throwaway Redis end to end and leaves no process or temp dir behind. */
class DemoIT {

    @Test
    void securesAThrowawayRedisAndLeavesNothingBehind() throws IOException {
        Set<Path> dirsBefore = demoDirs();
        Set<Long> redisBefore = redisProcesses();

        Cli.Result r = Cli.run("demo");

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).contains(
                "[ok] served certificate is the file's",
                "[ok] client without certificate accepted",
                "PING -> PONG",
                "GET demo:greeting -> hello over TLS",
                "refused, as it must be",
                "Restored", "to its exact pre-install bytes",
                "[ok] TLS port", "closed");
        assertThat(demoDirs()).isEqualTo(dirsBefore);
        assertThat(redisProcesses()).isEqualTo(redisBefore);
        assertThat(r.out()).doesNotContain("requirepass");
    }

    private static Set<Path> demoDirs() throws IOException {
        try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return s.filter(p -> p.getFileName().toString().startsWith("redis-tls-demo-")).collect(Collectors.toSet());
        }
    }

    private static Set<Long> redisProcesses() {
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().command().map(c -> c.endsWith("redis-server")).orElse(false))
                .map(ProcessHandle::pid)
                .collect(Collectors.toSet());
    }
}
