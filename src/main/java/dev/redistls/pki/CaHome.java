package dev.redistls.pki;

import dev.redistls.RedisTlsException;
import dev.redistls.files.FileBatch;
import dev.redistls.files.FileError;
import dev.redistls.files.FileModes;
import dev.redistls.files.FileOwner;
import dev.redistls.files.SafeFiles;
import dev.redistls.files.SafePath;
import dev.redistls.host.Dir;
import dev.redistls.host.FileStat;
import dev.redistls.host.Host;
import dev.redistls.host.LocalHost;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Optional;

/**
 * Where a group's root CA lives, on the admin machine: {@code root.crt} and {@code root.key} (0600) in a directory
 * only its owner can enter. Like mkcert's CAROOT it defaults to a per-user data directory, and a home that already
 * holds a root is reused, never replaced: that is how several nodes and regions share one root.
 * <p>
 * A CA home that someone else could write (or whose parents they could), or a root key others could read, is
 * refused with the command that fixes it: a swapped root would make every node trust an attacker.
 */
public final class CaHome {
    public static final String ENV = "REDIS_TLS_CA_HOME";

    private final Host host = new LocalHost();
    private final Path dir;
    private java.util.List<Path> createdDirs;

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

    private SafeFiles fs() {
        return new SafeFiles(host);
    }

    public boolean holdsRoot() {
        return fs().exists(certFile()) || fs().exists(keyFile());
    }

    /** The root in this home, checked: safe home, private key, valid PEM, and the key belongs to the certificate. */
    public Optional<CertificateAuthority> load() {
        boolean cert = fs().exists(certFile());
        boolean key = fs().exists(keyFile());
        if (!cert && !key) {
            return Optional.empty();
        }
        if (!cert || !key) {
            throw RedisTlsException.badInput("CA home " + dir + " is incomplete: " + (cert ? keyFile() : certFile())
                    + " is missing (restore it, or import the group's root with 'redis-tls ca import')");
        }
        checkSafe();
        FileStat keyStat = fs().lstat(keyFile()).orElseThrow();
        int euid = host.facts().euid();
        if (!keyStat.isFile()) {
            throw RedisTlsException.badInput("root key " + keyFile() + " is not a regular file");
        }
        if ((keyStat.mode() & 0077) != 0 || (keyStat.uid() != euid && keyStat.uid() != 0)) {
            throw RedisTlsException.badInput("root key " + keyFile() + " can be read by others (mode " + keyStat.octal()
                    + ", owner uid " + keyStat.uid() + "): run 'chmod 600 " + keyFile() + "', and judge whether the root was exposed");
        }
        X509Certificate root = Pem.parseCertificates(text(certFile()), certFile().toString()).get(0);
        PrivateKey rootKey = Pem.parsePrivateKey(text(keyFile()), keyFile().toString());
        if (!CertificateAuthority.matches(root, rootKey)) {
            throw RedisTlsException.badInput("root key " + keyFile() + " does not match root certificate " + certFile());
        }
        if (root.getBasicConstraints() < 0) {
            throw RedisTlsException.badInput(certFile() + " is not a CA certificate");
        }
        return Optional.of(new CertificateAuthority(root, rootKey));
    }

    private String text(Path file) {
        try {
            return new String(fs().read(file), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw FileError.badInput("cannot read", file, host, e);
        }
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
        FileOwner me = FileOwner.current(host);
        new FileBatch(host, false)
                .write(keyFile(), Pem.encode(ca.privateKey()).getBytes(StandardCharsets.US_ASCII), FileModes.PRIVATE, me)
                .write(certFile(), Pem.encode(ca.certificate()).getBytes(StandardCharsets.US_ASCII), FileModes.PUBLIC, me)
                .commit();
    }

    /**
     * Removes a root that {@link #save} just wrote, when what it was made for failed, and the home's directories
     * when nothing else is in them.
     */
    public void forget(CertificateAuthority ca) {
        if (load().map(c -> c.certificate().equals(ca.certificate())).orElse(false)) {
            new FileBatch(host, false).delete(keyFile()).delete(certFile()).commit();
            if (createdDirs != null) {
                for (int i = createdDirs.size() - 1; i >= 0; i--) {
                    fs().removeEmptyTree(createdDirs.get(i));
                }
            }
        }
    }

    /**
     * Creates the home (0700) and checks it: owned by the tool's user, 0700 (a looser mode on a home we own is
     * tightened), no parent that others can write.
     */
    public void prepare() {
        createdDirs = new java.util.ArrayList<>();
        for (Path p = dir; p != null && !fs().exists(p); p = p.getParent()) {
            createdDirs.add(0, p);
        }
        fs().ensureDirectory(dir, FileModes.PRIVATE_DIR, -1, -1);
        checkSafe();
    }

    private void checkSafe() {
        int euid = host.facts().euid();
        try (SafePath.Resolved r = SafePath.resolve(host, dir, true)) {
            if (!r.openToOthers().isEmpty()) {
                Path open = r.openToOthers().get(0);
                throw RedisTlsException.badInput("CA home " + dir + " is inside " + open + ", which others can write (they"
                        + " could swap the root): run 'chmod go-w " + open + "' or choose another --ca-home");
            }
            try (Dir home = r.parent().openDir(r.name())) {
                FileStat st = home.self();
                if (st.uid() != euid && st.uid() != 0) {
                    throw RedisTlsException.badInput("CA home " + dir + " belongs to uid " + st.uid() + ", not to this user ("
                            + euid + "): run as its owner, or 'chown -R " + euid + " " + dir + "'");
                }
                if ((st.mode() & 0077) != 0) {
                    if (st.uid() != euid) {
                        throw RedisTlsException.badInput("CA home " + dir + " has mode " + st.octal() + ": run 'chmod 700 " + dir + "'");
                    }
                    // Ours and too open: only its owner may enter a CA home.
                    home.setSelfMode(FileModes.PRIVATE_DIR);
                }
            }
        } catch (SafePath.UntrustedLink e) {
            throw RedisTlsException.badInput("CA home " + dir + " goes through " + e.getFile() + ", " + e.getReason());
        } catch (IOException e) {
            throw FileError.badInput("cannot open CA home", dir, host, e);
        }
    }

    /** A root loaded from a home, and whether it was made just now. */
    public record Loaded(CertificateAuthority ca, boolean created) {
    }
}
