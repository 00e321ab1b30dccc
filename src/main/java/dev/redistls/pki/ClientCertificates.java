package dev.redistls.pki;

import dev.redistls.RedisTlsException;
import dev.redistls.files.FileBatch;
import dev.redistls.files.FileOwner;

import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Per-application client certificates in a keys dir: {@code client/NAME.crt} and {@code client/NAME.key}, CN = NAME,
 * EKU clientAuth, from the same root as the node. One name per application means one certificate to revoke or
 * rotate without touching the others.
 */
public final class ClientCertificates {
    /** Safe as a file name and as a CN, and can never reach another directory. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    public record Request(KeysDir keysDir, CaHome caHome, String name, KeyType keyType, int days, FileOwner owner,
                          boolean force) {
    }

    private ClientCertificates() {
    }

    public static String validName(String name) {
        if (name == null || !NAME.matcher(name).matches() || name.endsWith(".")) {
            throw RedisTlsException.badInput("invalid client name '" + name
                    + "': use 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        if (name.toLowerCase(Locale.ROOT).equals("root")) {
            throw RedisTlsException.badInput("client name 'root' would overwrite client/root.crt: choose another name");
        }
        return name;
    }

    public static IssuedCertificate issue(Request r) {
        String name = validName(r.name());
        if (r.days() < 1) {
            throw RedisTlsException.badInput("--days must be at least 1, got " + r.days());
        }
        r.keysDir().requireApartFrom(r.caHome());
        CertificateAuthority ca = r.caHome().load().orElseThrow(() -> RedisTlsException.badInput(
                "no root CA in " + r.caHome().dir() + ": pass the --ca-home that made " + r.keysDir().dir()));
        // --force does not override this: a client certificate from another root would be refused by the node.
        List<X509Certificate> trusted = r.keysDir().trustedRoots();
        if (!trusted.isEmpty() && !trusted.contains(ca.certificate())) {
            throw RedisTlsException.badInput("keys dir " + r.keysDir().dir() + " trusts another root ("
                    + trusted.get(0).getSubjectX500Principal().getName() + ") than CA home " + r.caHome().dir()
                    + ": pass the --ca-home that made this keys dir" + (r.caHome().rotating()
                    ? ", or run 'redis-tls ca rotate begin' on the node first" : ""));
        }
        if (!r.force() && (r.keysDir().has(r.keysDir().clientCert(name)) || r.keysDir().has(r.keysDir().clientKey(name)))) {
            throw RedisTlsException.badInput("client certificate " + r.keysDir().clientCert(name)
                    + " already exists: pass --force to re-issue it");
        }
        r.keysDir().prepare(r.owner());
        IssuedCertificate client = ca.issueClient(name, r.keyType(), r.days());
        // The trust file keeps every root the node trusts (a rollover's two).
        List<X509Certificate> trust = new ArrayList<>(trusted.isEmpty() ? List.of(ca.certificate()) : trusted);
        r.keysDir().stageClient(new FileBatch(r.keysDir().host(), false), trust, name, client, r.owner()).commit();
        return client;
    }
}
