package dev.redistls.ssh;

import dev.redistls.RedisTlsException;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.auth.pubkey.UserAuthPublicKeyFactory;
import org.apache.sshd.client.config.hosts.HostConfigEntry;
import org.apache.sshd.client.future.ConnectFuture;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.keyprovider.KeyIdentityProvider;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;
import org.apache.sshd.core.CoreModuleProperties;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * The one SSH connection to a host: TCP connect, key exchange with strict host key checking, public key
 * authentication (key files, then ssh-agent; never a password, never a prompt). Every way this can fail is one line
 * that names the host and says what to do: exit 2 for what the user must fix in their input or trust
 * (unknown or changed host key, unusable key file, a name that does not resolve), exit 1 for the rest.
 */
final class SshSession implements AutoCloseable {
    private static final String BC_NAMED = "org.apache.sshd.security.provider.BC.useNamed";
    private static final Duration AUTH_TIMEOUT = Duration.ofSeconds(30);

    static {
        // MINA would add Bouncy Castle to the JVM's security providers, where it then wins lookups the rest of the
        // tool makes (an EC key read as "ECDSA" no longer matches its certificate's "EC" key). MINA uses the
        // provider instance directly instead; ed25519 works the same.
        if (System.getProperty(BC_NAMED) == null) {
            System.setProperty(BC_NAMED, "false");
        }
    }

    private final SshSettings settings;
    private final SshClient client;
    private final ClientSession session;
    private final Timings timings;
    private final CloseReason closeReason;

    private SshSession(SshSettings settings, SshClient client, ClientSession session, Timings timings, CloseReason closeReason) {
        this.settings = settings;
        this.client = client;
        this.session = session;
        this.timings = timings;
        this.closeReason = closeReason;
    }

    static SshSession open(SshSettings s) {
        Timings timings = new Timings();
        Identities ids = Identities.load(s);
        if (s.proxyJump().isEmpty()) {
            long start = System.nanoTime();
            try {
                InetAddress.getAllByName(s.hostName());
            } catch (UnknownHostException e) {
                throw RedisTlsException.badInput("cannot resolve " + s.hostName() + " (the SSH host of " + s.target()
                        + "): check the name, or give its address or a HostName in the SSH config");
            } finally {
                timings.add("resolve", start);
            }
        }
        HostKeyCheck check = new HostKeyCheck(s);
        SshClient client = client(s, check);
        CloseReason closeReason = new CloseReason();
        client.addSessionListener(closeReason);
        client.start();
        ClientSession session = null;
        try {
            long start = System.nanoTime();
            HostConfigEntry entry = new HostConfigEntry(s.target().name(), s.hostName(), s.port(), s.user());
            entry.setIdentitiesOnly(true); // the keys are ours to offer (below), plus the agent's
            s.proxyJump().ifPresent(entry::setProxyJump);
            ConnectFuture cf = client.connect(entry, null, null);
            if (!cf.await(s.connectTimeout())) {
                cf.cancel();
                throw new Failure(noAnswer(s));
            }
            if (cf.getException() != null) {
                throw new Failure(connectFailed(s, cf.getException()));
            }
            session = cf.getSession();
            timings.add("connect", start);
            for (KeyPair k : ids.keys()) {
                session.addPublicKeyIdentity(k);
            }
            start = System.nanoTime();
            try {
                session.auth().verify(AUTH_TIMEOUT);
            } catch (IOException | RuntimeException e) {
                if (check.refusal() != null) {
                    throw new Failure(check.refusal());
                }
                throw new Failure(authFailed(s, ids, e));
            }
            timings.add("key exchange and auth", start);
            return new SshSession(s, client, session, timings, closeReason);
        } catch (Failure f) {
            closeQuietly(session, client);
            throw f.exception;
        } catch (IOException | RuntimeException e) {
            closeQuietly(session, client);
            RedisTlsException refusal = check.refusal();
            throw refusal != null ? refusal : RedisTlsException.failed("cannot connect to " + s.display() + ": " + Messages.oneLine(e), e);
        }
    }

    /** Carries a finished message out of the try block that closes what was opened. */
    private static final class Failure extends IOException {
        final RedisTlsException exception;

        Failure(RedisTlsException exception) {
            super(exception.getMessage());
            this.exception = exception;
        }
    }

