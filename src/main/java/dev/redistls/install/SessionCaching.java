package dev.redistls.install;

import dev.redistls.RedisTlsException;
import dev.redistls.conf.AuthClients;
import dev.redistls.node.Node;

import java.util.Optional;

/**
 * A trap of Redis's TLS (7.0 and later, tls.c): {@code tls-session-caching no} turns the session cache off without
 * giving OpenSSL a session id context, yet sessions are still offered (TLS 1.3 tickets). Once the server asks for
 * client certificates ({@code tls-auth-clients optional} or {@code yes}), every client that resumes a session gets a
 * fatal alert ("session id context uninitialized" in Redis's log): Java and Python clients fail on their first
 * reconnect, while redis-cli and the tool's own probes, which never resume, see nothing wrong.
 */
final class SessionCaching {
    private SessionCaching() {
    }

    /** Why this config would break resuming clients under {@code auth}, if it would. */
    static Optional<String> problem(Node node, AuthClients auth) {
        boolean off = node.effective().value("tls-session-caching").map("no"::equalsIgnoreCase).orElse(false);
        if (!off || auth == AuthClients.NO) {
            return Optional.empty();
        }
        return Optional.of(node.confPath() + node.where() + " has 'tls-session-caching no', and with tls-auth-clients "
                + auth.word() + " Redis then refuses every client that resumes a TLS session (it logs 'session id context"
                + " uninitialized'): remove that line (caching is on by default), or use --auth-clients no");
    }

    /** Refuses the change before anything is touched. */
    static void require(Node node, AuthClients auth) {
        problem(node, auth).ifPresent(p -> {
            throw RedisTlsException.badInput(p);
        });
    }
}
