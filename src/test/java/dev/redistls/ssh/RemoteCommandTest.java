package dev.redistls.ssh;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class RemoteCommandTest {
    /** A real POSIX shell is the judge: every word comes back as it went in, whatever it holds. */
    @Test
    void everyWordReachesTheProgramUnchanged() throws Exception {
        List<String> words = List.of("plain", "", "two words", "it's", "$HOME", "`id`", "a\"b", "back\\slash", "semi;colon",
                "new\nline", "*", "~", "-n", "ünïcödé", "'", "''", "!x", "a=b");
        String line = RemoteCommand.words(List.of("printf", "%s\\0")) + " " + RemoteCommand.words(words);
        Process p = new ProcessBuilder("sh", "-c", line).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor()).isZero();
        assertThat(new String(out, StandardCharsets.UTF_8).split("\0", -1)).containsExactlyElementsOf(
                java.util.stream.Stream.concat(words.stream(), java.util.stream.Stream.of("")).toList());
    }

    @Test
    void environmentIsFixedAndSudoNeverPrompts() {
        assertThat(RemoteCommand.of(List.of("id", "-u"), false))
                .isEqualTo("env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C id -u");
        assertThat(RemoteCommand.of(List.of("id", "-u"), true, Duration.ofMillis(1500)))
                .isEqualTo("sudo -n -- env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C timeout -k 5 2 id -u");
    }
}
