package dev.redistls.hardening;

import dev.redistls.testing.Cli;
import dev.redistls.testing.DebianNode;
import dev.redistls.testing.Processes;
import dev.redistls.testing.RedisServer;
import dev.redistls.testing.Tool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Paths an operator or an attacker can give: links (the operator's are followed and kept, others' refused),
 * directories others can write, files that are not files, names that are not ASCII, a loose umask.
 */
class PathsIT {
    @TempDir Path tmp;
    DebianNode node;

    @AfterEach
    void stop() {
        if (node != null) {
            node.close();
        }
    }

    private DebianNode start(String password, String extra) {
        node = DebianNode.prepare(password, extra).start();
        return node;
    }

    private static String tlsPort() {
        return String.valueOf(RedisServer.freePort());
    }

    @Test
    void nonAsciiPasswordAndKeysDirRoundTripByteForByte() throws Exception {
        // Valid for Redis: a quoted password with UTF-8, a space and an escaped quote.
        DebianNode n = start("placeholder", "");
        String conf = Files.readString(n.conf(), StandardCharsets.ISO_8859_1);
        byte[] passwordLine = "requirepass \"p\u00e4ss w\\\"ord\"".getBytes(StandardCharsets.UTF_8);
        conf = conf.replace("requirepass placeholder", new String(passwordLine, StandardCharsets.ISO_8859_1));
        Files.write(n.conf(), conf.getBytes(StandardCharsets.ISO_8859_1));
        n.stop();
        n.start();
        Path keys = n.etc().resolve("tls-\u65e5\u672c");
        Cli.Result r = Cli.run("install", "--conf", n.conf().toString(), "--keys-dir", keys.toString(), "--ca-home",
                n.caHome().toString(), "--firewall", "none", "--tls-port", tlsPort());
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).contains("[ok] served certificate is the file's").doesNotContain("p\u00e4ss");
        // The config names the keys dir in UTF-8, so that Redis finds it when it starts again.
        byte[] bytes = Files.readAllBytes(n.conf());
        assertThat(new String(bytes, StandardCharsets.UTF_8)).contains("tls-cert-file " + keys.resolve("server/server.crt"));
        n.stop();
        n.start();
        Cli.Result status = Cli.run("status", "--conf", n.conf().toString(), "--keys-dir", keys.toString());
        assertThat(status.out()).as(status.toString()).contains("serving the keys dir's certificate");
        Cli.Result uninstall = Cli.run("uninstall", "--conf", n.conf().toString(), "--keys-dir", keys.toString(), "--firewall", "none");
        assertThat(uninstall.exitCode()).as(uninstall.toString()).isZero();
        assertThat(Files.readString(n.conf(), StandardCharsets.ISO_8859_1)).isEqualTo(conf);
    }

    @Test
    void theLauncherRunsInUtf8EvenFromTheCLocale() throws Exception {
        // cron and systemd start commands in the C locale: a non-ASCII path must still arrive whole.
        Path keys = tmp.resolve("k\u00e9ys");
        Processes.Output r = Processes.run(null, Map.of("LC_ALL", "C", "LANG", "C"), List.of(
                Path.of("bin/redis-tls").toAbsolutePath().toString(), "certs", "--keys-dir", keys.toString(),
                "--ca-home", tmp.resolve("ca").toString(), "--hostname", "utf8.test"));
        assertThat(r.exitCode()).as(r.out()).isZero();
        assertThat(Files.isRegularFile(keys.resolve("server/server.key"))).isTrue();
    }

    @Test
    void aSymlinkedConfigIsEditedThroughTheLinkAndTheLinkStays() throws Exception {
        DebianNode n = start("link-s3cret", "");
        Path real = n.root().resolve("srv/redis.conf");
        Files.createDirectories(real.getParent());
        Files.move(n.conf(), real);
        Files.createSymbolicLink(n.conf(), real);
        byte[] original = Files.readAllBytes(real);
        Cli.Result r = Cli.run(n.args("install", "--tls-port", tlsPort()));
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(Files.isSymbolicLink(n.conf())).as("still a link").isTrue();
        assertThat(Files.readString(real)).contains("tls-port ");
        Cli.Result u = Cli.run(n.args("uninstall"));
        assertThat(u.exitCode()).as(u.toString()).isZero();
        assertThat(Files.isSymbolicLink(n.conf())).isTrue();
        assertThat(Files.readAllBytes(real)).isEqualTo(original);
    }

    @Test
    void aConfigLinkTheRedisUserPlantedIsRefused() throws Exception {
        DebianNode n = start("planted-s3cret", "");
        Path victim = n.root().resolve("root-only.conf");
        Files.writeString(victim, "port 1\n");
        Files.setPosixFilePermissions(victim, PosixFilePermissions.fromString("rw-------"));
        Path planted = n.etc().resolve("planted.conf");
        DebianNode.asRedis("ln -s " + victim + " " + planted);
        Cli.Result r = Cli.run("install", "--conf", planted.toString(), "--keys-dir", n.keys().toString(),
                "--ca-home", n.caHome().toString(), "--firewall", "none");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).startsWith("error: cannot read config file " + planted + ": a symbolic link owned by uid "
                + Processes.run(null, List.of("id", "-u", "redis")).out().strip() + " (only links made by root or by this user are followed)");
        assertThat(Files.readString(victim)).isEqualTo("port 1\n");
    }

    @Test
    void aSymlinkedKeysDirIsFilledThroughTheLinkAndUninstallKeepsTheLink() throws Exception {
        DebianNode n = start("keyslink-s3cret", "");
        Path target = n.root().resolve("srv/tls");
        Files.createDirectories(target);
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-x---"));
        Files.createSymbolicLink(n.keys(), target);
        Cli.Result r = Cli.run(n.args("install", "--tls-port", tlsPort()));
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(Files.isRegularFile(target.resolve("server/server.key"))).isTrue();
        Cli.Result u = Cli.run(n.args("uninstall"));
        assertThat(u.exitCode()).as(u.toString()).isZero();
        assertThat(Files.isSymbolicLink(n.keys())).isTrue();
        try (var left = Files.list(target)) {
            assertThat(left.toList()).as("nothing of ours left in the link's target").isEmpty();
        }
    }

    @Test
    void aKeysDirThatIsALinkToAFileIsNamedClearly() throws Exception {
        Path file = Files.writeString(tmp.resolve("a-file"), "x\n");
        Path keys = tmp.resolve("keys");
        Files.createSymbolicLink(keys, file);
        Cli.Result r = Cli.run("certs", "--keys-dir", keys.toString(), "--ca-home", tmp.resolve("ca").toString(), "--hostname", "f.test");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).startsWith("error: cannot create directory " + keys + ": it is a symbolic link to a missing or non-directory target");
        assertThat(r.err().lines().count()).isEqualTo(1);
    }

    @Test
    void aKeysDirOthersCanWriteIsRefusedWithTheFix() throws Exception {
        DebianNode n = start("loose-s3cret", "");
        Files.createDirectories(n.keys());
        Processes.run(null, List.of("chown", "redis:redis", n.keys().toString()));
        Files.setPosixFilePermissions(n.keys(), PosixFilePermissions.fromString("rwxrwxrwx"));
        byte[] before = Files.readAllBytes(n.conf());
        Cli.Result r = Cli.run(n.args("install", "--tls-port", tlsPort()));
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).startsWith("error: keys dir " + n.keys() + " can be written by others (mode 0777")
                .contains("chown root:", "chmod 750 " + n.keys());
        assertThat(Files.readAllBytes(n.conf())).isEqualTo(before);
        try (var left = Files.list(n.keys())) {
            assertThat(left.toList()).isEmpty();
        }
    }

    @Test
    void anInstallRecordOthersCouldWriteIsNotTrusted() throws Exception {
        DebianNode n = start("record-s3cret", "");
        assertThat(Cli.run(n.args("install", "--tls-port", tlsPort())).exitCode()).isZero();
        Path record = n.keys().resolve("install.json");
        Files.setPosixFilePermissions(record, PosixFilePermissions.fromString("rw-rw-rw-"));
        Cli.Result r = Cli.run(n.args("uninstall"));
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).startsWith("error: install record " + record + " is not trustworthy (mode 0666");
        Files.setPosixFilePermissions(record, PosixFilePermissions.fromString("rw-------"));
        assertThat(Cli.run(n.args("uninstall")).exitCode()).isZero();
    }

    @Test
    void caHomeOpenToOthersIsTightenedAndAReadableRootKeyRefused() throws Exception {
        Path ca = tmp.resolve("ca");
        assertThat(Cli.run("ca", "init", "--ca-home", ca.toString()).exitCode()).isZero();
        Files.setPosixFilePermissions(ca, PosixFilePermissions.fromString("rwxr-xr-x"));
        Cli.Result ok = Cli.run("certs", "--keys-dir", tmp.resolve("k1").toString(), "--ca-home", ca.toString(), "--hostname", "a.test");
        assertThat(ok.exitCode()).as(ok.toString()).isZero();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(ca))).isEqualTo("rwx------");

        Files.setPosixFilePermissions(ca.resolve("root.key"), PosixFilePermissions.fromString("rw-r--r--"));
        Cli.Result refused = Cli.run("certs", "--keys-dir", tmp.resolve("k2").toString(), "--ca-home", ca.toString(), "--hostname", "b.test");
        assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(2);
        assertThat(refused.err()).startsWith("error: root key " + ca.resolve("root.key") + " can be read by others (mode 0644")
                .contains("chmod 600 " + ca.resolve("root.key"));
        assertThat(Files.exists(tmp.resolve("k2"))).isFalse();
    }

    @Test
    void caHomeReachedThroughALinkIntoTheKeysDirIsRefused() throws Exception {
        Path keys = tmp.resolve("keys");
        Files.createDirectories(keys);
        Path caLink = tmp.resolve("ca-link");
        Files.createSymbolicLink(caLink, keys.resolve("ca"));
        Cli.Result r = Cli.run("certs", "--keys-dir", keys.toString(), "--ca-home", caLink.toString(), "--hostname", "o.test");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("overlap");
        assertThat(Files.exists(keys.resolve("ca"))).isFalse();
    }

    @Test
    void includesThatAreNotFilesAreRefusedAtOnce() throws Exception {
        Path fifo = tmp.resolve("fifo.conf");
        Processes.run(null, List.of("mkfifo", fifo.toString()));
        for (String include : List.of("/dev/zero", fifo.toString())) {
            Path conf = tmp.resolve("inc-" + include.hashCode() + ".conf");
            Files.writeString(conf, "port 7777\ninclude " + include + "\n");
            Process p = Tool.start(Map.of(), List.of(), "status", "--conf", conf.toString(), "--keys-dir", tmp.resolve("k").toString());
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("no hang on include " + include).isTrue();
            Cli.Result r = Tool.finish(p);
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
            assertThat(r.err()).startsWith("error: config path " + include).contains("is not a regular file");
            assertThat(r.err().lines().count()).isEqualTo(1);
        }
    }

    @Test
    void aLooseUmaskNeverWidensWhatIsCreated() throws Exception {
        Path deep = tmp.resolve("a/b/keys");
        Path ca = tmp.resolve("c/d/ca");
        Processes.Output r = Processes.run(null, List.of("sh", "-c", "umask 000; exec \"$0\" certs --keys-dir \"$1\" --ca-home \"$2\" --hostname umask.test",
                Path.of("bin/redis-tls").toAbsolutePath().toString(), deep.toString(), ca.toString()));
        assertThat(r.exitCode()).as(r.out()).isZero();
        for (Path p : List.of(tmp.resolve("a"), tmp.resolve("a/b"), tmp.resolve("c"), tmp.resolve("c/d"))) {
            assertThat(mode(p)).as(p.toString()).isEqualTo("rwxr-xr-x");
        }
        assertThat(mode(deep)).isEqualTo("rwxr-x---");
        assertThat(mode(ca)).isEqualTo("rwx------");
        assertThat(mode(ca.resolve("root.key"))).isEqualTo("rw-------");
        assertThat(mode(deep.resolve("server/server.key"))).isEqualTo("rw-------");
        assertThat(mode(deep.resolve("server/server.crt"))).isEqualTo("rw-r--r--");
    }

    private static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
    }
}
