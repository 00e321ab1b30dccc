package dev.redistls.install;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.redistls.RedisTlsException;
import dev.redistls.conf.ConfChange;
import dev.redistls.pki.KeysDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What install did to a node, kept in its keys dir ({@code install.json}, 0600: it holds the original config,
 * which may hold a password) so that configure builds on it and uninstall restores exactly what was there.
 *
 * @param conf            the config file installed into
 * @param originalConf    the config's bytes before install, base64 (restored as they were when nobody edited since)
 * @param installedSha256 SHA-256 of the config as the tool last wrote it
 * @param changes         the lines changed, with what was there before
 * @param mode            "dual" or "tls-only"
 * @param firewallBackend the firewall backend that opened {@code firewallPort}, or null
 */
public record InstallRecord(int version, String conf, String originalConf, String installedSha256,
                            List<ConfChange> changes, String mode, int port, int tlsPort, String authClients,
                            boolean replication, boolean cluster, String firewallBackend, int firewallPort) {
    static final String FILE = "install.json";
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public InstallRecord {
        changes = changes == null ? List.of() : List.copyOf(changes);
    }

    public static Path path(KeysDir keys) {
        return keys.dir().resolve(FILE);
    }

    public static Optional<InstallRecord> load(KeysDir keys) {
        Path p = path(keys);
        if (!Files.exists(p)) {
            return Optional.empty();
        }
        try {
            return Optional.of(MAPPER.readValue(p.toFile(), InstallRecord.class));
        } catch (IOException e) {
            throw RedisTlsException.badInput("install record " + p + " is unreadable or corrupt");
        }
    }

    public byte[] toBytes() {
        try {
            return MAPPER.writeValueAsBytes(this);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public InstallRecord with(String installedSha256, List<ConfChange> changes, String mode, int port, int tlsPort,
                              String authClients, boolean replication, boolean cluster,
                              String firewallBackend, int firewallPort) {
        return new InstallRecord(version, conf, originalConf, installedSha256, new ArrayList<>(changes), mode, port,
                tlsPort, authClients, replication, cluster, firewallBackend, firewallPort);
    }
}
