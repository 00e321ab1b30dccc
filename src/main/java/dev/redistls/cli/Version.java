package dev.redistls.cli;

import picocli.CommandLine;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * What this build is: the pom's version, the commit and the time it was built from (written by the build into
 * {@code dev/redistls/build.properties}, see pom.xml), and the Java runtime it runs on, so that a bug report
 * names all three.
 */
public final class Version implements CommandLine.IVersionProvider {
    private static final String RESOURCE = "/dev/redistls/build.properties";

    /** Version, commit and build time; "dev"/"unknown" when run from classes the build did not describe. */
    public record Build(String version, String commit, String date) {
        public static Build current() {
            Properties p = new Properties();
            try (InputStream in = Version.class.getResourceAsStream(RESOURCE)) {
                if (in != null) {
                    p.load(in);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + RESOURCE, e);
            }
            return new Build(p.getProperty("version", "dev"), p.getProperty("commit", "unknown"),
                    p.getProperty("date", "unknown"));
        }
    }

    @Override
    public String[] getVersion() {
        Build b = Build.current();
        return new String[] {
                "redis-tls " + b.version(),
                "commit " + b.commit() + ", built " + b.date(),
                "Java " + Runtime.version() + " (" + System.getProperty("java.home") + ")"};
    }
}
