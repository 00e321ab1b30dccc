package dev.redistls.conf;

import dev.redistls.RedisTlsException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Golden files for config edits, compared byte for byte; the stock Debian 12 redis.conf round-trips unchanged. */
class ConfEditorTest {
    static final Path KEYS = Path.of("/etc/redis/tls");
    static final TlsSettings DUAL = new TlsSettings(6379, 6380, AuthClients.OPTIONAL, false, false, dev.redistls.conf.TlsProfile.INTERMEDIATE,
            KEYS.resolve("server/server.crt"), KEYS.resolve("server/server.key"), KEYS.resolve("server/root.crt"));

    static String resource(String name) throws IOException {
        try (InputStream in = ConfEditorTest.class.getResourceAsStream("/conf/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void stockDebianConfigRoundTripsByteForByte() throws IOException {
        String stock = resource("debian12-redis.conf");
        RedisConf conf = RedisConf.parse(Path.of("/etc/redis/redis.conf"), stock);
        assertThat(conf.text()).isEqualTo(stock);
        assertThat(EffectiveConf.of(conf).value("port")).hasValue("6379");
        assertThat(EffectiveConf.of(conf).value("bind")).hasValue("127.0.0.1");
    }

    @Test
    void dualModeOnDebianConfigMatchesGolden() throws IOException {
        RedisConf conf = RedisConf.parse(Path.of("/etc/redis/redis.conf"), resource("debian12-redis.conf"));
        List<ConfChange> changes = ConfEditor.apply(conf, DUAL.directives(), List.of());
        assertThat(conf.text()).isEqualTo(resource("debian12-redis.dual.golden"));
        // port stays 6379 and the defaults (replication, cluster) are not written: only what changes is written
        assertThat(changes).extracting(ConfChange::directive).containsExactly(
                "tls-cert-file", "tls-key-file", "tls-ca-cert-file", "tls-auth-clients", "tls-protocols", "tls-ciphers",
                "tls-ciphersuites", "tls-prefer-server-ciphers", "tls-port");
    }

    @Test
    void tlsOnlyWithReplicationAndClusterMatchesGolden() throws IOException {
        RedisConf conf = RedisConf.parse(Path.of("/etc/redis/redis.conf"), resource("debian12-redis.conf"));
        TlsSettings tlsOnly = new ModeChange(null, null, true, AuthClients.YES, true, true, null).applyTo(DUAL);
        ConfEditor.apply(conf, tlsOnly.directives(), List.of());
        assertThat(conf.text()).isEqualTo(resource("debian12-redis.tls-only.golden"));
    }

    @Test
    void revertRestoresTheOriginalExactly() throws IOException {
        String stock = resource("debian12-redis.conf");
        RedisConf conf = RedisConf.parse(Path.of("/etc/redis/redis.conf"), stock);
        List<ConfChange> first = ConfEditor.apply(conf, DUAL.directives(), List.of());
        TlsSettings tlsOnly = new ModeChange(null, null, true, AuthClients.YES, true, false, null).applyTo(DUAL);
        List<ConfChange> all = ConfEditor.apply(conf, tlsOnly.directives(), first);
        ConfEditor.Reverted r = ConfEditor.revert(conf, all);
        assertThat(r.handEdited()).isEmpty();
        assertThat(conf.text()).isEqualTo(stock);
    }

    @Test
    void revertKeepsAPersonsEditsAndReportsHandEditedOwnedLines() {
        String original = "# my redis\nport 6379\nmaxmemory 1gb\n";
        RedisConf conf = RedisConf.parse(Path.of("redis.conf"), original);
        List<ConfChange> changes = ConfEditor.apply(conf, DUAL.directives(), List.of());
        String installed = conf.text();
        // A person edits an unrelated line and one of ours.
        RedisConf edited = RedisConf.parse(Path.of("redis.conf"), installed
                .replace("maxmemory 1gb", "maxmemory 2gb")
                .replace("tls-auth-clients optional", "tls-auth-clients yes"));
        ConfEditor.Reverted r = ConfEditor.revert(edited, changes);
        assertThat(edited.text()).isEqualTo("# my redis\nport 6379\nmaxmemory 2gb\n");
        assertThat(r.handEdited()).singleElement().asString().contains("tls-auth-clients was edited by hand");
    }

    @Test
    void keepsCrlfLineEndingsAndAMissingFinalNewline() {
        String original = "port 7000\r\nbind 127.0.0.1\r\nmaxclients 10";
        RedisConf conf = RedisConf.parse(Path.of("redis.conf"), original);
        List<ConfChange> changes = ConfEditor.apply(conf, DUAL.directives(), List.of());
        assertThat(conf.text()).startsWith("port 6379\r\nbind 127.0.0.1\r\nmaxclients 10\r\ntls-cert-file ")
                .doesNotEndWith("\n").contains("\r\ntls-port 6380");
        ConfEditor.revert(conf, changes);
        assertThat(conf.text()).isEqualTo("port 7000\r\nbind 127.0.0.1\r\nmaxclients 10\r\n");
    }

    @Test
    void lastOccurrenceWinsAndIsTheOneEdited() {
        RedisConf conf = RedisConf.parse(Path.of("redis.conf"), "port 6379\nport 7000\n");
        assertThat(EffectiveConf.of(conf).value("port")).hasValue("7000");
        ConfEditor.apply(conf, java.util.Map.of("port", List.of("0")), List.of());
        assertThat(conf.text()).isEqualTo("port 6379\nport 0\n");
    }

    @Test
    void refusesADirectiveOverriddenByAnInclude(@TempDir Path dir) throws IOException {
        Path inc = dir.resolve("tls.conf");
        Files.writeString(inc, "tls-port 6390\n");
        Path main = dir.resolve("redis.conf");
        Files.writeString(main, "port 6379\ninclude " + inc + "\n");
        RedisConf conf = RedisConf.read(new dev.redistls.files.SafeFiles(new dev.redistls.host.LocalHost()), main);
        assertThat(EffectiveConf.of(conf).value("tls-port")).hasValue("6390");
        assertThatThrownBy(() -> ConfEditor.apply(conf, DUAL.directives(), List.of()))
                .isInstanceOf(RedisTlsException.class)
                .hasMessageContaining("tls-port is set in included file " + inc);
    }

    @Test
    void unbalancedQuotesInADirectiveAreBadInputButCommentsMayHoldAnything() {
        assertThat(RedisConf.parse(Path.of("r.conf"), "# don't \"quote\nport 1\n").text()).contains("don't");
        assertThatThrownBy(() -> RedisConf.parse(Path.of("r.conf"), "logfile \"/var/log/x\n"))
                .isInstanceOf(RedisTlsException.class).hasMessage("r.conf line 1: unbalanced quotes (Redis would refuse this file)");
    }
}
