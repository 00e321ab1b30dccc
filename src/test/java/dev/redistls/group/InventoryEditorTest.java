package dev.redistls.group;

import dev.redistls.RedisTlsException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** add-node's edit: the entry lands after the last node, indented like the others, and nothing else moves. */
class InventoryEditorTest {
    static final Path FILE = Path.of("/srv/orders.yaml");

    @Test
    void appendsAfterTheLastNodeKeepingEveryOtherByte() {
        String text = """
                # orders, eu-west
                name: orders
                nodes:
                    # the master
                  - host: redis1     # first
                    conf: /etc/redis/redis.conf
                    san: [10.0.0.1,
                          redis1]

                  - host: redis2
                    conf: "/etc/redis/redis.conf"
                # sentinels follow
                sentinels:
                  - host: redis1
                    conf: /etc/redis/sentinel.conf
                """;
        InventoryEditor.Edit edit = InventoryEditor.appendNode(FILE, text, InventoryEditor.entry("deploy@redis3", true,
                Path.of("/etc/redis/redis.conf"), Path.of("/etc/redis/tls"), 6380, "redis3.example.net",
                List.of("10.0.0.3", "redis 3"), null));
        assertThat(edit.text()).isEqualTo("""
                # orders, eu-west
                name: orders
                nodes:
                    # the master
                  - host: redis1     # first
                    conf: /etc/redis/redis.conf
                    san: [10.0.0.1,
                          redis1]

                  - host: redis2
                    conf: "/etc/redis/redis.conf"
                  - host: deploy@redis3
                    become: true
                    conf: /etc/redis/redis.conf
                    keys-dir: /etc/redis/tls
                    tls-port: 6380
                    hostname: redis3.example.net
                    san: [10.0.0.3, "redis 3"]
                # sentinels follow
                sentinels:
                  - host: redis1
                    conf: /etc/redis/sentinel.conf
                """);
        assertThat(edit.line()).isEqualTo(12);
        Inventory inv = InventoryReader.parse(FILE, edit.text());
        Inventory.Member added = inv.nodes().get(2);
        assertThat(added.host()).isEqualTo("deploy@redis3");
        assertThat(added.become()).isTrue();
        assertThat(added.tlsPort()).isEqualTo(6380);
        assertThat(added.sans()).containsExactly("10.0.0.3", "redis 3");
        assertThat(added.line()).isEqualTo(12);
    }

    @Test
    void appendsAtTheEndOfAFileWithoutAFinalNewlineAndOtherIndentation() {
        String text = "name: g\nnodes:\n- conf: /a/redis.conf\n  tls-port: 6380";
        InventoryEditor.Edit edit = InventoryEditor.appendNode(FILE, text, InventoryEditor.entry(null, false,
                Path.of("/b/redis.conf"), null, null, null, List.of(), "127.0.0.1:7000"));
        assertThat(edit.text()).isEqualTo("name: g\nnodes:\n- conf: /a/redis.conf\n  tls-port: 6380\n"
                + "- conf: /b/redis.conf\n  endpoint: 127.0.0.1:7000\n");
        assertThat(InventoryReader.parse(FILE, edit.text()).nodes()).hasSize(2);
    }

    @ParameterizedTest
    @ValueSource(strings = {"a: b", "#x", "- dash", "yes", "with \"quote\" and \\", "tab\there", "@admin", "x #y"})
    void aValueReadsBackAsItWasWritten(String value) {
        String text = "name: g\nnodes:\n  - conf: /a/redis.conf\n";
        InventoryEditor.Edit edit = InventoryEditor.appendNode(FILE, text, InventoryEditor.entry(null, false,
                Path.of("/b/redis.conf"), null, null, value, List.of(), null));
        assertThat(InventoryReader.parse(FILE, edit.text()).nodes().get(1).hostname()).isEqualTo(value);
    }

    @Test
    void aFlowListIsLeftToAPerson() {
        assertThatThrownBy(() -> InventoryEditor.appendNode(FILE, "name: g\nnodes: [{conf: /a/redis.conf}]\n",
                InventoryEditor.entry(null, false, Path.of("/b/redis.conf"), null, null, null, List.of(), null)))
                .isInstanceOf(RedisTlsException.class)
                .hasMessage("/srv/orders.yaml line 2: 'nodes' is not a block list of '- key: value' entries; add the node by hand");
    }
}
