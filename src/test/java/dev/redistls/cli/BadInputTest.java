package dev.redistls.cli;

import dev.redistls.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bad input is refused before any work: exit code 2, one line {@code error: ...} on stderr that names what is
 * wrong, and not one file or directory created, changed or removed (keys dir and CA home alike).
 */
class BadInputTest {
    @TempDir
    Path work;

    /** One bad input: {@code setup} builds what the case needs under the work dir and returns the command line. */
    record Case(String name, Function<Path, List<String>> setup, String says) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> badInputs() {
        return Stream.of(
                new Case("root.crt in the CA home is not PEM", w -> {
                    Path home = caInit(w.resolve("ca"));
                    write(home.resolve("root.crt"), "this is not a certificate\n");
                    return certs(w, home);
                }, "root.crt holds no PEM certificate"),
                new Case("root.crt in the CA home is a damaged PEM", w -> {
                    Path home = caInit(w.resolve("ca"));
                    write(home.resolve("root.crt"), "-----BEGIN CERTIFICATE-----\nMIIBdDCCARqgAwIBAgIRAQ==\n-----END CERTIFICATE-----\n");
                    return certs(w, home);
                }, "root.crt is not a valid PEM certificate"),
                new Case("root key does not match the root certificate", w -> {
                    Path home = caInit(w.resolve("ca"));
                    Path other = caInit(w.resolve("other-ca"));
                    copy(other.resolve("root.key"), home.resolve("root.key"));
                    return certs(w, home);
                }, "does not match root certificate"),
                new Case("CA home holds root.crt without root.key", w -> {
                    Path home = caInit(w.resolve("ca"));
                    delete(home.resolve("root.key"));
                    return certs(w, home);
                }, "is incomplete"),
                new Case("unknown key type", w -> certs(w, w.resolve("ca"), "--key-type", "ec-p521"),
                        "unknown key type 'ec-p521'"),
                new Case("--san with a character no DNS name has", w -> certs(w, w.resolve("ca"), "--san", "bad_name!"),
                        "invalid --san 'bad_name!'"),
                new Case("--san with an octet over 255", w -> certs(w, w.resolve("ca"), "--san", "999.1.1.1"),
                        "invalid --san '999.1.1.1'"),
                new Case("--san with three numeric labels", w -> certs(w, w.resolve("ca"), "--san", "1.2.3"),
                        "invalid --san '1.2.3'"),
                new Case("--san empty", w -> certs(w, w.resolve("ca"), "--san", ""), "invalid --san ''"),
                new Case("--hostname with an underscore", w -> List.of("certs", "--keys-dir", w.resolve("keys").toString(),
                        "--ca-home", w.resolve("ca").toString(), "--hostname", "bad_host"),
                        "invalid --hostname 'bad_host'"),
                new Case("--days 0", w -> certs(w, w.resolve("ca"), "--days", "0"), "--days must be between 1 and 3650"),
                new Case("--days negative", w -> certs(w, w.resolve("ca"), "--days", "-7"), "--days must be between 1 and 3650"),
                new Case("--days longer than the root lives", w -> certs(w, w.resolve("ca"), "--days", "99999999"),
                        "--days must be between 1 and 3650"),
                new Case("--owner that is no user", w -> certs(w, w.resolve("ca"), "--owner", "no-such-user-here"),
                        "unknown user for --owner: no-such-user-here"),
                new Case("keys dir under a regular file", w -> {
                    write(w.resolve("file"), "a regular file\n");
                    return List.of("certs", "--keys-dir", w.resolve("file/keys").toString(), "--ca-home", w.resolve("ca").toString(),
                            "--hostname", "node.test");
                }, "cannot create directory"),
                new Case("keys dir under a regular file, CA home already holds a root", w -> {
                    Path home = caInit(w.resolve("ca"));
                    write(w.resolve("file"), "a regular file\n");
                    return List.of("certs", "--keys-dir", w.resolve("file/keys").toString(), "--ca-home", home.toString(),
                            "--hostname", "node.test");
                }, "cannot create directory"),
                new Case("keys dir holds another root than the CA home", w -> {
                    Path keys = w.resolve("keys");
                    ok(Cli.run("certs", "--keys-dir", keys.toString(), "--ca-home", w.resolve("first-ca").toString(), "--hostname", "node.test"));
                    return certs(w, caInit(w.resolve("second-ca")));
                }, "pass --ca-home with that root, or --force"),
                new Case("incomplete keys dir whose root is not in the empty CA home", w -> {
                    Path keys = w.resolve("keys");
                    ok(Cli.run("certs", "--keys-dir", keys.toString(), "--ca-home", w.resolve("first-ca").toString(), "--hostname", "node.test"));
                    delete(keys.resolve("client/client.key"));
                    return certs(w, w.resolve("empty-ca"));
                }, "is empty: pass --ca-home with that root"),
                new Case("CA home inside the keys dir", w -> certs(w, w.resolve("keys/ca")), "overlap"),
                new Case("import with the wrong password", w -> {
                    Path bundle = export(w);
                    write(w.resolve("wrong-password"), "not the password\n");
                    return List.of("ca", "import", bundle.toString(), "--ca-home", w.resolve("region-b-ca").toString(),
                            "--password-file", w.resolve("wrong-password").toString());
                }, "wrong password for CA bundle"),
                new Case("import a file that is no PKCS#12", w -> {
                    write(w.resolve("root.p12"), "-----BEGIN CERTIFICATE-----\n");
                    write(w.resolve("password"), "pw\n");
                    return List.of("ca", "import", w.resolve("root.p12").toString(), "--ca-home", w.resolve("ca").toString(),
                            "--password-file", w.resolve("password").toString());
                }, "is not a CA bundle (PKCS#12)"),
                new Case("import into a CA home that holds another root", w -> {
                    Path bundle = export(w);
                    Path other = caInit(w.resolve("other-ca"));
                    return List.of("ca", "import", bundle.toString(), "--ca-home", other.toString(),
                            "--password-file", w.resolve("password").toString());
                }, "already holds another root"),
                new Case("export from an empty CA home", w -> {
                    write(w.resolve("password"), "pw\n");
                    return List.of("ca", "export", "--ca-home", w.resolve("ca").toString(), "--out", w.resolve("root.p12").toString(),
                            "--password-file", w.resolve("password").toString());
                }, "no root CA in"),
                new Case("export with an empty password file", w -> {
                    Path home = caInit(w.resolve("ca"));
                    write(w.resolve("password"), "");
                    return List.of("ca", "export", "--ca-home", home.toString(), "--out", w.resolve("root.p12").toString(),
                            "--password-file", w.resolve("password").toString());
                }, "is empty"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badInputs")
    void isRefusedWithOneLineAndNothingWritten(Case c) {
        List<String> args = c.setup().apply(work);
        Map<String, String> before = snapshot(work);

        Cli.Result r = Cli.run(args.toArray(String[]::new));

        assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err().lines().toList()).as(r.toString()).hasSize(1);
        assertThat(r.err()).startsWith("error: ").contains(c.says());
        assertThat(snapshot(work)).isEqualTo(before);
    }

    @Test
    void unknownFlagIsBadUsage() {
        Cli.Result r = Cli.run("certs", "--keys-dir", work.resolve("keys").toString(), "--ca-home", work.resolve("ca").toString(),
                "--hostname", "node.test", "--no-such-flag");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("error: Unknown option: '--no-such-flag' (see 'redis-tls certs --help')\n");
        assertThat(snapshot(work)).isEmpty();
    }

    static List<String> certs(Path w, Path caHome, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("certs", "--keys-dir", w.resolve("keys").toString(),
                "--ca-home", caHome.toString(), "--hostname", "node.test"));
        args.addAll(Arrays.asList(more));
        return args;
    }

