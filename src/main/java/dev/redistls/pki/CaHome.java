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
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where a group's root CA lives, on the admin machine: {@code root.crt} and {@code root.key} (0600) in a directory
 * only its owner can enter. Like mkcert's CAROOT it defaults to a per-user data directory, and a home that already
 * holds a root is reused, never replaced: that is how several nodes and regions share one root.
 * <p>
 * A CA home that someone else could write (or whose parents they could), or a root key others could read, is
 * refused with the command that fixes it: a swapped root would make every node trust an attacker.
 * <p>
 * <b>Two roots during a rollover.</b> {@code root.crt}/{@code root.key} is always the <i>issuing</i> root: every
 * certificate is issued from it and {@link #load()} returns it, so nothing that issues needs to know about rollovers.
 * Between {@code ca rotate begin} and {@code finish} the previous root waits in {@code retiring/root.crt} (and its
 * key in {@code retiring/root.key}, used only to prove at finish that nodes refuse it): still trusted
 * ({@link #trust()} = issuing first, then retiring), never issuing. Begin copies the current pair to
 * {@code retiring/} (key first, certificate last), then writes the new pair over {@code root.*} (key first); finish
 * deletes {@code retiring/} (key first). Every state a crash can leave is recognised: a {@code retiring/} copy equal
 * to the issuing root is no rollover yet; a new {@code root.key} beside the old {@code root.crt} (the switch cut in
 * half) is refused by {@link #load()} with "run 'ca rotate begin' again", which makes a fresh pair; a
 * {@code retiring/root.crt} without its key is a rollover whose finish was cut short (run finish again).
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

    /** The previous root during a rollover. */
    public Path retiringCertFile() {
        return dir.resolve("retiring/root.crt");
    }

    public Path retiringKeyFile() {
        return dir.resolve("retiring/root.key");
    }

    /**
     * The group name a root made here gets when none is given: the CA home's folder name, so that
     * {@code /var/lib/redis-tls/orders} makes "redis-tls root CA orders" (never the first node's host name). A folder
     * called {@code ca} says nothing: {@code /srv/orders/ca} names its parent, "orders", and the default home
     * ({@code ~/.local/share/redis-tls/ca}) makes "redis-tls root CA default".
     */
    public String defaultGroupName() {
        Path abs = dir.toAbsolutePath().normalize();
        Path name = abs.getFileName();
        if (name != null && name.toString().equals("ca")) {
            Path parent = abs.getParent() == null ? null : abs.getParent().getFileName();
            return parent == null || parent.toString().equals("redis-tls") ? "default" : parent.toString();
        }
        return name == null ? "default" : name.toString();
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
        requirePrivate(keyFile());
        X509Certificate root = certificate(certFile());
        PrivateKey rootKey = Pem.parsePrivateKey(text(keyFile()), keyFile().toString());
        if (!CertificateAuthority.matches(root, rootKey)) {
            if (retiring().filter(root::equals).isPresent()) {
                throw RedisTlsException.failed("the root rollover in CA home " + dir + " was interrupted (" + keyFile()
                        + " is new, " + certFile() + " not yet): run 'redis-tls ca rotate begin --ca-only --ca-home " + dir
                        + "' again to finish it");
            }
            throw RedisTlsException.badInput("root key " + keyFile() + " does not match root certificate " + certFile());
        }
        return Optional.of(new CertificateAuthority(root, rootKey));
    }

    private void requirePrivate(Path key) {
        FileStat keyStat = fs().lstat(key).orElseThrow();
        int euid = host.facts().euid();
        if (!keyStat.isFile()) {
            throw RedisTlsException.badInput("root key " + key + " is not a regular file");
        }
        if ((keyStat.mode() & 0077) != 0 || (keyStat.uid() != euid && keyStat.uid() != 0)) {
            throw RedisTlsException.badInput("root key " + key + " can be read by others (mode " + keyStat.octal()
                    + ", owner uid " + keyStat.uid() + "): run 'chmod 600 " + key + "', and judge whether the root was exposed");
        }
    }

    private X509Certificate certificate(Path file) {
        X509Certificate cert = Pem.parseCertificates(text(file), file.toString()).get(0);
        if (cert.getBasicConstraints() < 0) {
            throw RedisTlsException.badInput(file + " is not a CA certificate");
        }
        return cert;
    }

    /** The previous root while a rollover is under way (its certificate; it no longer issues). */
    public Optional<X509Certificate> retiring() {
        if (!fs().exists(retiringCertFile())) {
            return Optional.empty();
        }
        checkSafe();
        return Optional.of(certificate(retiringCertFile()));
    }

    /** Whether a rollover is under way: a retiring root other than the issuing one. */
    public boolean rotating() {
        Optional<X509Certificate> old = retiring();
        return old.isPresent() && load().map(ca -> !ca.certificate().equals(old.get())).orElse(false);
    }

    /**
     * What a node managed from this home trusts: the issuing root, then the retiring one during a rollover. Empty
     * when the home holds no root.
     */
    public List<X509Certificate> trust() {
        Optional<CertificateAuthority> issuing = load();
        if (issuing.isEmpty()) {
            return List.of();
        }
        List<X509Certificate> roots = new ArrayList<>(List.of(issuing.get().certificate()));
        retiring().filter(r -> !roots.contains(r)).ifPresent(roots::add);
        return roots;
    }

    /** The retiring root with its key (present until finish), for proving that nodes refuse it once retired. */
    public Optional<CertificateAuthority> retiringAuthority() {
        Optional<X509Certificate> cert = retiring();
        if (cert.isEmpty() || !fs().exists(retiringKeyFile())) {
            return Optional.empty();
        }
        requirePrivate(retiringKeyFile());
        PrivateKey key = Pem.parsePrivateKey(text(retiringKeyFile()), retiringKeyFile().toString());
        return CertificateAuthority.matches(cert.get(), key) ? Optional.of(new CertificateAuthority(cert.get(), key)) : Optional.empty();
    }

    /** What {@link #beginRotation} did: the issuing (new) root, the retiring one, and whether it was made just now. */
    public record Rotation(CertificateAuthority issuing, X509Certificate retiring, boolean started) {
    }

    /**
     * Starts a rollover: the current root moves to {@code retiring/} and a new root of the same group and key type
     * becomes the issuing one. During a rollover (or after a begin cut short), finishes or returns it unchanged.
     */
    public Rotation beginRotation() {
        Optional<X509Certificate> old = retiring();
        CertificateAuthority current;
        try {
            current = load().orElseThrow(() -> RedisTlsException.badInput("no root CA in " + dir
                    + " to roll over: run 'redis-tls ca init' or 'redis-tls ca import'"));
        } catch (RedisTlsException interrupted) {
            CertificateAuthority previous = retiringAuthority().filter(p -> p.certificate().equals(certificate(certFile())))
                    .orElseThrow(() -> interrupted);
            return new Rotation(switchTo(previous), previous.certificate(), true);
        }
        if (old.isPresent() && !old.get().equals(current.certificate())) {
            return new Rotation(current, old.get(), false);
        }
        prepare();
        fs().ensureDirectory(retiringCertFile().getParent(), FileModes.PRIVATE_DIR, -1, -1);
        FileOwner me = FileOwner.current(host);
        // The certificate last: a retiring/ without it is no rollover, and begin writes it again.
        new FileBatch(host, false)
                .write(retiringKeyFile(), Pem.encode(current.privateKey()).getBytes(StandardCharsets.US_ASCII), FileModes.PRIVATE, me)
                .write(retiringCertFile(), Pem.encode(current.certificate()).getBytes(StandardCharsets.US_ASCII), FileModes.PUBLIC, me)
                .commit();
        return new Rotation(switchTo(current), current.certificate(), true);
    }

    private CertificateAuthority switchTo(CertificateAuthority previous) {
        X509Certificate old = previous.certificate();
        CertificateAuthority next = CertificateAuthority.createRoot(CertificateAuthority.groupOf(old),
                KeyType.of(previous.privateKey()), CertificateAuthority.ROOT_DAYS);
        save(next);
        return next;
    }

    /** Ends a rollover: the retiring root (key first) leaves the home. Returns it, or empty when there was none. */
    public Optional<X509Certificate> finishRotation() {
        Optional<X509Certificate> old = retiring();
        if (old.isEmpty()) {
            return Optional.empty();
        }
        FileBatch batch = new FileBatch(host, false);
        if (fs().exists(retiringKeyFile())) {
            batch.delete(retiringKeyFile());
        }
        batch.delete(retiringCertFile()).commit();
        fs().removeEmptyTree(retiringCertFile().getParent());
        return old;
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
