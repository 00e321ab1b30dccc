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

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A node's TLS files on its host, laid out like the add-on's so that its users feel at home:
 * {@code server/{root.crt,server.crt,server.key}} and {@code client/{root.crt,client.crt,client.key}}.
 * Never holds a CA private key. The directories belong to root (the tool's user) and are not writable by anyone
 * else; the Redis user reads through their group and owns its keys.
 */
public final class KeysDir {
    public static final Path DEFAULT = Path.of("/etc/redis/tls");
    public static final String DEFAULT_CLIENT = "client";

    private final Host host;
    private final Path dir;

    public KeysDir(Host host, Path dir) {
        this.host = host;
        this.dir = dir.toAbsolutePath().normalize();
    }

    /** A keys dir on this machine (the cli's --keys-dir, client export, tests). */
    public static KeysDir local(Path dir) {
        return new KeysDir(new dev.redistls.host.LocalHost(), dir);
    }

    public Host host() {
        return host;
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

    public List<Path> directories() {
        return List.of(dir, dir.resolve("server"), dir.resolve("client"));
    }

    private SafeFiles fs() {
        return new SafeFiles(host);
    }

    public boolean isComplete() {
        return files().stream().allMatch(fs()::isFile);
    }

    public boolean exists() {
        return files().stream().anyMatch(fs()::exists);
    }

    public boolean has(Path file) {
        return fs().isFile(file);
    }

    /** The first certificate of a PEM file in this keys dir. */
    public X509Certificate certificate(Path file) {
        return Pem.parseCertificates(text(file, "certificate"), file + FileError.where(host)).get(0);
    }

    /** Every certificate of a trust file ({@code root.crt}: two roots during a rollover, the issuing one first). */
    public List<X509Certificate> trust(Path file) {
        return Pem.parseCertificates(text(file, "certificate"), file + FileError.where(host));
    }

    public PrivateKey privateKey(Path file) {
        return Pem.parsePrivateKey(text(file, "private key"), file + FileError.where(host));
    }

    private String text(Path file, String what) {
        try {
            return new String(fs().read(file), StandardCharsets.ISO_8859_1);
        } catch (java.nio.file.NoSuchFileException e) {
            throw RedisTlsException.badInput(what + " file not found: " + file + FileError.where(host));
        } catch (IOException e) {
            throw FileError.badInput("cannot read " + what + " file", file, host, e);
        }
    }

    /**
     * The TLS client material of this keys dir: trusts its root and presents its default client certificate, the
     * way every proof, probe and status check talks to the node.
     */
    public SSLContext clientContext() {
        return TlsContexts.create(trust(clientRoot()), certificate(clientCert()), privateKey(clientKey()));
    }

    /** Whether a private key belongs to a certificate, for each pair present: a pair cut in half by a crash is not. */
    public List<Path> mismatchedPairs() {
        List<Path> bad = new ArrayList<>();
        for (Path[] pair : new Path[][] {{serverCert(), serverKey()}, {clientCert(), clientKey()}}) {
            if (has(pair[0]) && has(pair[1])) {
                try {
                    if (!CertificateAuthority.matches(certificate(pair[0]), privateKey(pair[1]))) {
                        bad.add(pair[1]);
                    }
                } catch (RedisTlsException e) {
                    bad.add(pair[1]);
                }
            }
        }
        return bad;
    }

    /** The root this keys dir trusts, if it has one. */
    public Optional<X509Certificate> root() {
        if (has(serverRoot())) {
            return Optional.of(certificate(serverRoot()));
        }
        if (has(clientRoot())) {
            return Optional.of(certificate(clientRoot()));
        }
        return Optional.empty();
    }

    /** Refuses a keys dir whose certificates come from another root than {@code ca}'s. */
    public void requireSameRoot(CertificateAuthority ca, CaHome home) {
        requireSameRoot(home);
    }

    /**
     * Refuses a keys dir that trusts none of the roots of {@code home} (its issuing root, and during a rollover the
     * retiring one): its certificates come from another group's root.
     */
    public void requireSameRoot(CaHome home) {
        Optional<X509Certificate> mine = root();
        if (mine.isEmpty()) {
            return;
        }
        List<X509Certificate> ours = trust(has(serverRoot()) ? serverRoot() : clientRoot());
        List<X509Certificate> homes = home.trust();
        if (ours.stream().noneMatch(homes::contains)) {
            throw RedisTlsException.badInput("keys dir " + dir + FileError.where(host) + " holds certificates from another root ("
                    + mine.get().getSubjectX500Principal().getName() + ") than CA home " + home.dir()
                    + ": pass --ca-home with that root, or --force to re-issue everything from this one");
        }
    }

    /** The roots this keys dir trusts now (server/root.crt, else client/root.crt); empty when it has none. */
    public List<X509Certificate> trustedRoots() {
        if (has(serverRoot())) {
            return trust(serverRoot());
        }
        return has(clientRoot()) ? trust(clientRoot()) : List.of();
    }

    /**
     * Refuses a CA home inside this keys dir (or the other way round), comparing real paths so that a link cannot
     * hide it: the root key must never sit with a node's files. A keys dir on another host cannot overlap.
     */
    public void requireApartFrom(CaHome home) {
        if (!host.isLocal()) {
            return;
        }
        Path keys = real(dir);
        Path ca = real(home.dir());
        if (ca.startsWith(keys) || keys.startsWith(ca)) {
            throw RedisTlsException.badInput("CA home " + home.dir() + " and keys dir " + dir
                    + " overlap: the root key must never be inside a keys dir; choose another --ca-home");
        }
    }

    private Path real(Path p) {
        // The deepest existing ancestor, resolved; the rest appended as given.
        Path existing = p;
        Path rest = Path.of("");
        while (existing.getParent() != null && !fs().exists(existing)) {
            rest = existing.getFileName().resolve(rest);
            existing = existing.getParent();
        }
        try {
            return fs().realPath(existing).resolve(rest).normalize();
        } catch (IOException e) {
            return p;
        }
    }

    /**
     * Creates the directories (0750, root-owned, the owner's group may read) and checks every one: a directory here
     * that someone other than root can write, or that is not a directory, is refused with the command that fixes it.
     */
    public void prepare(FileOwner owner) {
        int euid = host.facts().euid();
        for (Path d : directories()) {
            fs().ensureDirectory(d, FileModes.GROUP_DIR, euid, owner.gid());
            requireTrusted(d, owner);
            readableByTheRedisGroup(d, owner, euid);
        }
    }

    /**
     * A directory of ours made by someone before us (an operator's mkdir, a link's target) is given the Redis user's
     * group and 0750, so that Redis can reach its files: otherwise it fails to load them with no word of why.
     */
    private void readableByTheRedisGroup(Path d, FileOwner owner, int euid) {
        if (owner.gid() < 0) {
            return;
        }
        try (Dir open = SafePath.openDir(host, d)) {
            FileStat st = open.self();
            if (st.uid() == euid && (st.gid() != owner.gid() || st.permissions() != FileModes.GROUP_DIR)) {
                open.setSelfOwner(euid, owner.gid());
                open.setSelfMode(FileModes.GROUP_DIR);
            }
        } catch (IOException e) {
            throw FileError.failed("cannot give the Redis group access to", d, host, e);
        }
    }

    /** Refuses a keys directory that is not a root-only-writable directory (read access for the Redis group is fine). */
    public void requireTrusted(Path d, FileOwner owner) {
        int euid = host.facts().euid();
        try (Dir open = SafePath.openDir(host, d)) {
            FileStat st = open.self();
            if ((st.uid() != 0 && st.uid() != euid) || st.groupOrOthersWrite()) {
                String who = euid == 0 ? "root" : String.valueOf(euid);
                throw RedisTlsException.badInput("keys dir " + d + FileError.where(host) + " can be written by others (mode "
                        + st.octal() + ", owner uid " + st.uid() + "), so its keys could be swapped: run 'chown " + who
                        + ":" + (owner.gid() >= 0 ? owner.gid() : st.gid()) + " " + d + " && chmod 750 " + d + "', then again");
            }
        } catch (java.nio.file.NotDirectoryException e) {
            throw RedisTlsException.badInput("keys dir " + d + FileError.where(host) + " is not a directory");
        } catch (SafePath.UntrustedLink e) {
            throw RedisTlsException.badInput("keys dir " + d + FileError.where(host) + " is " + e.getReason());
        } catch (IOException e) {
            throw FileError.badInput("cannot open keys dir", d, host, e);
        }
    }

    /** Adds the trusted roots and a node's server certificate and key to {@code batch}. */
    public FileBatch stageServer(FileBatch batch, List<X509Certificate> trust, IssuedCertificate server, FileOwner owner) {
        return batch
                .write(serverRoot(), pem(trust), FileModes.PUBLIC, owner)
                .write(serverKey(), pem(server.privateKey()), FileModes.PRIVATE, owner)
                .write(serverCert(), pem(List.of(server.certificate())), FileModes.PUBLIC, owner);
    }

    /** Adds the trusted roots and a client certificate and key ({@code client/NAME.*}) to {@code batch}. */
    public FileBatch stageClient(FileBatch batch, List<X509Certificate> trust, String name, IssuedCertificate client,
                                 FileOwner owner) {
        return batch
                .write(clientRoot(), pem(trust), FileModes.PUBLIC, owner)
                .write(clientKey(name), pem(client.privateKey()), FileModes.PRIVATE, owner)
                .write(clientCert(name), pem(List.of(client.certificate())), FileModes.PUBLIC, owner);
    }

    /**
     * Adds both trust files holding {@code trust} to {@code batch}, with the owner and mode they have (a rollover
     * changes what the node trusts, nothing else).
     */
    public FileBatch stageTrust(FileBatch batch, List<X509Certificate> trust) {
        return batch.write(serverRoot(), pem(trust), FileModes.PUBLIC, null)
                .write(clientRoot(), pem(trust), FileModes.PUBLIC, null);
    }

    /** Several certificates in one PEM file, in order: what Redis's tls-ca-cert-file and every client read. */
    private static byte[] pem(List<X509Certificate> certs) {
        StringBuilder sb = new StringBuilder();
        certs.forEach(c -> sb.append(Pem.encode(c)));
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] pem(PrivateKey key) {
        return Pem.encode(key).getBytes(StandardCharsets.US_ASCII);
    }
}
