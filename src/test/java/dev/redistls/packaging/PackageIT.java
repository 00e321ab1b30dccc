package dev.redistls.packaging;

import dev.redistls.cli.Main;
import dev.redistls.testing.BuildFacts;
import dev.redistls.testing.Processes;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Debian package and the tarball as operators get them: built by {@code scripts/package} (lintian must find
 * no error), then installed with apt-get on a Debian root with no Java at all, used (version, demo, completion,
 * the tarball), removed and purged, with nothing left behind ({@code src/test/package/install-check}, which works
 * on an overlay of this machine's root in private namespaces, so the host never sees the package).
 */
class PackageIT {
    private static final Path OUT = Path.of("target/package");

    /** Directories of the Debian file system that dpkg -L lists because our files are in them. */
    private static final Set<String> SHARED_DIRS = Set.of("/.", "/lib", "/lib/systemd", "/lib/systemd/system",
            "/usr", "/usr/bin", "/usr/lib", "/usr/share", "/usr/share/bash-completion",
            "/usr/share/bash-completion/completions", "/usr/share/doc", "/usr/share/lintian",
            "/usr/share/lintian/overrides", "/usr/share/man", "/usr/share/man/man1");

    /** Ours: two trees, the man pages, and single files in shared directories. */
    private static boolean ours(String path) {
        return Stream.of("/usr/lib/redis-tls", "/usr/share/doc/redis-tls").anyMatch(t -> path.equals(t) || path.startsWith(t + "/"))
                || path.matches("/usr/share/man/man1/redis-tls(-[a-z]+)?\\.1\\.gz")
                || Set.of("/usr/bin/redis-tls", "/usr/share/bash-completion/completions/redis-tls",
                        "/lib/systemd/system/redis-tls-renew.service", "/lib/systemd/system/redis-tls-renew.timer",
                        "/usr/share/lintian/overrides/redis-tls").contains(path);
    }

    @Test
    void installsOnARootWithoutJavaRunsAndLeavesNothingBehind() {
        // Maven has just built target/redis-tls.jar; the package is made from that very jar.
        Processes.Output build = Processes.run(null, List.of("scripts/package", "--no-build"));
        assertThat(build.exitCode()).as(build.out()).isZero();
        assertThat(build.out()).contains("lintian: no errors");

        String version = BuildFacts.pomVersion();
        String arch = Processes.run(null, List.of("dpkg", "--print-architecture")).out().strip();
        Path deb = OUT.resolve("redis-tls_" + version.replace('-', '~') + "_" + arch + ".deb");
        Path tarball = OUT.resolve("redis-tls-" + version + "-linux-" + ("amd64".equals(arch) ? "x64" : arch) + ".tar.gz");
        assertThat(deb).isRegularFile();
        assertThat(tarball).isRegularFile();

        Processes.Output check = Processes.run(null, List.of("src/test/package/install-check", deb.toString(),
                tarball.toString()));
        assertThat(check.exitCode()).as(check.out()).isZero();
        Map<String, String> shown = sections(check.out());

        assertThat(shown.get("java")).as("a Java in the clean root").isEqualTo("none");

        List<String> files = shown.get("files").lines().toList();
        assertThat(files).as("dpkg -L: our files and the directories they live in")
                .allMatch(f -> SHARED_DIRS.contains(f) || ours(f));
        assertThat(files).contains("/usr/bin/redis-tls", "/usr/lib/redis-tls/runtime/bin/java",
                "/usr/lib/redis-tls/redis-tls.jsa", "/usr/share/bash-completion/completions/redis-tls",
                "/lib/systemd/system/redis-tls-renew.service", "/lib/systemd/system/redis-tls-renew.timer",
                "/usr/share/man/man1/redis-tls.1.gz");
        Main.commandLine().getSubcommands().keySet().forEach(command ->
                assertThat(files).contains("/usr/share/man/man1/redis-tls-" + command + ".1.gz"));

        // -Xshare:on: the runtime refuses to start unless it maps the class-data archive made for this path.
        String commit = BuildFacts.headCommit().substring(0, 12);
        assertThat(shown.get("version").lines().toList()).satisfiesExactly(
                line -> assertThat(line).isEqualTo("redis-tls " + version),
                line -> assertThat(line).startsWith("commit " + commit).contains(", built "),
                line -> assertThat(line).startsWith("Java ").endsWith("(/usr/lib/redis-tls/runtime)"));

        assertThat(shown.get("demo")).contains("[ok] served certificate is the file's", "PING -> PONG",
                "GET demo:greeting -> hello over TLS", "to its exact pre-install bytes", "[ok] TLS port");

        assertThat(shown.get("completion").lines().toList()).containsExactly(
                "redis-tls  -> " + String.join(" ", Main.commandLine().getSubcommands().keySet()),
                "redis-tls ca  -> " + String.join(" ", Main.commandLine().getSubcommands().get("ca").getSubcommands().keySet()),
                "redis-tls install --tls -> " + String.join(" ", Main.commandLine().getSubcommands().get("install")
                        .getCommandSpec().options().stream().flatMap(o -> java.util.Arrays.stream(o.names()))
                        .filter(n -> n.startsWith("--tls")).sorted().toList()));

        assertThat(shown.get("tarball").lines().toList()).satisfiesExactly(
                line -> assertThat(line).isEqualTo("redis-tls " + version),
                line -> assertThat(line).startsWith("commit " + commit),
                line -> assertThat(line).endsWith("(/opt/redis-tls-" + version + "/runtime)"));

        assertThat(shown.get("remove")).contains("Removing redis-tls (" + version.replace('-', '~') + ")");
        assertThat(shown.get("purge")).contains("no packages found matching redis-tls");
        assertThat(shown.get("left behind")).as("files left after apt-get remove and purge").isEmpty();
        assertThat(shown).containsKey("end");
    }

    /** "== name" starts a section; the map keeps each section's lines, trimmed. */
    private static Map<String, String> sections(String out) {
        Map<String, String> sections = new LinkedHashMap<>();
        String name = null;
        StringBuilder body = new StringBuilder();
        for (String line : out.split("\n", -1)) {
            if (line.startsWith("== ")) {
                if (name != null) {
                    sections.put(name, body.toString().strip());
                }
                name = line.substring(3);
                body.setLength(0);
            } else if (name != null) {
                body.append(line).append('\n');
            }
        }
        if (name != null) {
            sections.put(name, body.toString().strip());
        }
        return sections;
    }
}
