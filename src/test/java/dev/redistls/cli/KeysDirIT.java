package dev.redistls.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.redistls.pki.KeysDir;
import dev.redistls.testing.Cli;
import dev.redistls.testing.Processes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The files {@code certs} leaves behind: modes, owner, idempotence, and what {@code --json} says about them. */
class KeysDirIT {
    @TempDir
    Path work;

    @Test
    void jsonDescribesEveryCertificateAsOpensslSeesIt() throws Exception {
        Path keysDir = work.resolve("keys");
        Cli.Result r = certs(keysDir, work.resolve("ca"), "--hostname", "json-node.test", "--san", "10.1.2.3", "--json");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertThat(json.get("keysDir").asText()).isEqualTo(keysDir.toString());
        KeysDir k = KeysDir.local(keysDir);
        Map<String, Path> files = Map.of("root", k.serverRoot(), "server", k.serverCert(), "client", k.clientCert());
        for (Map.Entry<String, Path> f : files.entrySet()) {
            JsonNode c = json.get("certificates").get(f.getKey());
            assertThat(c).as(f.getKey()).isNotNull();
            Path pem = f.getValue();
            assertThat(c.get("sha256").asText()).isEqualTo(opensslFingerprint(pem));
            assertThat(new BigInteger(c.get("serial").asText(), 16)).isEqualTo(opensslSerial(pem));
            assertThat(c.get("subject").asText()).contains("O=redis-tls");
            Instant notAfter = Instant.parse(c.get("notAfter").asText());
            long daysLeft = c.get("daysLeft").asLong();
            assertThat(daysLeft).isBetween(java.time.Duration.between(Instant.now(), notAfter).toDays() - 1,
                    java.time.Duration.between(Instant.now(), notAfter).toDays());
            assertThat(c.get("sans").isArray()).isTrue();
        }
        JsonNode server = json.get("certificates").get("server");
        assertThat(server.get("subject").asText()).isEqualTo("CN=json-node.test,O=redis-tls");
        assertThat(server.get("daysLeft").asLong()).isEqualTo(824);
        List<String> sans = new ArrayList<>();
        server.get("sans").forEach(n -> sans.add(n.asText()));
        assertThat(sans).contains("DNS:json-node.test", "DNS:localhost", "IP:127.0.0.1", "IP:10.1.2.3");
        assertThat(json.get("certificates").get("root").get("daysLeft").asLong()).isEqualTo(3649);
    }

    @Test
    void modesKeepKeysPrivateAndTheRootKeyOutOfTheKeysDir() throws IOException {
        Path keysDir = work.resolve("keys");
        Path caHome = work.resolve("ca");
        assertThat(certs(keysDir, caHome, "--hostname", "modes.test").exitCode()).isZero();
        KeysDir k = KeysDir.local(keysDir);
        for (Path d : List.of(keysDir, keysDir.resolve("server"), keysDir.resolve("client"))) {
            assertThat(mode(d)).as(d.toString()).isEqualTo("rwxr-x---");
        }
        assertThat(mode(k.serverKey())).isEqualTo("rw-------");
        assertThat(mode(k.clientKey())).isEqualTo("rw-------");
        assertThat(mode(caHome)).isEqualTo("rwx------");
        assertThat(mode(caHome.resolve("root.key"))).isEqualTo("rw-------");

        String rootKey = Files.readString(caHome.resolve("root.key"));
        try (Stream<Path> all = Files.walk(keysDir)) {
            for (Path p : all.filter(Files::isRegularFile).toList()) {
                assertThat(p.getFileName().toString()).isNotEqualTo("root.key");
                assertThat(Files.readString(p)).as(p.toString()).isNotEqualTo(rootKey);
            }
        }
        try (Stream<Path> files = Files.list(keysDir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("server", "client");
        }
    }

    @Test
    void ownerOptionGivesEveryFileToThatUserAndTheDirectoriesToRootWithItsGroup() throws IOException {
        Path keysDir = work.resolve("keys");
        Cli.Result r = certs(keysDir, work.resolve("ca"), "--hostname", "owned.test", "--owner", "nobody");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).contains("(owner nobody)");
        String nobodyGroup = Processes.run(null, java.util.List.of("id", "-gn", "nobody")).out().trim();
        try (Stream<Path> all = Files.walk(keysDir)) {
            for (Path p : all.toList()) {
                PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                if (a.isDirectory()) {
                    // Only root writes where keys live; the Redis user reads through the group.
                    assertThat(a.owner().getName()).as(p.toString()).isEqualTo("root");
                    assertThat(a.group().getName()).as(p.toString()).isEqualTo(nobodyGroup);
                    assertThat(PosixFilePermissions.toString(a.permissions())).as(p.toString()).isEqualTo("rwxr-x---");
                } else {
                    assertThat(a.owner().getName()).as(p.toString()).isEqualTo("nobody");
                }
            }
        }
        // The root key stays with whoever runs the tool, never with the Redis user.
        assertThat(Files.getOwner(work.resolve("ca/root.key")).getName()).isEqualTo(System.getProperty("user.name"));
    }

