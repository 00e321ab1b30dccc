package dev.redistls.firewall;

import dev.redistls.RedisTlsException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Refusals that happen before any firewall command runs; none of these reads or changes a ruleset. */
class SelectionTest {

    @ParameterizedTest
    @ValueSource(strings = {"nftables", "iptables", "firewalld", "ufw"})
    void anExplicitBackendWhoseToolIsMissingIsRefusedNamingTheTool(String backend, @TempDir Path emptyDir) {
        CommandRunner runner = CommandRunner.local().withPath(List.of(emptyDir));
        String tool = switch (backend) {
            case "nftables" -> "nft";
            case "firewalld" -> "firewall-cmd";
            default -> backend;
        };
        assertThatThrownBy(() -> Firewall.select(backend, runner))
                .isInstanceOf(RedisTlsException.class)
                .hasMessage(tool + " is not installed, so the " + backend
                        + " backend cannot be used; install it or choose another --backend")
                .extracting(e -> ((RedisTlsException) e).exitCode()).isEqualTo(2);
    }

    @Test
    void autoWithNoToolInstalledIsNoneAndSaysSo(@TempDir Path emptyDir) {
        Firewall fw = Firewall.select("auto", CommandRunner.local().withPath(List.of(emptyDir)));
        assertThat(fw.name()).isEqualTo("none");
        assertThat(fw.reason()).isEqualTo("auto: no firewall tool is installed (firewall-cmd, ufw, nft, iptables)");
    }

    @Test
    void aRealBackendIsRefusedWhenNotRoot() {
        CommandRunner runner = CommandRunner.local().asUser(1000);
        // nft is installed by scripts/install-deps --tests; a missing one fails this test rather than skipping it.
        assertThat(runner.installed("nft")).as("nft installed").isTrue();
        assertThatThrownBy(() -> Firewall.select("nftables", runner))
                .isInstanceOf(RedisTlsException.class)
                .hasMessage("nft needs root to read or change firewall rules (effective uid 1000): run with sudo,"
                        + " or choose --backend none")
                .extracting(e -> ((RedisTlsException) e).exitCode()).isEqualTo(1);
    }

    @Test
    void noneNeedsNeitherRootNorTools(@TempDir Path emptyDir) {
        Firewall fw = Firewall.select("none", CommandRunner.local().withPath(List.of(emptyDir)).asUser(1000));
        assertThat(fw.open(6380, List.of("10.0.0.0/8")).lines()).containsExactly(
                "firewall: none; no rule added: make sure tcp port 6380 is reachable by your clients");
        assertThat(fw.persistHint()).isEmpty();
    }

    @Test
    void anUnknownBackendIsRefusedListingTheKnownOnes() {
        assertThatThrownBy(() -> Firewall.select("pf", CommandRunner.local()))
                .hasMessage("unknown firewall backend: pf (expected one of auto, nftables, iptables, firewalld, ufw, none)")
                .extracting(e -> ((RedisTlsException) e).exitCode()).isEqualTo(2);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, 65536, 70000})
    void portsOutsideTheRangeAreRefused(int port) {
        assertThatThrownBy(() -> Firewall.checkPort(port))
                .hasMessage("port " + port + " is out of range 1..65535")
                .extracting(e -> ((RedisTlsException) e).exitCode()).isEqualTo(2);
    }

    @ParameterizedTest
    @ValueSource(strings = {"bad name", "a;b", "$(x)", ""})
    void aNamespaceNameIsCheckedBeforeItReachesACommandLine(String name) {
        assertThatThrownBy(() -> CommandRunner.inNetns(name)).hasMessage("not a network namespace name: " + name);
    }
}
