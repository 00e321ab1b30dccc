package dev.redistls.cli;

import dev.redistls.testing.Cli;
import dev.redistls.testing.Processes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The group's root names the group: {@code ca init --name}, else the CA home's folder name (never the first node's
 * host), judged by openssl and shown by {@code ca show}.
 */
class CaGroupNameIT {
    @TempDir Path tmp;

    @Test
    void caInitNamesTheRootAfterTheGroupAndCaShowSaysWhichGroup() {
        Path home = tmp.resolve("somewhere");
        Cli.Result init = Cli.run("ca", "init", "--ca-home", home.toString(), "--name", "orders eu");
        assertThat(init.exitCode()).as(init.toString()).isZero();
        assertThat(init.out()).startsWith("Created root CA of group orders eu in " + home);
        assertThat(subject(home)).isEqualTo("subject=O = redis-tls, OU = orders eu, CN = redis-tls root CA orders eu");

        Cli.Result show = Cli.run("ca", "show", "--ca-home", home.toString());
        assertThat(show.out()).contains("group:     orders eu\n", "subject:   CN=redis-tls root CA orders eu,OU=orders eu,O=redis-tls\n");
        assertThat(Cli.run("ca", "show", "--ca-home", home.toString(), "--json").out()).contains("\"group\" : \"orders eu\"");

        // An existing root is never replaced, and a different name says so.
        Cli.Result again = Cli.run("ca", "init", "--ca-home", home.toString(), "--name", "billing");
        assertThat(again.exitCode()).isZero();
        assertThat(again.out()).contains("Reused existing root CA of group orders eu",
                "note: the root was kept: it names group orders eu, not billing");
    }

    @Test
    void withoutANameTheCaHomesFolderNamesTheGroupAlsoWhenCertsMakesTheRoot() {
        Path payments = tmp.resolve("payments");
        assertThat(Cli.run("ca", "init", "--ca-home", payments.toString()).exitCode()).isZero();
        assertThat(subject(payments)).isEqualTo("subject=O = redis-tls, OU = payments, CN = redis-tls root CA payments");

        Path sessions = tmp.resolve("sessions");
        Cli.Result certs = Cli.run("certs", "--keys-dir", tmp.resolve("keys").toString(), "--ca-home", sessions.toString(),
                "--hostname", "node-a.example", "--owner", "root");
        assertThat(certs.exitCode()).as(certs.toString()).isZero();
        assertThat(subject(sessions)).isEqualTo("subject=O = redis-tls, OU = sessions, CN = redis-tls root CA sessions");

        // A folder called ca names nothing: its parent does, and the default home's parent (redis-tls) makes "default".
        Path nested = tmp.resolve("carts/ca");
        assertThat(Cli.run("ca", "init", "--ca-home", nested.toString()).exitCode()).isZero();
        assertThat(subject(nested)).isEqualTo("subject=O = redis-tls, OU = carts, CN = redis-tls root CA carts");
        Path likeDefault = tmp.resolve(".local/share/redis-tls/ca");
        assertThat(Cli.run("ca", "init", "--ca-home", likeDefault.toString()).exitCode()).isZero();
        assertThat(subject(likeDefault)).isEqualTo("subject=O = redis-tls, OU = default, CN = redis-tls root CA default");
    }

    @Test
    void aNameThatWouldMakeAConfusingSubjectIsRefused() {
        for (String bad : List.of("", " lead", "new\nline", "x".repeat(65))) {
            Cli.Result r = Cli.run("ca", "init", "--ca-home", tmp.resolve("bad").toString(), "--name", bad);
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
            assertThat(r.err()).startsWith("error: invalid group name");
        }
        assertThat(tmp.resolve("bad")).doesNotExist();
    }

    private static String subject(Path home) {
        return Processes.run(null, List.of("openssl", "x509", "-noout", "-subject", "-in", home.resolve("root.crt").toString()))
                .out().strip();
    }
}
