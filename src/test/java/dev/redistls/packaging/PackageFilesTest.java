package dev.redistls.packaging;

import dev.redistls.cli.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** What the package carries besides the jar, written from the real command line: a page per command, completion. */
class PackageFilesTest {
    @TempDir
    Path out;

    @Test
    void writesAManPagePerCommandAndTheBashCompletion() throws IOException {
        List<Path> written = PackageFiles.write(out);

        List<String> expected = new ArrayList<>();
        expected.add("man1/redis-tls.1");
        Main.commandLine().getSubcommands().keySet().forEach(name -> expected.add("man1/redis-tls-" + name + ".1"));
        expected.add("bash-completion/redis-tls");
        assertThat(written).map(p -> out.relativize(p).toString()).containsExactlyInAnyOrderElementsOf(expected);

        String firewall = Files.readString(out.resolve("man1/redis-tls-firewall.1"));
        assertThat(firewall).contains(".SS \"redis\\-tls firewall open\"", "\\fB\\-\\-backend\\fR=\\fINAME\\fR")
                .doesNotContain("netns");  // a hidden option stays hidden
        assertThat(Files.readString(out.resolve("man1/redis-tls.1")))
                .contains(".SH ENVIRONMENT", ".B REDISCLI_AUTH", "\\fBredis\\-tls\\-install\\fR(1)");
        String completion = Files.readString(out.resolve("bash-completion/redis-tls"));
        assertThat(completion).contains("complete -F _complete_redis-tls", "--tls-only").doesNotContain("--netns");
    }
}
