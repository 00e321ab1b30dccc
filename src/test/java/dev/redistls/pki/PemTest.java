package dev.redistls.pki;

import dev.redistls.RedisTlsException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * PEM as OpenSSL writes it, read with the JDK alone: every key form OpenSSL 3 makes (PKCS#8, and the traditional
 * PKCS#1 and SEC1 forms), certificate files with text around the blocks, and each way a file can be wrong.
 * OpenSSL makes the inputs, so that they are not shaped by the code that reads them.
 */
class PemTest {
    @TempDir
    static Path dir;

    /** A key form: the openssl commands that turn "{in}" (a PKCS#8 key) into "{out}". */
    record Form(String name, String base, List<String> command) {
        @Override
        public String toString() {
            return name;
        }
    }

    @BeforeAll
    static void keys() {
        openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", dir.resolve("ec.pem").toString());
        openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384", "-out", dir.resolve("ec384.pem").toString());
        openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", dir.resolve("rsa.pem").toString());
        openssl("genpkey", "-algorithm", "ED25519", "-out", dir.resolve("ed25519.pem").toString());
    }

    static Stream<Form> forms() {
        return Stream.of(
                new Form("PKCS#8 EC P-256 (what redis-tls writes)", "ec.pem", List.of("pkey")),
                new Form("SEC1 EC P-256 (BEGIN EC PRIVATE KEY)", "ec.pem", List.of("pkey", "-traditional")),
                new Form("SEC1 EC P-384", "ec384.pem", List.of("pkey", "-traditional")),
                new Form("PKCS#8 RSA", "rsa.pem", List.of("pkey")),
                new Form("PKCS#1 RSA (BEGIN RSA PRIVATE KEY)", "rsa.pem", List.of("pkey", "-traditional")),
                new Form("PKCS#8 Ed25519", "ed25519.pem", List.of("pkey")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("forms")
    void readsEveryKeyFormOpenSslWrites(Form form) throws IOException {
        Path out = dir.resolve(form.name().replaceAll("[^A-Za-z0-9]", "_") + ".pem");
        List<String> args = new ArrayList<>(form.command());
        args.addAll(List.of("-in", dir.resolve(form.base()).toString(), "-out", out.toString()));
        openssl(args.toArray(String[]::new));

        PrivateKey read = Pem.parsePrivateKey(Files.readString(out), out.toString());
        PrivateKey reference = Pem.readPrivateKey(dir.resolve(form.base()));
        assertThat(read.getAlgorithm()).isEqualTo(reference.getAlgorithm());
        if (read instanceof ECPrivateKey ec) {
            assertThat(ec.getS()).isEqualTo(((ECPrivateKey) reference).getS());
            assertThat(ec.getParams().getCurve()).isEqualTo(((ECPrivateKey) reference).getParams().getCurve());
        } else if (read instanceof RSAPrivateCrtKey rsa) {
            assertThat(rsa.getModulus()).isEqualTo(((RSAPrivateCrtKey) reference).getModulus());
            assertThat(rsa.getPrivateExponent()).isEqualTo(((RSAPrivateCrtKey) reference).getPrivateExponent());
        } else {
            assertThat(read.getEncoded()).isEqualTo(reference.getEncoded());
        }
        // The public half of the certificate made with the key matches it (what the TLS client checks).
        Path cert = dir.resolve(out.getFileName() + ".crt");
        openssl("req", "-x509", "-new", "-key", out.toString(), "-subj", "/CN=pem.test", "-days", "1", "-out", cert.toString());
        if (!read.getAlgorithm().equals("EdDSA")) {
            assertThat(CertificateAuthority.matches(Pem.readCertificate(cert), read)).isTrue();
        }
    }

    @Test
    void encryptedKeysAreRefusedByName() {
        Path pkcs8 = dir.resolve("encrypted-pkcs8.pem");
        openssl("pkcs8", "-topk8", "-v2", "aes-256-cbc", "-passout", "pass:secret", "-in", dir.resolve("ec.pem").toString(),
                "-out", pkcs8.toString());
        Path traditional = dir.resolve("encrypted-traditional.pem");
        openssl("pkey", "-traditional", "-aes256", "-passout", "pass:secret", "-in", dir.resolve("rsa.pem").toString(),
                "-out", traditional.toString());
        for (Path p : List.of(pkcs8, traditional)) {
            assertThatThrownBy(() -> Pem.readPrivateKey(p)).isInstanceOf(RedisTlsException.class)
                    .hasMessage(p + " is an encrypted private key; Redis needs it unencrypted");
        }
    }

    @Test
    void readsEveryCertificateOfAFileInOrderWhateverSurroundsThem() throws IOException {
        Path a = dir.resolve("a.crt");
        Path b = dir.resolve("b.crt");
        openssl("req", "-x509", "-new", "-key", dir.resolve("ec.pem").toString(), "-subj", "/CN=first", "-days", "1", "-out", a.toString());
        openssl("req", "-x509", "-new", "-key", dir.resolve("rsa.pem").toString(), "-subj", "/CN=second", "-days", "1", "-out", b.toString());
        // As "openssl pkcs12 -nokeys" prints a bundle: attributes before each block; and Windows line ends.
        String bundle = "Bag Attributes\n    friendlyName: first\nsubject=CN = first\n" + Files.readString(a)
                + "Bag Attributes\r\n" + Files.readString(b).replace("\n", "\r\n")
                + Files.readString(dir.resolve("ec.pem"));
        List<X509Certificate> certs = Pem.parseCertificates(bundle, "bundle.pem");
        assertThat(certs).extracting(c -> c.getSubjectX500Principal().getName()).containsExactly("CN=first", "CN=second");
        // The key after the certificates is found in the same file.
        assertThat(Pem.parsePrivateKey(bundle, "bundle.pem").getAlgorithm()).isEqualTo("EC");
    }

    record Bad(String name, String text, String certificateError, String keyError) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Bad> badFiles() {
        String certBody = "MIIBdDCCARqgAwIBAgIRAQ==";
        return Stream.of(
                new Bad("no PEM at all", "this is not a certificate\n", "holds no PEM certificate", "holds no PEM private key"),
                new Bad("empty", "", "holds no PEM certificate", "holds no PEM private key"),
                new Bad("a damaged certificate", "-----BEGIN CERTIFICATE-----\n" + certBody + "\n-----END CERTIFICATE-----\n",
                        "is not a valid PEM certificate", "holds no PEM private key"),
                new Bad("BEGIN without END", "-----BEGIN CERTIFICATE-----\n" + certBody + "\n",
                        "is not a valid PEM certificate", "is not a valid PEM private key"),
                new Bad("END of another label", "-----BEGIN PRIVATE KEY-----\n" + certBody + "\n-----END CERTIFICATE-----\n",
                        "is not a valid PEM certificate", "is not a valid PEM private key"),
                new Bad("a body that is not Base64", "-----BEGIN PRIVATE KEY-----\nnot*base64!\n-----END PRIVATE KEY-----\n",
                        "is not a valid PEM certificate", "is not a valid PEM private key"),
                new Bad("a damaged key", "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEH\n-----END PRIVATE KEY-----\n",
                        "holds no PEM certificate", "is not a valid PEM private key"),
                new Bad("a SEC1 key that names no curve", "-----BEGIN EC PRIVATE KEY-----\nMCUCAQEEIAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8g\n-----END EC PRIVATE KEY-----\n",
                        "holds no PEM certificate", "is not a valid PEM private key"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badFiles")
    void eachBadFileIsNamedWithWhatIsWrong(Bad bad) throws IOException {
        Path file = dir.resolve("bad.pem");
        Files.writeString(file, bad.text(), StandardCharsets.ISO_8859_1);
        assertThatThrownBy(() -> Pem.readCertificates(file)).isInstanceOf(RedisTlsException.class)
                .hasMessage(file + " " + bad.certificateError());
        assertThatThrownBy(() -> Pem.readPrivateKey(file)).isInstanceOf(RedisTlsException.class)
                .hasMessage(file + " " + bad.keyError());
    }

    @Test
    void whatItWritesItReads() {
        IssuedCertificate issued = CertificateAuthority.createRoot("pem", KeyType.EC_P256, 30).issueClient("c", KeyType.EC_P256, 1);
        assertThat(Pem.parseCertificates(Pem.encode(issued.certificate()), "c.crt")).containsExactly(issued.certificate());
        assertThat(Pem.parsePrivateKey(Pem.encode(issued.privateKey()), "c.key")).isEqualTo(issued.privateKey());
    }

    private static void openssl(String... args) {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
