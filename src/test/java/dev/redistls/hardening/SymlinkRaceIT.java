package dev.redistls.hardening;

import dev.redistls.testing.Cli;
import dev.redistls.testing.DebianNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The attack that made the Redis user root: while root runs install, reissue (cron's renew) and uninstall, a process
 * of the Redis user watches every directory it can write (Debian's {@code /etc/redis} is {@code redis:redis 2770})
 * and swaps each entry the tool creates for a link to a root-only file. The root-only file must stay exactly as it
 * was — bytes, mode, owner — whatever the tool then does.
 */
class SymlinkRaceIT {
    static final String PASSWORD = "race-s3cret";
    static final int ROUNDS = 4;

    DebianNode node;
    Path victim;
    Path stop;
    Process racer;
    List<String> racerCommand;

    @BeforeEach
    void start() throws Exception {
        node = DebianNode.prepare(PASSWORD, "").start();
        victim = node.root().resolve("victim-root-only");
        Files.writeString(victim, "root's secret\n");
        Files.setPosixFilePermissions(victim, PosixFilePermissions.fromString("rw-------"));
        stop = node.root().resolve("stop-racer");
        List<String> dirs = List.of(node.etc().toString(), node.keys().toString(),
                node.keys().resolve("server").toString(), node.keys().resolve("client").toString());
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--reuid=redis", "--regid=redis", "--init-groups",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "dev.redistls.testing.Racer", victim.toString(), stop.toString()));
        cmd.addAll(dirs);
        racerCommand = cmd;
        // The keys dir is made by the first install: the racer is started again once it exists, to watch inside it too.
        racer = launch(cmd);
    }

    private Process launch(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        assertThat(out.readLine()).isEqualTo("watching");
        return p;
    }

    @AfterEach
    void stop() throws Exception {
        if (racer != null && racer.isAlive()) {
            Files.writeString(stop, "");
            racer.waitFor(5, TimeUnit.SECONDS);
            racer.destroyForcibly();
        }
        node.close();
    }

    @Test
    void aRacingRedisUserCannotMakeRootTouchAnotherFile() throws Exception {
        PosixFileAttributes before = attrs(victim);
        byte[] bytes = Files.readAllBytes(victim);
        List<Cli.Result> results = new ArrayList<>();
        results.add(Cli.run(node.args("install", "--tls-port", String.valueOf(dev.redistls.testing.RedisServer.freePort()))));
        // Now that the keys dir exists, race in it too (it must be closed to the Redis user anyway).
        Files.writeString(stop, "");
        racer.waitFor(5, TimeUnit.SECONDS);
        Files.delete(stop);
        racer = launch(racerCommand);
        for (int i = 0; i < ROUNDS; i++) {
            results.add(Cli.run(node.args("reissue")));
            results.add(Cli.run(node.args("renew", "--within", "10000")));
        }
        results.add(Cli.run(node.args("configure", "--auth-clients", "yes")));
        results.add(Cli.run(node.args("uninstall")));

        assertThat(Files.readAllBytes(victim)).as("victim bytes").isEqualTo(bytes);
        PosixFileAttributes after = attrs(victim);
        assertThat(after.owner()).as("victim owner").isEqualTo(before.owner());
        assertThat(after.group()).as("victim group").isEqualTo(before.group());
        assertThat(after.permissions()).as("victim mode").isEqualTo(before.permissions());
        for (Cli.Result r : results) {
            // Refusing is fine (the attacker may deny service); doing anything else to another file is not.
            assertThat(r.exitCode()).as(r.toString()).isIn(0, 1, 2);
            assertThat(r.err().lines().filter(l -> !l.startsWith("error: ") && !l.startsWith("note: ")).toList())
                    .as(r.toString()).isEmpty();
        }
    }

    private static PosixFileAttributes attrs(Path p) throws Exception {
        return Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    }
}