    static Path caInit(Path home) {
        ok(Cli.run("ca", "init", "--ca-home", home.toString(), "--group", home.getFileName().toString()));
        return home;
    }

    /** Exports a fresh root to {@code root.p12} with the password in {@code password}. */
    static Path export(Path w) {
        Path home = caInit(w.resolve("region-a-ca"));
        write(w.resolve("password"), "the right password\n");
        ok(Cli.run("ca", "export", "--ca-home", home.toString(), "--out", w.resolve("root.p12").toString(),
                "--password-file", w.resolve("password").toString()));
        return w.resolve("root.p12");
    }

    static void ok(Cli.Result r) {
        assertThat(r.exitCode()).as(r.toString()).isZero();
    }

    /** Every path under {@code dir} with its type, mode, owner and (for files) content hash. */
    static Map<String, String> snapshot(Path dir) {
        Map<String, String> m = new TreeMap<>();
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.filter(p -> !p.equals(dir)).toList()) {
                PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                String what = a.isDirectory() ? "dir" : HexFormat.of().formatHex(
                        MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
                m.put(dir.relativize(p).toString(), what + " " + PosixFilePermissions.toString(a.permissions())
                        + " " + a.owner().getName() + ":" + a.group().getName());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        return m;
    }

    static void write(Path file, String text) {
        try {
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void copy(Path from, Path to) {
        try {
            Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void delete(Path file) {
        try {
            Files.delete(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
