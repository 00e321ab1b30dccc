package dev.redistls.pki;

import dev.redistls.RedisTlsException;
import dev.redistls.files.AtomicFile;
import dev.redistls.files.FileBatch;
import dev.redistls.files.FileOwner;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;

/**
 * A node's TLS files, laid out like the add-on's so that its users feel at home:
 * {@code server/{root.crt,server.crt,server.key}} and {@code client/{root.crt,client.crt,client.key}}.
 * Never holds a CA private key.
 */
public final class KeysDir {
    public static final Path DEFAULT = Path.of("/etc/redis/tls");
    public static final String DEFAULT_CLIENT = "client";

    private final Path dir;

    public KeysDir(Path dir) {
        this.dir = dir.toAbsolutePath().normalize();
    }

    public Path dir() {
        return dir;
    }

    public Path serverRoot() {
        return dir.resolve("server/root.crt");
    }

    public Path serverCert() {
        return dir.resolve("server/server.crt");
    }

    public Path serverKey() {
        return dir.resolve("server/server.key");
    }

    public Path clientRoot() {
        return dir.resolve("client/root.crt");
    }

    public Path clientCert() {
        return clientCert(DEFAULT_CLIENT);
    }

    public Path clientKey() {
        return clientKey(DEFAULT_CLIENT);
    }

    public Path clientCert(String name) {
        return dir.resolve("client/" + name + ".crt");
    }

    public Path clientKey(String name) {
        return dir.resolve("client/" + name + ".key");
    }

    public List<Path> files() {
        return List.of(serverRoot(), serverCert(), serverKey(), clientRoot(), clientCert(), clientKey());
    }

    public boolean isComplete() {
        return files().stream().allMatch(Files::isRegularFile);
    }

    public boolean exists() {
        return files().stream().anyMatch(Files::exists);
    }

    /** The root this keys dir trusts, if it has one. */
    public Optional<X509Certificate> root() {
        if (Files.exists(serverRoot())) {
            return Optional.of(Pem.readCertificate(serverRoot()));
        }
        if (Files.exists(clientRoot())) {
            return Optional.of(Pem.readCertificate(clientRoot()));
        }
        return Optional.empty();
    }

    /** Refuses a keys dir whose certificates come from another root than {@code ca}'s. */
    public void requireSameRoot(CertificateAuthority ca, CaHome home) {
        Optional<X509Certificate> mine = root();
        if (mine.isPresent() && !mine.get().equals(ca.certificate())) {
            throw RedisTlsException.badInput("keys dir " + dir + " holds certificates from another root ("
                    + mine.get().getSubjectX500Principal().getName() + ") than CA home " + home.dir()
                    + ": pass --ca-home with that root, or --force to re-issue everything from this one");
        }
    }

    /** Refuses a CA home inside this keys dir (or the other way round): the root key must never sit with a node's files. */
    public void requireApartFrom(CaHome home) {
        if (home.dir().startsWith(dir) || dir.startsWith(home.dir())) {
            throw RedisTlsException.badInput("CA home " + home.dir() + " and keys dir " + dir
                    + " overlap: the root key must never be inside a keys dir; choose another --ca-home");
        }
    }

    /** Creates the directories (0750) and proves they can be written, before anything else is made. */
    public void prepare(FileOwner owner) {
        for (Path d : List.of(dir, dir.resolve("server"), dir.resolve("client"))) {
            AtomicFile.ensureDirectory(d, AtomicFile.GROUP_DIR, owner);
            try {
                Files.delete(Files.createTempFile(d, ".redis-tls-probe", ".tmp"));
            } catch (IOException e) {
                throw RedisTlsException.badInput("keys dir " + d + " is not writable: " + AtomicFile.describe(e), e);
            }
        }
    }

    /** Adds the root and a node's server certificate and key to {@code batch}. */
    public FileBatch stageServer(FileBatch batch, X509Certificate root, IssuedCertificate server, FileOwner owner) {
        return batch
                .write(serverRoot(), pem(root), AtomicFile.PUBLIC, owner)
                .write(serverKey(), pem(server.privateKey()), AtomicFile.PRIVATE, owner)
                .write(serverCert(), pem(server.certificate()), AtomicFile.PUBLIC, owner);
    }

    /** Adds the root and a client certificate and key ({@code client/NAME.*}) to {@code batch}. */
    public FileBatch stageClient(FileBatch batch, X509Certificate root, String name, IssuedCertificate client,
                                 FileOwner owner) {
        return batch
                .write(clientRoot(), pem(root), AtomicFile.PUBLIC, owner)
                .write(clientKey(name), pem(client.privateKey()), AtomicFile.PRIVATE, owner)
                .write(clientCert(name), pem(client.certificate()), AtomicFile.PUBLIC, owner);
    }

    private static byte[] pem(X509Certificate cert) {
        return Pem.encode(cert).getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] pem(java.security.PrivateKey key) {
        return Pem.encode(key).getBytes(StandardCharsets.US_ASCII);
    }
}
