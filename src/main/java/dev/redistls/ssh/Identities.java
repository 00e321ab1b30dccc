package dev.redistls.ssh;

import dev.redistls.RedisTlsException;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.util.io.resource.PathResource;
import org.apache.sshd.common.util.security.SecurityUtils;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The private keys a connection may offer, read before any network traffic so that a key file we cannot use is
 * reported as such (exit 2), not as a refused login. Never a password: a key protected by a passphrase is used
 * through ssh-agent, or refused with the command that loads it there.
 */
record Identities(List<KeyPair> keys, List<Path> offered) {
    /** OpenSSH's default identities, in its order, for when the config names none or IdentitiesOnly is off. */
    private static final List<String> DEFAULTS = List.of("id_ed25519", "id_ecdsa", "id_rsa");

    static Identities load(SshSettings s) {
        List<KeyPair> keys = new ArrayList<>();
        List<Path> offered = new ArrayList<>();
        for (Path file : s.identityFiles()) {
            // OpenSSH skips a named identity that does not exist (a "Host *" block names keys not every host has).
            if (Files.exists(file)) {
                read(file, s, true).ifPresent(k -> {
                    keys.addAll(k);
                    offered.add(file);
                });
            }
        }
        if (!s.identitiesOnly()) {
            for (String name : DEFAULTS) {
                Path file = s.home().resolve(".ssh").resolve(name);
                if (Files.isRegularFile(file) && !s.identityFiles().contains(file)) {
                    read(file, s, false).ifPresent(k -> {
                        keys.addAll(k);
                        offered.add(file);
                    });
                }
            }
        }
        return new Identities(keys, offered);
    }

    private static java.util.Optional<List<KeyPair>> read(Path file, SshSettings s, boolean named) {
        AtomicBoolean encrypted = new AtomicBoolean();
        FilePasswordProvider noPassphrase = (session, resource, retry) -> {
            encrypted.set(true);
            return null;
        };
        try (InputStream in = Files.newInputStream(file)) {
            List<KeyPair> pairs = new ArrayList<>();
            Iterable<KeyPair> loaded = SecurityUtils.loadKeyPairIdentities(null, new PathResource(file), in, noPassphrase);
            if (loaded != null) {
                loaded.forEach(pairs::add);
            }
            if (pairs.isEmpty()) {
                throw new IOException("no private key in it");
            }
            return java.util.Optional.of(pairs);
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            if (encrypted.get()) {
                if (s.agentSocket().isPresent() || !named) {
                    return java.util.Optional.empty(); // the agent may hold it; a default key is only a candidate
                }
                throw RedisTlsException.badInput("the key file " + file + " for " + s.display() + " is protected by a"
                        + " passphrase and redis-tls never asks for one: load it into ssh-agent (ssh-add " + file + ")");
            }
            if (!named) {
                return java.util.Optional.empty();
            }
            throw RedisTlsException.badInput("cannot use the key file " + file + " (IdentityFile for " + s.display()
                    + "): " + Messages.oneLine(e) + "; give an OpenSSH or PEM private key (ed25519, ECDSA or RSA)");
        }
    }
}
