package dev.redistls.cli;

import dev.redistls.testing.BuildFacts;
import dev.redistls.testing.Cli;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code --version}: the pom's version, the commit it was built from and when, and the Java it runs on. */
class VersionTest {

    @Test
    void namesVersionCommitBuildTimeAndRuntime() {
        Cli.Result r = Cli.run("--version");

        assertThat(r.exitCode()).as(r.toString()).isZero();
        String[] lines = r.out().split("\n");
        assertThat(lines).hasSize(3);
        assertThat(lines[0]).isEqualTo("redis-tls " + BuildFacts.pomVersion());
        assertThat(lines[1]).matches("commit [0-9a-f]{12,}(-dirty)?, built \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
        String commit = lines[1].substring("commit ".length(), lines[1].indexOf(',')).replace("-dirty", "");
        assertThat(BuildFacts.headCommit()).startsWith(commit);
        assertThat(lines[2]).isEqualTo("Java " + Runtime.version() + " (" + System.getProperty("java.home") + ")");
    }
}
