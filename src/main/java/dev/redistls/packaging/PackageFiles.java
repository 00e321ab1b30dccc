package dev.redistls.packaging;

import dev.redistls.cli.Main;
import dev.redistls.cli.Version;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes what the Debian package and the tarball carry besides the jar, from the command-line model of this very
 * build: a man page per command ({@code man1/redis-tls.1}, {@code man1/redis-tls-install.1}, ...) and the bash
 * completion script ({@code bash-completion/redis-tls}). Run by scripts/package:
 * {@code java -cp redis-tls.jar dev.redistls.packaging.PackageFiles OUT_DIR}.
 */
public final class PackageFiles {
    private PackageFiles() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: PackageFiles OUT_DIR");
        }
        for (Path p : write(Path.of(args[0]))) {
            System.out.println(p);
        }
    }

    /** Writes the man pages and the completion script under {@code out}; returns the files written. */
    public static List<Path> write(Path out) throws IOException {
        CommandLine cli = Main.commandLine();
        CommandSpec root = cli.getCommandSpec();
        Version.Build build = Version.Build.current();
        ManPage man = new ManPage(root, build.version(), day(build.date()));
        List<Path> written = new ArrayList<>();
        Path man1 = Files.createDirectories(out.resolve("man1"));
        List<CommandSpec> pages = new ArrayList<>();
        pages.add(root);
        root.subcommands().values().stream().map(CommandLine::getCommandSpec).distinct()
                .filter(c -> !c.usageMessage().hidden()).forEach(pages::add);
        for (CommandSpec cmd : pages) {
            written.add(Files.writeString(man1.resolve(ManPage.name(cmd) + ".1"), man.render(cmd)));
        }
        Path completion = Files.createDirectories(out.resolve("bash-completion"));
        written.add(Files.writeString(completion.resolve("redis-tls"), AutoComplete.bash("redis-tls", cli)));
        return written;
    }

    /** "2025-11-28" from "2025-11-28T21:40:12Z"; a build without a date is dated nothing rather than today. */
    private static String day(String buildDate) {
        return buildDate.length() >= 10 ? buildDate.substring(0, 10) : buildDate;
    }
}
