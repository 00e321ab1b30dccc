package dev.redistls.pki;

import dev.redistls.RedisTlsException;
import dev.redistls.files.AtomicFile;
import dev.redistls.files.FileBatch;
import dev.redistls.files.FileOwner;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Optional;

/**
 * Where a group's root CA lives: {@code root.crt} and {@code root.key} (0600) in a directory only its owner can
 * enter. Like mkcert's CAROOT it defaults to a per-user data directory, and a home that already holds a root is
 * reused, never replaced: that is how several nodes and regions share one root.
 */
public final class CaHome {
    public static final String ENV = "REDIS_TLS_CA_HOME";

    private final Path dir;

    public CaHome(Path dir) {
        this.dir = dir.toAbsolutePath().normalize();
    }

    /** {@code --ca-home}, else {@code $REDIS_TLS_CA_HOME}, else {@code ~/.local/share/redis-tls/ca}. */
    public static CaHome resolve(Path option) {
        if (option != null) {
            return new CaHome(option);
        }
        String env = System.getenv(ENV);
        if (env != null && !env.isBlank()) {
            return new CaHome(Path.of(env));
        }
        return new CaHome(Path.of(System.getProperty("user.home"), ".local", "share", "redis-tls", "ca"));
    }

    public Path dir() {
        return dir;
    }

    public Path certFile() {
        return dir.resolve("root.crt");
    }

    public Path keyFile() {
        return dir.resolve("root.key");
    }

    public boolean holdsRoot() {
        return Files.exists(certFile()) || Files.exists(keyFile());
    }

    /** The root in this home, checked: both files present, valid PEM, and the key belongs to the certificate. */
    public Optional<CertificateAuthority> load() {
        boolean cert = Files.exists(certFile());
        boolean key = Files.exists(keyFile());
        if (!cert && !key) {
            return Optional.empty();
        }
        if (!cert || !key) {
            throw RedisTlsException.badInput("CA home " + dir + " is incomplete: " + (cert ? keyFile() : certFile())
                    + " is missing (restore it, or import the group's root with 'redis-tls ca import')");
        }
        X509Certificate root = Pem.readCertificate(certFile());
        PrivateKey rootKey = Pem.readPrivateKey(keyFile());
        if (!CertificateAuthority.matches(root, rootKey)) {
            throw RedisTlsException.badInput("root key " + keyFile() + " does not match root certificate " + certFile());
        }
        if (root.getBasicConstraints() < 0) {
            throw RedisTlsException.badInput(certFile() + " is not a CA certificate");
        }
        return Optional.of(new CertificateAuthority(root, rootKey));
    }

    /** The existing root, or a new one when the home is empty. */
    public Loaded loadOrCreate(String group, KeyType keyType) {
        Optional<CertificateAuthority> existing = load();
        if (existing.isPresent()) {
            return new Loaded(existing.get(), false);
        }
        CertificateAuthority ca = CertificateAuthority.createRoot(group, keyType, CertificateAuthority.ROOT_DAYS);
        save(ca);
        return new Loaded(ca, true);
    }

    /** Writes a root into this home: directory 0700, key 0600, both owned by whoever runs the tool. */
    public void save(CertificateAuthority ca) {
        prepare();
        stage(new FileBatch(), ca).commit();
    }

    /** Creates the home (0700), tightening a directory someone made before us: only the CA's owner may enter it. */
    public void prepare() {
        AtomicFile.ensureDirectory(dir, AtomicFile.PRIVATE_DIR, null);
        try {
            java.nio.file.Files.setPosixFilePermissions(dir, AtomicFile.PRIVATE_DIR);
        } catch (java.io.IOException e) {
            throw RedisTlsException.failed("cannot set mode 0700 on CA home " + dir + ": " + AtomicFile.describe(e), e);
        }
    }

    /** Adds a root's key (0600) and certificate to {@code batch}, so it lands (or is undone) with the files it signed. */
    public FileBatch stage(FileBatch batch, CertificateAuthority ca) {
        return batch
                .write(keyFile(), Pem.encode(ca.privateKey()).getBytes(StandardCharsets.US_ASCII), AtomicFile.PRIVATE, FileOwner.current())
                .write(certFile(), Pem.encode(ca.certificate()).getBytes(StandardCharsets.US_ASCII), AtomicFile.PUBLIC, FileOwner.current());
    }

    /** A root loaded from a home, and whether it was made just now. */
    public record Loaded(CertificateAuthority ca, boolean created) {
    }
}
