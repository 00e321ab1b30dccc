package dev.redistls.node;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.redistls.RedisTlsException;
import dev.redistls.conf.ConfChange;
import dev.redistls.files.FileError;
import dev.redistls.files.SafeFiles;
import dev.redistls.host.FileStat;
import dev.redistls.host.Host;
import dev.redistls.pki.KeysDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What install did to a node, kept in its keys dir ({@code install.json}: owned by root, 0600, in a directory only
 * root writes, because it holds the original config — maybe a password — and because uninstall writes what it says
 * into redis.conf). Configure builds on it, uninstall restores exactly what was there.
 * <p>
 * The record is written before the config it describes, so a run killed in between leaves a record that knows both
 * the config before ({@code previousSha256}) and after ({@code installedSha256}): either is recognised as the tool's,
 * and running the same command again finishes the change. Uninstall marks it {@code uninstalling} (with the bytes it
 * restores, {@code restoredSha256}) and deletes it last.
 *
 * @param conf            the config file installed into
 * @param originalConf    the config's bytes before install, base64 (restored as they were when nobody edited since)
 * @param installedSha256 SHA-256 of the config as the tool last wrote it
 * @param previousSha256  SHA-256 of the config before that write
 * @param changes         the lines changed, with what was there before
 * @param mode            "dual" or "tls-only"
 * @param tlsProfile      the TLS profile ("intermediate" or "modern"; absent in records older than profiles)
 * @param firewallBackend the firewall backend that opened {@code firewallPort}, or null
 * @param uninstalling    an uninstall began and did not finish
 * @param restoredSha256  SHA-256 of the config uninstall writes back
 */
public record InstallRecord(int version, String conf, String originalConf, String installedSha256,
                            String previousSha256, List<ConfChange> changes, String mode, int port, int tlsPort,
                            String authClients, boolean replication, boolean cluster, String tlsProfile,
                            String firewallBackend, int firewallPort, boolean uninstalling, String restoredSha256) {
    public static final String FILE = "install.json";

    /** Made at first use: {@link #conf} does without it. */
    private static final class Mapper {
        static final ObjectMapper INSTANCE = new ObjectMapper()
                .enable(SerializationFeature.INDENT_OUTPUT)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }

    public InstallRecord {
        changes = changes == null ? List.of() : List.copyOf(changes);
    }

    /** A first record for a config whose bytes before install are {@code original} (base64). */
    public static InstallRecord first(Path conf, String originalBase64) {
        return new InstallRecord(2, conf.toString(), originalBase64, null, null, List.of(), null, 0, 0, null,
                false, false, null, null, 0, false, null);
    }

    public static Path path(KeysDir keys) {
        return keys.dir().resolve(FILE);
    }

    /**
     * The record of a keys dir, if any. It is trusted only when it is a regular file owned by root (or the tool's
     * user) that nobody else can write: otherwise someone else could have written what uninstall would put into
     * redis.conf, and the record is refused with the fix.
     */
    public static Optional<InstallRecord> load(KeysDir keys) {
        return trustedBytes(keys).map(bytes -> {
            try {
                return Mapper.INSTANCE.readValue(bytes, InstallRecord.class);
            } catch (IOException e) {
                throw corrupt(keys);
            }
        });
    }

    /**
     * Only the {@code conf} of the record of a keys dir, if any, trusted as {@link #load} trusts it: what status
     * needs to tell an installed node. Read with Jackson's streaming parser, without the data binding that
     * {@link #load} sets up (about 50 ms of a cold status).
     */
    public static Optional<String> conf(KeysDir keys) {
        return trustedBytes(keys).map(bytes -> {
            try (JsonParser p = new JsonFactory().createParser(bytes)) {
                if (p.nextToken() != JsonToken.START_OBJECT) {
                    throw corrupt(keys);
                }
                String conf = null;
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String field = p.currentName();
                    JsonToken value = p.nextToken();
                    if (field.equals("conf") && value == JsonToken.VALUE_STRING) {
                        conf = p.getText();
                    }
                    p.skipChildren();
                }
                if (conf == null || p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
                    throw corrupt(keys);
                }
                return conf;
            } catch (IOException e) {
                throw corrupt(keys);
            }
        });
    }

    private static RedisTlsException corrupt(KeysDir keys) {
        return RedisTlsException.badInput("install record " + path(keys) + FileError.where(keys.host()) + " is unreadable or corrupt");
    }

    private static Optional<byte[]> trustedBytes(KeysDir keys) {
        Host host = keys.host();
        SafeFiles files = new SafeFiles(host);
        Path p = path(keys);
        Optional<FileStat> st = files.lstat(p);
        if (st.isEmpty()) {
            return Optional.empty();
        }
        int euid = host.facts().euid();
        FileStat s = st.get();
        if (!s.isFile() || (s.uid() != 0 && s.uid() != euid) || s.groupOrOthersWrite()) {
            throw RedisTlsException.badInput("install record " + p + FileError.where(host) + " is not trustworthy ("
                    + (s.isFile() ? "mode " + s.octal() + ", owner uid " + s.uid() : "not a regular file")
                    + "): someone else could have written it; check it, then 'chown root " + p + " && chmod 600 " + p + "'");
        }
        keys.requireTrusted(keys.dir(), dev.redistls.files.FileOwner.current(host));
        try {
            return Optional.of(files.read(p));
        } catch (IOException e) {
            throw corrupt(keys);
        }
    }

    public byte[] toBytes() {
        try {
            return Mapper.INSTANCE.writeValueAsBytes(this);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether {@code sha256} is a config the tool wrote (or had before its last, maybe interrupted, write). */
    public boolean wrote(String sha256) {
        return List.of(nonNull(installedSha256), nonNull(previousSha256), nonNull(restoredSha256)).contains(sha256);
    }

    private static String nonNull(String s) {
        return s == null ? "" : s;
    }

    /** This record after a write of a config with SHA-256 {@code installedSha256} over one with {@code previousSha256}. */
    public InstallRecord with(String installedSha256, String previousSha256, List<ConfChange> changes, String mode,
                              int port, int tlsPort, String authClients, boolean replication, boolean cluster,
                              String tlsProfile, String firewallBackend, int firewallPort) {
        return new InstallRecord(2, conf, originalConf, installedSha256, previousSha256, new ArrayList<>(changes), mode,
                port, tlsPort, authClients, replication, cluster, tlsProfile, firewallBackend, firewallPort, false, null);
    }

    /** This record marked: an uninstall restoring a config with SHA-256 {@code restoredSha256} is under way. */
    public InstallRecord uninstalling(String restoredSha256) {
        return new InstallRecord(version, conf, originalConf, installedSha256, previousSha256, changes, mode, port,
                tlsPort, authClients, replication, cluster, tlsProfile, firewallBackend, firewallPort, true, restoredSha256);
    }
}
