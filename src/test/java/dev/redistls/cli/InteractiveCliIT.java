package dev.redistls.cli;

import dev.redistls.pki.KeysDir;
import dev.redistls.testing.Cli;
import dev.redistls.testing.Processes;
import dev.redistls.testing.RedisServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The interactive prompt of {@code bin/redis-tls cli}, used the way a person does: typed into a real terminal
 * (tmux), against a real redis-server in mutual-TLS mode, read off the screen.
 */
class InteractiveCliIT {
    static final String PASSWORD = "s3cret-interactive";

    @TempDir Path tmp;
    RedisServer redis;
    int tlsPort;
    String session;

    @BeforeEach
    void start() {
        KeysDir keys = KeysDir.local(tmp.resolve("tls"));
        assertThat(Cli.run("certs", "--keys-dir", keys.dir().toString(), "--ca-home", tmp.resolve("ca").toString(),
                "--hostname", "localhost").exitCode()).isZero();
        tlsPort = RedisServer.freePort();
        redis = RedisServer.start(RedisServer.mutualTls(keys, tlsPort) + "requirepass " + PASSWORD + "\n");
        RedisServer.awaitListening(tlsPort);
        session = "redis-tls-it-" + tlsPort;
    }

    @AfterEach
    void stop() {
        Processes.run(null, List.of("tmux", "-L", session, "kill-server"));
        redis.close();
    }

    @Test
    void promptRunsCommandsCompletesNamesAndKeepsHistoryPrivate() throws Exception {
        Path home = Files.createDirectory(tmp.resolve("home"));
        Path launcher = Path.of("bin/redis-tls").toAbsolutePath();
        String command = launcher + " cli --keys-dir " + tmp.resolve("tls") + " -h 127.0.0.1 -p " + tlsPort;
        // A tmux server of this test's own (-L) starts with this environment: the password never sits in an argv.
        assertThat(Processes.run(null, java.util.Map.of("HOME", home.toString(), "REDISCLI_AUTH", PASSWORD),
                List.of("tmux", "-L", session, "new-session", "-d", "-s", session, "-x", "160", "-y", "40", command))
                .exitCode()).isZero();
        String prompt = "127.0.0.1:" + tlsPort + ">";
        awaitScreen(prompt);

        type("SET greeting \"hello there\"", "Enter");
        awaitScreen("OK");
        type("GET greeting", "Enter");
        awaitScreen("\"hello there\"");
        type("INCR visits", "Enter");
        awaitScreen("(integer) 1");
        type("LRANGE nothing 0 -1", "Enter");
        awaitScreen("(empty array)");
        type("pin", "Tab");
        awaitScreen(prompt + " PING");
        type("", "Enter");
        awaitScreen("PONG");
        type("NOSUCHCOMMAND", "Enter");
        awaitScreen("(error) ERR unknown command");
        type("quit", "Enter");

        Path history = home.resolve(".redis-tls_history");
        long deadline = System.currentTimeMillis() + 10_000;
        while (!Files.exists(history) && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
        assertThat(Files.readString(history)).contains("SET greeting \"hello there\"", "GET greeting", "PING")
                .doesNotContain(PASSWORD);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(history))).isEqualTo("rw-------");
    }

    private void type(String text, String key) {
        if (!text.isEmpty()) {
            Processes.run(null, List.of("tmux", "-L", session, "send-keys", "-t", session, "-l", text));
        }
        Processes.run(null, List.of("tmux", "-L", session, "send-keys", "-t", session, key));
    }

    private void awaitScreen(String expected) throws InterruptedException {
        String screen = "";
        long deadline = System.currentTimeMillis() + 20_000;
        while (System.currentTimeMillis() < deadline) {
            screen = Processes.run(null, List.of("tmux", "-L", session, "capture-pane", "-p", "-t", session)).out();
            if (screen.contains(expected)) {
                return;
            }
            Thread.sleep(100);
        }
        assertThat(screen).as("terminal screen").contains(expected);
    }
}
