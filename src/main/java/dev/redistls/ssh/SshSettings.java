package dev.redistls.ssh;

import dev.redistls.RedisTlsException;
import org.apache.sshd.client.config.hosts.HostConfigEntry;
import org.apache.sshd.client.config.hosts.HostConfigEntryResolver;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What the OpenSSH client config says about one target, resolved the way {@code ssh} resolves it: Host aliases and
 * patterns, HostName, User and Port (a user or port in {@code --host} wins), IdentityFile, IdentitiesOnly,
 * UserKnownHostsFile, IdentityAgent, ProxyJump, ConnectTimeout. MINA parses the file; this class decides defaults.
 */
record SshSettings(SshTarget target, String hostName, int port, String user, List<Path> identityFiles,
                   boolean identitiesOnly, Path knownHosts, Optional<Path> agentSocket, Optional<String> proxyJump,
                   Duration connectTimeout, HostConfigEntryResolver resolver, Path home) {

    /** How long a silent host is waited for when the config says nothing: long enough for a slow link, short enough to fail. */
    static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

    /**
     * @param config the client config, or null for {@code ~/.ssh/config} (missing is fine there, not when given)
     * @param home   the local user's home for {@code ~} (Java's {@code user.home}, from the password database)
     * @param agentFromEnv {@code SSH_AUTH_SOCK}, or null
     */
    static SshSettings resolve(SshTarget target, Path config, Path home, String localUser, String agentFromEnv) {
        Path file = config != null ? config : home.resolve(".ssh").resolve("config");
        List<HostConfigEntry> entries = List.of();
        if (config != null && !Files.isRegularFile(config)) {
            throw RedisTlsException.badInput("--ssh-config " + config + " is not a readable file");
        }
        if (Files.isRegularFile(file)) {
            try {
                entries = HostConfigEntry.readHostConfigEntries(file);
            } catch (IOException | RuntimeException e) {
                throw RedisTlsException.badInput("cannot read the SSH config " + file + ": " + Messages.oneLine(e));
            }
        }
        HostConfigEntryResolver resolver = HostConfigEntry.toHostConfigEntryResolver(entries);
        HostConfigEntry entry;
        try {
            entry = resolver.resolveEffectiveHost(target.name(), target.port(), null, target.user().orElse(null), null, null);
        } catch (IOException | RuntimeException e) {
            throw RedisTlsException.badInput("the SSH config " + file + " has a bad entry for " + target.name() + ": " + Messages.oneLine(e));
        }
        if (entry == null) {
            entry = new HostConfigEntry(target.name(), target.name(), target.port(), target.user().orElse(null));
        }
        String hostName = blankToNull(entry.getHostName()) == null ? target.name() : entry.getHostName();
        int port = target.port() != SshTarget.NO_PORT ? target.port() : entry.getPort() > 0 ? entry.getPort() : 22;
        String user = target.user().orElse(blankToNull(entry.getUsername()) == null ? localUser : entry.getUsername());
        List<Path> ids = entry.getIdentities().stream().map(p -> tilde(p, home)).toList();
        String known = entry.getProperty("UserKnownHostsFile");
        // OpenSSH takes several files here; the first one is where the trust command appends.
        Path knownHosts = known == null || known.isBlank() ? home.resolve(".ssh").resolve("known_hosts")
                : tilde(known.trim().split("\\s+")[0], home);
        String agent = entry.getProperty("IdentityAgent");
        Optional<Path> agentSocket;
        if (agent == null || agent.isBlank() || agent.equals("SSH_AUTH_SOCK")) {
            agentSocket = agentFromEnv == null || agentFromEnv.isBlank() ? Optional.empty() : Optional.of(Path.of(agentFromEnv));
        } else if (agent.equalsIgnoreCase("none")) {
            agentSocket = Optional.empty();
        } else {
            agentSocket = Optional.of(tilde(agent.trim(), home));
        }
        Duration timeout = DEFAULT_CONNECT_TIMEOUT;
        String ct = entry.getProperty("ConnectTimeout");
        if (ct != null && !ct.isBlank()) {
            try {
                timeout = Duration.ofSeconds(Math.max(1, Long.parseLong(ct.trim())));
            } catch (NumberFormatException e) {
                throw RedisTlsException.badInput("the SSH config " + file + " has ConnectTimeout '" + ct.trim() + "' for " + target.name() + ": give seconds");
            }
        }
        return new SshSettings(target, hostName, port, user, ids, entry.isIdentitiesOnly(), knownHosts, agentSocket,
                Optional.ofNullable(blankToNull(entry.getProxyJump())), timeout, resolver, home);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    private static Path tilde(String p, Path home) {
        if (p.equals("~")) {
            return home;
        }
        return p.startsWith("~/") ? home.resolve(p.substring(2)) : Path.of(p);
    }

    /** The host as messages name it: as the user wrote it, with the address when the config changed it. */
    String display() {
        String written = target.toString();
        return hostName.equals(target.name()) ? written : written + " (" + hostName + ")";
    }
}
