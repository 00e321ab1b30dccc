package dev.redistls.group;

import dev.redistls.RedisTlsException;
import dev.redistls.conf.AuthClients;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The inventory: what PRODUCT.md shows reads as it says; every bad input is one line naming file, line and key. */
class InventoryReaderTest {
    static final Path FILE = Path.of("/srv/orders.yaml");

    static final String EXAMPLE = """
            name: orders                     # names the group and its root CA
            ca-home: /var/lib/redis-tls/orders
            defaults:
              keys-dir: /etc/redis/tls
              auth-clients: no
              replication: yes
            nodes:
              - host: admin@redis1.example.net
                conf: /etc/redis/redis.conf
                tls-port: 6380
                hostname: redis1.example.net
                endpoint: 127.0.0.1:6379
                san: [10.0.0.1, redis1]
              - host: redis2
                conf: /etc/redis/redis.conf
                become: true
            sentinels:
              - host: redis1
                conf: /etc/redis/sentinel.conf
                keys-dir: /etc/redis/tls-sentinel
                restart-command: systemctl restart redis-sentinel
              - host: redis2
                conf: /etc/redis/sentinel.conf
            """;

    @Test
    void readsTheDocumentedExample() {
        Inventory inv = InventoryReader.parse(FILE, EXAMPLE);
        assertThat(inv.name()).isEqualTo("orders");
        assertThat(inv.caHome()).isEqualTo(Path.of("/var/lib/redis-tls/orders"));
        assertThat(inv.mode().authClients()).as("YAML 1.2: 'no' is the word").isEqualTo(AuthClients.NO);
        assertThat(inv.mode().replication()).isTrue();
        assertThat(inv.mode().tlsOnly()).isNull();
        assertThat(inv.nodes()).hasSize(2);
        Inventory.Member n1 = inv.nodes().get(0);
        assertThat(n1.host()).isEqualTo("admin@redis1.example.net");
        assertThat(n1.line()).isEqualTo(8);
        assertThat(n1.tlsPort()).isEqualTo(6380);
        assertThat(n1.sans()).containsExactly("10.0.0.1", "redis1");
        assertThat(n1.keysDir()).isEqualTo(Path.of("/etc/redis/tls"));
        assertThat(inv.nodes().get(1).become()).isTrue();
        assertThat(inv.nodes().get(1).keysDir()).as("defaults apply to data nodes").isEqualTo(Path.of("/etc/redis/tls"));
        assertThat(inv.sentinels()).hasSize(2);
        assertThat(inv.sentinels().get(0).restartCommand()).isEqualTo("systemctl restart redis-sentinel");
        assertThat(inv.sentinels().get(1).keysDir()).as("a sentinel's own default keys dir")
                .isEqualTo(InventoryReader.SENTINEL_KEYS_DIR);
    }

    @Test
    void aLocalNodeHasNoHost() {
        Inventory inv = InventoryReader.parse(FILE, "name: g\nnodes:\n  - conf: /etc/redis/redis.conf\n");
        assertThat(inv.nodes().get(0).isLocal()).isTrue();
        assertThat(inv.sentinels()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            unknown key           | name: g\\nnodes:\\n  - conf: /c\\n    tls_port: 1\\n                        | line 4: nodes[0].tls_port: unknown key (did you mean 'tls-port'?)
            unknown top key       | name: g\\nnode:\\n  - conf: /c\\n                                           | line 2: node: unknown key
            missing conf          | name: g\\nnodes:\\n  - host: r1\\n                                          | line 3: nodes[0].conf: a node needs 'conf'
            sentinel without conf | name: g\\nnodes:\\n  - conf: /c\\nsentinels:\\n  - host: r1\\n                | line 5: sentinels[0].conf: a sentinel needs 'conf'
            duplicate node        | name: g\\nnodes:\\n  - conf: /c\\n  - host: a\\n    conf: /c\\n  - conf: /c\\n | line 6: nodes[2].conf: the same node as nodes[0] (/c, line 3)
            one endpoint twice    | name: g\\nnodes:\\n  - conf: /a\\n    endpoint: 127.0.0.1:7000\\n  - conf: /b\\n    endpoint: 127.0.0.1:7000\\n | line 5: nodes[1].endpoint: 127.0.0.1:7000 is also the endpoint of nodes[0]
            one keys dir twice    | name: g\\ndefaults:\\n  keys-dir: /k\\nnodes:\\n  - conf: /a\\n  - conf: /b\\n | line 6: nodes[1].keys-dir: /k is also the keys dir of nodes[0]
            mode option on a node | name: g\\nnodes:\\n  - conf: /a\\n    auth-clients: yes\\n                   | line 4: nodes[0].auth-clients: auth-clients is a group option: set it under 'defaults'
            bad auth-clients      | name: g\\ndefaults:\\n  auth-clients: maybe\\nnodes:\\n  - conf: /a\\n         | line 3: defaults.auth-clients: 'maybe': use no, optional or yes
            bad port              | name: g\\nnodes:\\n  - conf: /a\\n    tls-port: 70000\\n                    | line 4: nodes[0].tls-port: '70000' is not a port
            relative conf         | name: g\\nnodes:\\n  - conf: redis.conf\\n                                   | line 3: nodes[0].conf: 'redis.conf' must be an absolute path
            bad endpoint          | name: g\\nnodes:\\n  - conf: /a\\n    endpoint: nowhere\\n                  | line 4: nodes[0].endpoint: 'nowhere' is not HOST:PORT
            key twice             | name: g\\nnodes:\\n  - conf: /a\\n    conf: /b\\n                           | line 4: nodes[0].conf: given twice (first on line 3)
            bad name              | name: 'a b'\\nnodes:\\n  - conf: /a\\n                                     | line 1: name: 'a b' is not a group name
            no name               | nodes:\\n  - conf: /a\\n                                                   | line 1: name: missing
            no nodes              | name: g\\nnodes: []\\n                                                     | line 2: nodes: the group has no node
            nodes not a list      | name: g\\nnodes: /a\\n                                                     | line 2: nodes: must be a list
            not yaml              | name: g\\nnodes:\\n  - conf: [/a\\n                                        | not valid YAML
            empty value           | name: g\\nnodes:\\n  - conf:\\n                                            | line 3: nodes[0].conf: has no value
            bad boolean           | name: g\\ndefaults:\\n  replication: sometimes\\nnodes:\\n  - conf: /a\\n   | line 3: defaults.replication: 'sometimes' is not true or false
            """)
    void badInputNamesFileLineAndKey(String what, String yaml, String expected) {
        String text = yaml.strip().replace("\\n", "\n");
        assertThatThrownBy(() -> InventoryReader.parse(FILE, text))
                .isInstanceOf(RedisTlsException.class)
                .satisfies(e -> assertThat(((RedisTlsException) e).exitCode()).isEqualTo(RedisTlsException.BAD_INPUT))
                .hasMessageStartingWith(FILE.toString())
                .hasMessageContaining(expected.strip())
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }
}
