package dev.redistls.cli;

import dev.redistls.RedisTlsException;
import dev.redistls.firewall.CommandRunner;
import dev.redistls.firewall.Firewall;
import dev.redistls.testing.Cli;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Refusals of the firewall command that need no namespace: they happen before any firewall command runs. */
class FirewallCommandTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "open --port 0                    | error: port 0 is out of range 1..65535",
            "close --port 70000               | error: port 70000 is out of range 1..65535",
            "status --port 65536              | error: port 65536 is out of range 1..65535",
            "open --allow-from 10.0.0.300/8   | error: not a CIDR: 10.0.0.300/8 (expected e.g. 10.0.0.0/8 or 2001:db8::/32)",
            "open --allow-from localhost      | error: not a CIDR: localhost (expected e.g. 10.0.0.0/8 or 2001:db8::/32)",
            "status --backend pf              | error: unknown firewall backend: pf (expected one of auto, nftables, iptables, firewalld, ufw, none)",
    })
    void badInputExitsTwoWithOneLine(String args, String error) {
        Cli.Result r = Cli.run(("firewall " + args.trim()).split(" "));
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).isEqualTo(error + "\n");
    }

    @ParameterizedTest
    @CsvSource({"ufw, ufw", "firewalld, firewall-cmd", "nftables, nft", "iptables, iptables"})
    void anExplicitBackendWhoseToolIsMissingNamesTheTool(String backend, String tool, @TempDir Path emptyPath) {
        // A PATH with nothing on it: the tool is missing whatever this host has installed.
        assertThatThrownBy(() -> Firewall.select(backend, CommandRunner.local().withPath(List.of(emptyPath))))
                .isInstanceOf(RedisTlsException.class)
                .hasMessage(tool + " is not installed, so the " + backend
                        + " backend cannot be used; install it or choose another --backend")
                .extracting(e -> ((RedisTlsException) e).exitCode()).isEqualTo(2);
    }

    @ParameterizedTest
    @CsvSource({"open", "close", "status"})
    void noneDoesNothingAndSaysSo(String sub) {
        Cli.Result r = Cli.run("firewall", sub, "--backend", "none");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).startsWith("firewall: none (named explicitly)\n").contains("firewall: none; ");
    }
}