    private static SshClient client(SshSettings s, HostKeyCheck check) {
        SshClient client = SshClient.setUpDefaultClient();
        client.setServerKeyVerifier(check);
        client.setSignatureFactories(check.preferKnownTypes(client.getSignatureFactories()));
        // Public keys only: no password, no keyboard-interactive, so nothing can ever prompt.
        client.setUserAuthFactories(List.of(UserAuthPublicKeyFactory.INSTANCE));
        client.setKeyIdentityProvider(KeyIdentityProvider.EMPTY_KEYS_PROVIDER);
        client.setUserInteraction(null);
        s.agentSocket().ifPresent(p -> client.setAgentFactory(UnixAgent.factory(p)));
        client.setHostConfigEntryResolver(s.resolver()); // for ProxyJump hops, read from the same config
        CoreModuleProperties.IO_CONNECT_TIMEOUT.set(client, s.connectTimeout());
        // One command may work for long with a quiet connection: no idle cut, but a dead peer is noticed.
        CoreModuleProperties.IDLE_TIMEOUT.set(client, Duration.ZERO);
        // Many small request/answer exchanges (SFTP calls, Redis commands in forwarded channels): without this, each
        // one can wait for a delayed ACK (~40 ms).
        CoreModuleProperties.TCP_NODELAY.set(client, true);
        CoreModuleProperties.HEARTBEAT_INTERVAL.set(client, Duration.ofSeconds(10));
        CoreModuleProperties.HEARTBEAT_REPLY_WAIT.set(client, Duration.ofSeconds(10));
        CoreModuleProperties.HEARTBEAT_NO_REPLY_MAX.set(client, 3);
        return client;
    }

    private static RedisTlsException noAnswer(SshSettings s) {
        return RedisTlsException.failed(s.display() + " did not answer on port " + s.port() + " within "
                + s.connectTimeout().toSeconds() + " s: the host is down, or a firewall drops SSH; check the address"
                + " and port (ConnectTimeout in the SSH config waits longer)");
    }

    private static RedisTlsException connectFailed(SshSettings s, Throwable e) {
        // MINA's own connect timeout (the same ConnectTimeout) may end the wait first: a ConnectException caused by a
        // TimeoutException, which is no refusal.
        if (Messages.cause(e, TimeoutException.class) != null) {
            return noAnswer(s);
        }
        if (Messages.cause(e, ConnectException.class) != null) {
            return RedisTlsException.failed(s.display() + " refused the SSH connection on port " + s.port()
                    + ": is sshd running there, on that port?");
        }
        if (Messages.cause(e, NoRouteToHostException.class) != null || Messages.oneLine(e).contains("unreachable")) {
            return RedisTlsException.failed("no route to " + s.display() + " (port " + s.port() + "): " + Messages.oneLine(e)
                    + "; check the address and the network");
        }
        if (Messages.cause(e, UnknownHostException.class) != null) {
            return RedisTlsException.badInput("cannot resolve " + Messages.oneLine(e) + " (on the way to " + s.display()
                    + "): check the name and the SSH config");
        }
        return RedisTlsException.failed("cannot connect to " + s.display() + " on port " + s.port() + ": " + Messages.oneLine(e));
    }

    private static RedisTlsException authFailed(SshSettings s, Identities ids, Throwable e) {
        String msg = Messages.oneLine(e);
        if (msg.contains("No more authentication methods") || msg.contains("authentication")) {
            String offered = ids.offered().isEmpty() ? "no key file" : ids.offered().stream().map(Object::toString).collect(Collectors.joining(", "));
            return RedisTlsException.failed(s.display() + " refused to authenticate " + s.user() + " with " + offered
                    + (s.agentSocket().isPresent() ? " and the agent's keys" : "") + ": add the public key to ~" + s.user()
                    + "/.ssh/authorized_keys there, or name the right key with IdentityFile in the SSH config");
        }
        return RedisTlsException.failed("the SSH connection to " + s.display() + " failed before login: " + msg);
    }

    private static void closeQuietly(ClientSession session, SshClient client) {
        try {
            if (session != null) {
                session.close(true);
            }
        } finally {
            client.stop();
        }
    }

    SshSettings settings() {
        return settings;
    }

    ClientSession session() {
        return session;
    }

    Timings timings() {
        return timings;
    }

    boolean isOpen() {
        return session.isOpen() && !session.isClosing();
    }

    /** Why the connection went away, as far as either side said ("" when nobody did: the network dropped it). */
    String closeReason() {
        return closeReason.text();
    }

    /**
     * Records the first thing that ended the connection: a disconnect message (ours or the server's, with its
     * reason) or an error MINA closed the session on. Without it a dropped connection says nothing of why.
     */
    private static final class CloseReason implements SessionListener {
        private volatile String text = "";

        @Override
        public void sessionException(Session session, Throwable t) {
            set("error: " + Messages.oneLine(t));
        }

        @Override
        public void sessionDisconnect(Session session, int reason, String msg, String language, boolean initiator) {
            set((initiator ? "disconnected by us: " : "the server disconnected: ") + SshConstants.getDisconnectReasonName(reason)
                    + (msg == null || msg.isBlank() ? "" : " (" + msg.strip() + ")"));
        }

        private synchronized void set(String what) {
            if (text.isEmpty()) {
                text = what;
            }
        }

        String text() {
            return text;
        }
    }

    @Override
    public void close() {
        closeQuietly(session, client);
    }
}
