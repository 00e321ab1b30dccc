package dev.redistls.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What the build is made from, read from its sources (pom.xml, git), to judge what the build says of itself. */
public final class BuildFacts {
    private BuildFacts() {
    }

    /** The project's version in pom.xml. */
    public static String pomVersion() {
        try {
            Matcher m = Pattern.compile("<artifactId>redis-tls</artifactId>\\s*<version>([^<]+)</version>")
                    .matcher(Files.readString(Path.of("pom.xml")));
            if (!m.find()) {
                throw new IllegalStateException("no version of redis-tls in pom.xml");
            }
            return m.group(1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The full hash of the commit checked out. */
    public static String headCommit() {
        Processes.Output git = Processes.run(null, List.of("git", "rev-parse", "HEAD"));
        if (git.exitCode() != 0) {
            throw new IllegalStateException("git rev-parse HEAD: " + git.out());
        }
        return git.out().strip();
    }
}
