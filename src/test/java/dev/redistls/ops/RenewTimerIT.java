package dev.redistls.ops;

import dev.redistls.testing.Cli;
import dev.redistls.testing.Processes;
import dev.redistls.testing.RedisServer;
import dev.redistls.testing.Tool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code renew --install-timer}: the packaged tool writes a systemd service and timer that {@code systemd-analyze
 * verify} accepts (and the same judge refuses a broken copy, so it can fail); the service's ExecStart, run as
 * systemd would run it, renews the node; {@code --remove-timer} takes both away.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RenewTimerIT {
    Path tmp;
    RedisServer redis;
    Path keys;
    Path ca;

    @BeforeAll
    void start() throws Exception {
        tmp = Files.createTempDirectory("redis-tls-timer-");
        redis = RedisServer.start("");
        keys = tmp.resolve("tls");
        ca = tmp.resolve("ca");
        Cli.Result install = Cli.run("install", "--conf", redis.conf().toString(), "--keys-dir", keys.toString(),
                "--tls-port", "" + RedisServer.freePort(), "--ca-home", ca.toString(), "--firewall", "none");
        assertThat(install.exitCode()).as(install.toString()).isZero();
    }

    @AfterAll
    void stop() {
        redis.close();
        Processes.run(null, List.of("rm", "-rf", tmp.toString()));
    }

    @Test
    void theTimerPassesSystemdAnalyzeVerifyAndItsServiceRenewsTheNode() throws Exception {
        Path units = tmp.resolve("units");
        Cli.Result installed = Tool.run("renew", "--conf", redis.conf().toString(), "--keys-dir", keys.toString(),
                "--ca-home", ca.toString(), "--within", "20", "--install-timer", "--timer-dir", units.toString());
        assertThat(installed.exitCode()).as(installed.toString()).isZero();
        List<Path> written;
        try (var files = Files.list(units)) {
            written = files.sorted().toList();
        }
        assertThat(written).hasSize(2);
        Path service = written.get(0);
        Path timer = written.get(1);
        String name = service.getFileName().toString().replace(".service", "");
        assertThat(name).matches("redis-tls-renew-[0-9a-f]{8}");
        assertThat(timer.getFileName().toString()).isEqualTo(name + ".timer");
        assertThat(installed.out()).isEqualTo("Wrote " + service + " and " + timer
                + " (daily, randomized within an hour, catching up after downtime)\n"
                + "Next: systemctl daemon-reload && systemctl enable --now " + name + ".timer\n");
        assertThat(Files.readString(timer)).contains("[Timer]\nOnCalendar=daily\nRandomizedDelaySec=1h\nPersistent=true\n",
                "[Install]\nWantedBy=timers.target\n");
        String text = Files.readString(service);
        assertThat(text).contains("[Service]\nType=oneshot\nExecStart=");

        Processes.Output verify = Processes.run(null, List.of("systemd-analyze", "verify", service.toString(), timer.toString()));
        assertThat(verify.exitCode()).as(verify.out()).isZero();
        assertThat(verify.out()).isEmpty();

        // The judge can fail: a copy whose ExecStart is no absolute program is refused.
        Path broken = tmp.resolve("broken");
        Files.createDirectories(broken);
        Files.writeString(broken.resolve(name + ".service"), text.replaceFirst("ExecStart=\\S+", "ExecStart=no-such-redis-tls"));
        Files.copy(timer, broken.resolve(name + ".timer"));
        Processes.Output refused = Processes.run(null, List.of("systemd-analyze", "verify",
                broken.resolve(name + ".service").toString(), broken.resolve(name + ".timer").toString()));
        assertThat(refused.exitCode()).as(refused.out()).isNotZero();

        // What systemd would start, started: the renew it names runs against this node (nothing due yet).
        String execStart = text.lines().filter(l -> l.startsWith("ExecStart=")).findFirst().orElseThrow().substring("ExecStart=".length());
        List<String> argv = List.of(execStart.split(" "));
        assertThat(argv).containsSubsequence("renew", "--conf", redis.conf().toString(), "--keys-dir", keys.toString(),
                "--ca-home", ca.toString(), "--within", "20");
        Processes.Output renewed = Processes.run(Path.of("/"), Map.of(), new ArrayList<>(argv), java.time.Duration.ofSeconds(120));
        assertThat(renewed.exitCode()).as(renewed.out()).isZero();
        assertThat(renewed.out()).startsWith("Nothing to renew: the server certificate has 82");

        Cli.Result removed = Cli.run("renew", "--conf", redis.conf().toString(), "--keys-dir", keys.toString(),
                "--remove-timer", "--timer-dir", units.toString());
        assertThat(removed.exitCode()).as(removed.toString()).isZero();
        assertThat(removed.out()).contains("Removed " + service + " and " + timer);
        assertThat(service).doesNotExist();
        assertThat(timer).doesNotExist();
        assertThat(Cli.run("renew", "--conf", redis.conf().toString(), "--keys-dir", keys.toString(),
                "--remove-timer", "--timer-dir", units.toString()).out()).startsWith("No renewal timer " + name);
    }

    @Test
    void timerOptionsThatMakeNoSenseAreRefused() {
        Cli.Result both = Cli.run("renew", "--conf", redis.conf().toString(), "--install-timer", "--remove-timer");
        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(both.err()).isEqualTo("error: --install-timer and --remove-timer exclude each other\n");
        Cli.Result dir = Cli.run("renew", "--conf", redis.conf().toString(), "--timer-dir", tmp.toString());
        assertThat(dir.exitCode()).isEqualTo(2);
    }
}
