package dev.redistls.ssh;

import dev.redistls.RedisTlsException;
import org.apache.sshd.client.config.hosts.KnownHostEntry;
import org.apache.sshd.client.keyverifier.KnownHostsServerKeyVerifier;
import org.apache.sshd.client.keyverifier.RejectAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.signature.Signature;
import org.apache.sshd.common.util.net.SshdSocketAddress;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Strict host key checking against one known_hosts file (hashed entries and {@code [host]:port} entries as OpenSSH
 * writes them): a key found there is accepted, anything else refused, nothing ever added. What was refused is kept
 * so that the connection failure can say why, with the fingerprint and the command that trusts the key.
 */
final class HostKeyCheck extends KnownHostsServerKeyVerifier {
    private final SshSettings settings;
    private final AtomicReference<RedisTlsException> refusal = new AtomicReference<>();

    HostKeyCheck(SshSettings settings) {
        super(RejectAllServerKeyVerifier.INSTANCE, settings.knownHosts());
        this.settings = settings;
        // Never write to known_hosts, whatever MINA is asked to do with a modified key.
        setModifiedServerKeyAcceptor((session, remote, entry, expected, actual) -> false);
    }

    /** Why the host key was refused, if it was. */
    RedisTlsException refusal() {
        return refusal.get();
    }

    /**
     * The key types known_hosts holds for the target, so that key exchange asks for one of those first, as
     * OpenSSH does: a host whose ECDSA key alone is known must not be refused because it also has an ED25519 one.
     */
    List<NamedFactory<Signature>> preferKnownTypes(List<NamedFactory<Signature>> factories) {
        Set<String> known = new TreeSet<>();
        try {
            if (Files.isRegularFile(settings.knownHosts())) {
                for (KnownHostEntry e : KnownHostEntry.readKnownHostEntries(settings.knownHosts())) {
                    if (e.getMarker() == null && e.isHostMatch(settings.hostName(), settings.port())) {
                        known.add(KeyUtils.getCanonicalKeyType(e.getKeyEntry().getKeyType()));
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            return factories; // an unreadable file is reported by the check itself
        }
        List<NamedFactory<Signature>> first = new ArrayList<>();
        List<NamedFactory<Signature>> rest = new ArrayList<>();
        for (NamedFactory<Signature> f : factories) {
            (known.contains(KeyUtils.getCanonicalKeyType(f.getName())) ? first : rest).add(f);
        }
        first.addAll(rest);
        return first;
    }

    @Override
    protected Collection<SshdSocketAddress> resolveHostNetworkIdentities(ClientSession session, SocketAddress remote) {
        Collection<SshdSocketAddress> ids = super.resolveHostNetworkIdentities(session, remote);
        // Through a ProxyJump, MINA reaches the target through a local forward: the names to check are the
        // target's, not 127.0.0.1's.
        if (settings.proxyJump().isPresent() && remote instanceof InetSocketAddress a && a.getAddress() != null
                && a.getAddress().isLoopbackAddress() && !isLoopbackName(settings.hostName())) {
            ids = new TreeSet<>(SshdSocketAddress.BY_HOST_AND_PORT);
            ids.add(new SshdSocketAddress(settings.hostName(), settings.port()));
        }
        return ids;
    }

    private static boolean isLoopbackName(String name) {
        return name.equals("localhost") || name.startsWith("127.") || name.equals("::1");
    }

    @Override
    protected boolean acceptUnknownHostKey(ClientSession session, SocketAddress remote, PublicKey key) {
        refusal.compareAndSet(null, unknown(key, ""));
        return false;
    }

    @Override
    protected boolean acceptIncompleteHostKeys(ClientSession session, SocketAddress remote, PublicKey key, Throwable reason) {
        refusal.compareAndSet(null, RedisTlsException.badInput("cannot read the known hosts file " + settings.knownHosts()
                + " to check the host key of " + settings.display() + ": " + Messages.oneLine(reason)));
        return false;
    }

    @Override
    protected void handleRevokedKey(ClientSession session, SocketAddress remote, PublicKey key) {
        refusal.compareAndSet(null, RedisTlsException.badInput("the host key of " + settings.display() + " (" + describe(key)
                + ") is marked @revoked in " + settings.knownHosts() + "; refused"));
    }

    @Override
    public boolean acceptModifiedServerKey(ClientSession session, SocketAddress remote, KnownHostEntry entry,
                                           PublicKey expected, PublicKey actual) {
        if (!KeyUtils.getKeyType(expected).equals(KeyUtils.getKeyType(actual))) {
            // Another type than the one on file: not proof of a change, but nothing we may trust either.
            refusal.compareAndSet(null, unknown(actual, " (" + settings.knownHosts() + " holds only a "
                    + typeName(expected) + " key for it)"));
            return false;
        }
        refusal.compareAndSet(null, RedisTlsException.badInput("WARNING: the host key of " + settings.display()
                + " has CHANGED: it now presents " + describe(actual) + " where " + settings.knownHosts() + " has "
                + KeyUtils.getFingerPrint(expected) + "; someone may be intercepting the connection, or the host was"
                + " reinstalled. Refused. If the change is expected and you checked the new fingerprint on the host, run: "
                + "ssh-keygen -R '" + knownHostsName() + "' -f " + settings.knownHosts() + " && " + keyscan(actual)));
        return false;
    }

    private RedisTlsException unknown(PublicKey key, String note) {
        return RedisTlsException.badInput("unknown host key for " + settings.display() + ": " + describe(key)
                + " is not in " + settings.knownHosts() + note + "; check that fingerprint on the host (ssh-keygen -lf "
                + "/etc/ssh/ssh_host_" + keyscanType(key) + "_key.pub), then trust it: " + keyscan(key));
    }

    private String keyscan(PublicKey key) {
        return "ssh-keyscan " + (settings.port() == 22 ? "" : "-p " + settings.port() + " ") + "-t " + keyscanType(key)
                + " " + settings.hostName() + " >> " + settings.knownHosts();
    }

    private String knownHostsName() {
        return settings.port() == 22 ? settings.hostName() : "[" + settings.hostName() + "]:" + settings.port();
    }

    static String describe(PublicKey key) {
        return typeName(key) + " key " + KeyUtils.getFingerPrint(key);
    }

    private static String typeName(PublicKey key) {
        return keyscanType(key).toUpperCase(Locale.ROOT);
    }

    private static String keyscanType(PublicKey key) {
        String t = KeyUtils.getKeyType(key);
        if (t.contains("ed25519")) {
            return "ed25519";
        }
        if (t.startsWith("ecdsa")) {
            return "ecdsa";
        }
        return t.contains("rsa") ? "rsa" : t;
    }
}
