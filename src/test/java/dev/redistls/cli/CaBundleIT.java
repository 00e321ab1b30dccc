package dev.redistls.cli;

import dev.redistls.testing.Cli;
import dev.redistls.testing.Processes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The multi-region flow: one region exports its root as an encrypted bundle, another imports it into an empty
 * CA home, and both regions' nodes then trust the same root.
 */
class CaBundleIT {
    @TempDir
    Path work;

    @Test
    void aRootExportedInOneRegionSignsTheNodesOfAnother() throws IOException {
        Path homeA = work.resolve("region-a/ca");
        Path homeB = work.resolve("region-b/ca");
        Path bundle = work.resolve("root.p12");
        Path password = passwordFile("correct horse battery staple");

        assertOk(Cli.run("certs", "--keys-dir", work.resolve("region-a/keys").toString(), "--ca-home", homeA.toString(),
                "--hostname", "node-a.test"));
        Cli.Result export = Cli.run("ca", "export", "--ca-home", homeA.toString(), "--out", bundle.toString(),
                "--password-file", password.toString());
        assertOk(export);
        assertThat(KeysDirIT.mode(bundle)).isEqualTo("rw-------");

        Cli.Result imported = Cli.run("ca", "import", bundle.toString(), "--ca-home", homeB.toString(),
                "--password-file", password.toString());
        assertOk(imported);
        assertThat(KeysDirIT.mode(homeB)).isEqualTo("rwx------");
        assertThat(KeysDirIT.mode(homeB.resolve("root.key"))).isEqualTo("rw-------");

        Cli.Result nodeB = Cli.run("certs", "--keys-dir", work.resolve("region-b/keys").toString(), "--ca-home", homeB.toString(),
                "--hostname", "node-b.test");
        assertOk(nodeB);
        assertThat(nodeB.out()).startsWith("Reused root CA from " + homeB);

        Path rootA = work.resolve("region-a/keys/server/root.crt");
        Path rootB = work.resolve("region-b/keys/server/root.crt");
        assertThat(Files.readAllBytes(rootB)).isEqualTo(Files.readAllBytes(rootA));
        for (String node : List.of("region-a", "region-b")) {
            for (Path root : List.of(rootA, rootB)) {
                Processes.Output verify = KeysDirIT.openssl("verify", "-CAfile", root.toString(),
                        work.resolve(node + "/keys/server/server.crt").toString(),
                        work.resolve(node + "/keys/client/client.crt").toString());
                assertThat(verify.exitCode()).as(verify.out()).isZero();
            }
        }
    }

    @Test
    void opensslThreeReadsTheBundleWithoutLegacyAlgorithms() throws IOException {
        Path home = work.resolve("ca");
        Path bundle = work.resolve("root.p12");
        Path password = passwordFile("s3cret-for-openssl");
        assertOk(Cli.run("ca", "init", "--ca-home", home.toString(), "--group", "bundle-test"));
        assertOk(Cli.run("ca", "export", "--ca-home", home.toString(), "--out", bundle.toString(),
                "--password-file", password.toString()));

        Processes.Output info = KeysDirIT.openssl("pkcs12", "-info", "-in", bundle.toString(),
                "-passin", "file:" + password, "-noout");
        assertThat(info.exitCode()).as(info.out()).isZero();
        assertThat(info.out()).contains("PBES2", "AES-256-CBC").doesNotContain("RC2", "3DES", "pbeWithSHA1");

        // The key and certificate inside are the CA home's own.
        Processes.Output cert = KeysDirIT.openssl("pkcs12", "-in", bundle.toString(), "-passin", "file:" + password,
                "-nokeys", "-clcerts");
        Processes.Output fromHome = KeysDirIT.openssl("x509", "-in", home.resolve("root.crt").toString());
        assertThat(cert.out()).contains(fromHome.out().trim());
    }

    private Path passwordFile(String password) throws IOException {
        Path p = work.resolve("password-" + password.hashCode());
        Files.writeString(p, password + "\n");
        return p;
    }

    static void assertOk(Cli.Result r) {
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.err()).isEmpty();
    }
}
