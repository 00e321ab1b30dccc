package dev.redistls.ssh;

import dev.redistls.host.Dir;
import dev.redistls.host.FileStat;
import dev.redistls.host.Host;
import dev.redistls.testing.SimulatedHost;
import dev.redistls.testing.SimulatedHosts;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A host's files over SFTP against a real OpenSSH server, as root (the sftp subsystem) and as a sudo user
 * ({@code sudo -n sftp-server}): every answer is checked with {@code stat} and {@code cat} run inside the host.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SshFilesIT {
    private SimulatedHosts hosts;
    private SimulatedHost node;
    private SshHost asRoot;
    private SshHost asSudo;
    private int redisUid;
    private int redisGid;

    @BeforeAll
    void start() throws IOException {
        hosts = SimulatedHosts.create();
        node = hosts.start(SimulatedHost.Options.named("files1").withoutRedis());
        // sftp-server with umask 000: a file made 0666 by default would show it. Nothing may rely on the umask.
        String cfg = Files.readString(node.sshdConfig()).replace("Subsystem sftp /usr/lib/openssh/sftp-server",
                "Subsystem sftp /usr/lib/openssh/sftp-server -u 000");
        Files.writeString(node.sshdConfig(), cfg);
        node.stopSshd();
        node.startSshd();
        asRoot = SshHost.connect(SshTarget.parse(node.alias()), hosts.sshConfig(), false);
        Path sudoConfig = hosts.writeSshConfig(hosts.dir().resolve("client/ssh_config_sudo"), hosts.sudoUser(),
                hosts.identity(), hosts.knownHosts());
        asSudo = SshHost.connect(SshTarget.parse(node.alias()), sudoConfig, true);
        String[] ids = node.must("sh", "-c", "id -u redis; id -g redis").trim().split("\\s+");
        redisUid = Integer.parseInt(ids[0]);
        redisGid = Integer.parseInt(ids[1]);
    }

    @AfterAll
    void stop() {
        if (asRoot != null) {
            asRoot.close();
        }
        if (asSudo != null) {
            asSudo.close();
        }
        if (hosts != null) {
            hosts.close();
        }
    }

    private SshHost host(String who) {
        return who.equals("root") ? asRoot : asSudo;
    }

    /** A fresh directory of the host's tree, made over SFTP (0755 so that redis can look). */
    private Dir workDir(Host host, String name) throws IOException {
        try (Dir parent = host.files().openDir(node.root())) {
            parent.mkdir(name, 0755);
            return parent.openDir(name);
        }
    }

    private String stat(Path p) {
        return node.must("stat", "-c", "%a %u %g %F", p.toString()).trim();
    }

    @ParameterizedTest
    @ValueSource(strings = {"root", "sudo"})
    void createWritesContentModeAndNumericOwnerAndRefusesAnExistingName(String who) throws IOException {
        try (Dir d = workDir(host(who), "create-" + who)) {
            byte[] key = "-----BEGIN PRIVATE KEY-----\nnot really\n".getBytes(StandardCharsets.UTF_8);
            d.create("server.key", key, 0600, redisUid, redisGid);
            Path file = node.root().resolve("create-" + who + "/server.key");
            assertThat(stat(file)).isEqualTo("600 " + redisUid + " " + redisGid + " regular file");
            assertThat(Files.readAllBytes(file)).isEqualTo(key);
            assertThat(d.read("server.key", 1024)).isEqualTo(key);
            FileStat st = d.stat("server.key").orElseThrow();
            assertThat(st.kind()).isEqualTo(FileStat.Kind.FILE);
            assertThat(st.uid()).isEqualTo(redisUid);
            assertThat(st.permissions()).isEqualTo(0600);
            assertThatThrownBy(() -> d.create("server.key", new byte[1], 0600, -1, -1)).isInstanceOf(FileAlreadyExistsException.class);
            assertThat(Files.readAllBytes(file)).isEqualTo(key);

            d.create("root.crt", "cert".getBytes(StandardCharsets.UTF_8), 0644, -1, -1);
            assertThat(stat(node.root().resolve("create-" + who + "/root.crt"))).isEqualTo("644 0 0 regular file");
        }
    }

    /**
     * While a large file is written, a watcher inside the host looks at it as fast as it can: every mode it sees
     * before the last byte is 0600 (the final 0644 comes only after), whatever the sftp-server's umask (000 here).
     */
    @Test
    void aNewFileIsReadableByItsCreatorAloneUntilItsContentIsComplete() throws Exception {
        try (Dir d = workDir(asRoot, "watched")) {
            Path file = node.root().resolve("watched/big.key");
            Path seen = hosts.dir().resolve("watched-modes.txt");
            Process watcher = node.start(seen, "sh", "-c", "while :; do stat -c '%a %s' '" + file + "' 2>/dev/null; done");
            try {
                byte[] content = new byte[8 * 1024 * 1024];
                Arrays.fill(content, (byte) 'k');
                Thread.sleep(200);
                d.create("big.key", content, 0644, -1, -1);
                Thread.sleep(200);
            } finally {
                watcher.destroyForcibly();
                watcher.waitFor(10, TimeUnit.SECONDS);
            }
            List<String> lines = Files.readAllLines(seen).stream().filter(l -> l.matches("\\d+ \\d+")).toList();
            List<String> partial = lines.stream().filter(l -> !l.endsWith(" " + 8 * 1024 * 1024)).toList();
            assertThat(partial).as("modes seen while the content was incomplete").isNotEmpty().allMatch(l -> l.startsWith("600 "));
            assertThat(lines.get(lines.size() - 1)).isEqualTo("644 " + 8 * 1024 * 1024);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"root", "sudo"})
    void nothingFollowsAPlantedLink(String who) throws IOException {
        Path dir = node.root().resolve("links-" + who);
        try (Dir d = workDir(host(who), "links-" + who)) {
            Path target = dir.resolve("target");
            Files.writeString(target, "secret");
            Files.setAttribute(target, "unix:mode", 0640);
            Files.createDirectory(dir.resolve("realdir"));
            Files.createSymbolicLink(dir.resolve("link"), target);
            Files.createSymbolicLink(dir.resolve("dirlink"), dir.resolve("realdir"));
            Files.createSymbolicLink(dir.resolve("dangling"), dir.resolve("nothing-here"));

            assertThatThrownBy(() -> d.create("link", new byte[]{1}, 0600, -1, -1)).isInstanceOf(FileAlreadyExistsException.class);
            assertThatThrownBy(() -> d.create("dangling", new byte[]{1}, 0600, -1, -1)).isInstanceOf(FileAlreadyExistsException.class);
            assertThat(Files.exists(dir.resolve("nothing-here"))).isFalse();
            assertThatThrownBy(() -> d.read("link", 100)).hasMessageContaining("not a regular file");
            assertThatThrownBy(() -> d.setMode("link", 0666)).hasMessageContaining("symbolic link");
            assertThatThrownBy(() -> d.setOwner("link", redisUid, redisGid)).hasMessageContaining("symbolic link");
            assertThatThrownBy(() -> d.openDir("dirlink")).isInstanceOf(IOException.class);
            assertThat(stat(target)).isEqualTo("640 0 0 regular file");
            assertThat(Files.readString(target)).isEqualTo("secret");
            assertThat(d.stat("link").orElseThrow().kind()).isEqualTo(FileStat.Kind.SYMLINK);
            assertThat(d.readLink("link")).isEqualTo(target.toString());

            d.delete("link");
            assertThat(Files.exists(dir.resolve("link"), java.nio.file.LinkOption.NOFOLLOW_LINKS)).isFalse();
            assertThat(Files.readString(target)).isEqualTo("secret");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"root", "sudo"})
    void readRefusesFifosAndFilesOverTheLimitWithoutBlocking(String who) throws Exception {
        Path dir = node.root().resolve("read-" + who);
        try (Dir d = workDir(host(who), "read-" + who)) {
            node.must("mkfifo", dir.resolve("fifo").toString());
            Files.writeString(dir.resolve("big"), "x".repeat(2000));
            CompletableFuture<Throwable> fifo = CompletableFuture.supplyAsync(() -> {
                try {
                    d.read("fifo", 100);
                    return null;
                } catch (IOException e) {
                    return e;
                }
            });
            assertThat(fifo.get(10, TimeUnit.SECONDS)).hasMessageContaining("not a regular file");
            assertThatThrownBy(() -> d.read("big", 1999)).hasMessageContaining("larger than 1999 bytes");
            assertThat(d.read("big", 2000)).hasSize(2000);
            assertThat(d.stat("fifo").orElseThrow().kind()).isEqualTo(FileStat.Kind.OTHER);
            assertThat(d.stat("missing")).isEmpty();
        }
    }

    /** posix-rename replaces the target in one step: a reader on the host never finds the name missing. */
    @ParameterizedTest
    @ValueSource(strings = {"root", "sudo"})
    void renameReplacesAtomically(String who) throws Exception {
        Path dir = node.root().resolve("rename-" + who);
        try (Dir d = workDir(host(who), "rename-" + who)) {
            d.create("redis.conf", "v0\n".getBytes(StandardCharsets.UTF_8), 0640, -1, -1);
            Path seen = hosts.dir().resolve("rename-" + who + ".txt");
            Process reader = node.start(seen, "sh", "-c", "while :; do cat '" + dir.resolve("redis.conf") + "' >/dev/null 2>&1 || echo MISSING; done");
            try {
                for (int i = 1; i <= 40; i++) {
                    d.create(".redis.conf.new", ("v" + i + "\n").getBytes(StandardCharsets.UTF_8), 0640, -1, -1);
                    d.rename(".redis.conf.new", d, "redis.conf");
                }
            } finally {
                reader.destroyForcibly();
                reader.waitFor(10, TimeUnit.SECONDS);
            }
            assertThat(Files.readString(seen)).doesNotContain("MISSING");
            assertThat(Files.readString(dir.resolve("redis.conf"))).isEqualTo("v40\n");
            assertThat(d.list()).containsExactly("redis.conf");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"root", "sudo"})
    void directoriesGetTheirExactModeAndOwner(String who) throws IOException {
        Path dir = node.root().resolve("dirs-" + who);
        try (Dir d = workDir(host(who), "dirs-" + who)) {
            d.mkdir("tls", 0750);
            assertThat(stat(dir.resolve("tls"))).isEqualTo("750 0 0 directory");
            assertThatThrownBy(() -> d.mkdir("tls", 0700)).isInstanceOf(FileAlreadyExistsException.class);
            try (Dir tls = d.openDir("tls")) {
                tls.setSelfOwner(redisUid, redisGid);
                tls.setSelfMode(0700);
                assertThat(tls.self().permissions()).isEqualTo(0700);
                assertThat(tls.self().uid()).isEqualTo(redisUid);
                tls.create("f", new byte[0], 0600, -1, -1);
                tls.setOwner("f", redisUid, redisGid);
                tls.setMode("f", 0400);
                assertThat(stat(dir.resolve("tls/f"))).isEqualTo("400 " + redisUid + " " + redisGid + " regular empty file");
                tls.delete("f");
                tls.delete("f"); // missing is not an error
            }
            assertThat(stat(dir.resolve("tls"))).isEqualTo("700 " + redisUid + " " + redisGid + " directory");
            d.rmdir("tls");
            d.rmdir("tls");
            assertThat(d.list()).isEmpty();
        }
    }

    @Test
    void timingsNameEachStep() throws IOException {
        asRoot.run(List.of("true"), null, Duration.ofSeconds(10));
        assertThat(asRoot.timings()).anyMatch(t -> t.startsWith("connect "))
                .anyMatch(t -> t.startsWith("key exchange and auth ")).anyMatch(t -> t.startsWith("exec true "));
    }
}