    @Test
    void rerunningOnACompleteKeysDirKeepsEveryByteUnlessForced() throws IOException {
        Path keysDir = work.resolve("keys");
        Path caHome = work.resolve("ca");
        assertThat(certs(keysDir, caHome, "--hostname", "again.test").exitCode()).isZero();
        Map<Path, byte[]> first = contents(work);

        Cli.Result again = certs(keysDir, caHome, "--hostname", "again.test");
        assertThat(again.exitCode()).isZero();
        assertThat(again.out()).startsWith("Kept " + keysDir + ": it is complete");
        assertSameContents(contents(work), first);

        Cli.Result forced = certs(keysDir, caHome, "--hostname", "again.test", "--force");
        assertThat(forced.exitCode()).as(forced.toString()).isZero();
        assertThat(forced.out()).startsWith("Reused root CA from " + caHome);
        Map<Path, byte[]> reissued = contents(work);
        KeysDir k = KeysDir.local(keysDir);
        assertThat(reissued.get(k.serverCert())).isNotEqualTo(first.get(k.serverCert()));
        assertThat(reissued.get(k.serverKey())).isNotEqualTo(first.get(k.serverKey()));
        assertThat(reissued.get(k.clientCert())).isNotEqualTo(first.get(k.clientCert()));
        assertThat(reissued.get(k.serverRoot())).isEqualTo(first.get(k.serverRoot()));
        assertThat(reissued.get(caHome.resolve("root.key"))).isEqualTo(first.get(caHome.resolve("root.key")));
    }

    @Test
    void aCaHomeThatHoldsARootIsReusedForTheNextNode() throws IOException {
        Path caHome = work.resolve("ca");
        Cli.Result first = certs(work.resolve("node-1"), caHome, "--hostname", "node-1.test");
        assertThat(first.out()).startsWith("Created root CA in " + caHome);
        Map<Path, byte[]> home = contents(caHome);

        Cli.Result second = certs(work.resolve("node-2"), caHome, "--hostname", "node-2.test");
        assertThat(second.exitCode()).as(second.toString()).isZero();
        assertThat(second.out()).startsWith("Reused root CA from " + caHome);
        assertSameContents(contents(caHome), home);
        assertThat(Files.readAllBytes(work.resolve("node-2/server/root.crt")))
                .isEqualTo(Files.readAllBytes(work.resolve("node-1/server/root.crt")))
                .isEqualTo(home.get(caHome.resolve("root.crt")));
        Processes.Output verify = openssl("verify", "-CAfile", caHome.resolve("root.crt").toString(),
                work.resolve("node-1/server/server.crt").toString(), work.resolve("node-2/server/server.crt").toString());
        assertThat(verify.exitCode()).as(verify.out()).isZero();
    }

    static Cli.Result certs(Path keysDir, Path caHome, String... more) {
        List<String> args = new ArrayList<>(List.of("certs", "--keys-dir", keysDir.toString(), "--ca-home", caHome.toString()));
        args.addAll(Arrays.asList(more));
        return Cli.run(args.toArray(String[]::new));
    }

    static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
    }

    /** Every regular file under {@code dir} with its bytes. */
    static Map<Path, byte[]> contents(Path dir) throws IOException {
        Map<Path, byte[]> m = new TreeMap<>();
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.filter(Files::isRegularFile).toList()) {
                m.put(p, Files.readAllBytes(p));
            }
        }
        return m;
    }

    static void assertSameContents(Map<Path, byte[]> actual, Map<Path, byte[]> expected) {
        assertThat(actual.keySet()).isEqualTo(expected.keySet());
        actual.forEach((p, bytes) -> assertThat(bytes).as(p.toString()).isEqualTo(expected.get(p)));
    }

    static Processes.Output openssl(String... args) {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(Arrays.asList(args));
        return Processes.run(null, cmd);
    }

    static String opensslFingerprint(Path pem) {
        Processes.Output out = openssl("x509", "-in", pem.toString(), "-noout", "-fingerprint", "-sha256");
        assertThat(out.out()).startsWith("sha256 Fingerprint=");
        return out.out().trim().substring("sha256 Fingerprint=".length()).replace(":", "").toLowerCase(java.util.Locale.ROOT);
    }

    static BigInteger opensslSerial(Path pem) {
        Processes.Output out = openssl("x509", "-in", pem.toString(), "-noout", "-serial");
        return new BigInteger(out.out().trim().substring("serial=".length()), 16);
    }
}
