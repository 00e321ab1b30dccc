package dev.redistls.client;

import dev.redistls.RedisTlsException;
import dev.redistls.files.FileModes;
import dev.redistls.files.SafeFiles;
import dev.redistls.host.LocalHost;
import dev.redistls.files.FileBatch;
import dev.redistls.files.FileOwner;
import dev.redistls.pki.CaBundle;
import dev.redistls.pki.ClientCertificates;
import dev.redistls.pki.KeysDir;
import dev.redistls.pki.Pem;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/**
 * A client certificate packed for an application, in the form its Redis library reads as is: PEM (redis-cli,
 * redis-py, node-redis, ioredis, Lettuce), PKCS#12 (Jedis, Lettuce, Redisson, any JVM), or a Spring Boot 3.1+ SSL
 * bundle (the PEM files and a properties file).
 */
public final class ClientBundle {
    public enum Format { PEM, PKCS12, SPRING }

    public static final String TRUSTSTORE = "truststore.p12";

    /** What was written, and the files a snippet refers to. */
    public record Result(Format format, Path dir, List<Path> files) {
    }

    private ClientBundle() {
    }

        /** {@code topology}: what the Spring Boot properties file connects to (the other formats are files only). */
    public static Result export(KeysDir keys, String name, Format format, Path outDir, char[] password, Topology topology) {
        ClientCertificates.validName(name);
        // Every root the keys dir trusts (two during a rollover): the bundle works before and after the node's reissue.
        List<X509Certificate> roots = keys.trust(keys.clientRoot());
        X509Certificate cert = keys.certificate(keys.clientCert(name));
        PrivateKey key = keys.privateKey(keys.clientKey(name));
        if (!dev.redistls.pki.CertificateAuthority.matches(cert, key)) {
            throw RedisTlsException.badInput("key " + keys.clientKey(name) + " does not belong to " + keys.clientCert(name));
        }
        X509Certificate root = dev.redistls.pki.CertificateAuthority.signer(roots, cert).orElseThrow(() ->
                RedisTlsException.badInput(keys.clientCert(name) + " was not issued by " + keys.clientRoot()));
        Path dir = outDir.toAbsolutePath().normalize();
        // Exports land on the admin machine, as the user who runs the tool.
        LocalHost here = new LocalHost();
        new SafeFiles(here).ensureDirectory(dir, FileModes.GROUP_DIR, -1, -1);
        FileOwner me = FileOwner.current(here);
        FileBatch batch = new FileBatch(here, false);
        List<Path> files = new ArrayList<>();
        if (format == Format.PKCS12) {
            if (password == null) {
                throw RedisTlsException.badInput("--password-file is required for --format pkcs12");
            }
            Path p12 = dir.resolve(name + ".p12");
            Path trust = dir.resolve(TRUSTSTORE);
            batch.write(p12, CaBundle.pkcs12(name, key, new X509Certificate[] {cert, root}, password),
                    FileModes.PRIVATE, me);
            batch.write(trust, CaBundle.truststore("redis-tls-root", roots, password), FileModes.PUBLIC, me);
            files.add(p12);
            files.add(trust);
        } else {
            Path rootOut = dir.resolve("root.crt");
            Path certOut = dir.resolve(name + ".crt");
            Path keyOut = dir.resolve(name + ".key");
            batch.write(rootOut, ascii(roots.stream().map(Pem::encode).collect(java.util.stream.Collectors.joining())), FileModes.PUBLIC, me);
            batch.write(certOut, ascii(Pem.encode(cert)), FileModes.PUBLIC, me);
            batch.write(keyOut, ascii(Pem.encode(key)), FileModes.PRIVATE, me);
            files.add(rootOut);
            files.add(certOut);
            files.add(keyOut);
            if (format == Format.SPRING) {
                Path props = dir.resolve(SpringBootProperties.FILE);
                batch.write(props, ascii(SpringBootProperties.file(props, rootOut, certOut, keyOut, topology)), FileModes.PUBLIC, me);
                files.add(props);
            }
        }
        batch.commit();
        return new Result(format, dir, files);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
