package dev.redistls.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs a printed Java snippet (Jedis, Lettuce) unchanged: its import lines open a source file, its other lines are
 * the body of {@code main}, followed by the test's own statements that use what it made. The JDK's source launcher
 * ({@code java Snippet.java}) compiles that file with javac, in memory, against the tests' class path (which holds
 * Jedis and Lettuce), and runs it with the environment the snippet reads. A snippet that calls a deprecated API fails.
 * <p>
 * Not jshell: jshell accepts what javac refuses in an application (a statement outside a method, a checked
 * exception nobody handles) and reports errors as text to parse; a source file is judged as a user's code would be.
 * A process of its own, not a compiler in the tests' JVM: the snippet reads System.getenv, which a JVM cannot
 * change for itself.
 */
public final class JavaSnippet {
    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    private JavaSnippet() {
    }

    /** {@code then}: statements that run after the snippet's; the output is stdout and stderr together. */
    public static Processes.Output run(Path dir, String name, String snippet, String then, Map<String, String> env) {
        StringBuilder imports = new StringBuilder();
        StringBuilder body = new StringBuilder();
        for (String line : snippet.split("\n")) {
            (line.startsWith("import ") ? imports : body).append(line).append('\n');
        }
        String source = imports
                + "\npublic class Snippet {\n"
                + "    public static void main(String[] args) throws Exception {\n"
                + body.toString().indent(8)
                + then.indent(8)
                + "    }\n"
                + "}\n";
        Path file = dir.resolve(name).resolve("Snippet.java");
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, source);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // The same JVM flags as ClientApp: a short run starts faster; nothing that touches TLS.
        List<String> java = new ArrayList<>(List.of(JAVA, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), file.toString()));
        Processes.Output run = Processes.run(null, env, java, Duration.ofMinutes(2));
        // javac's note: what we print for new code must not be what the library tells its users to move away from.
        if (run.out().contains("uses or overrides a deprecated API")) {
            throw new AssertionError("the snippet uses a deprecated API:\n" + source + run.out());
        }
        return run;
    }
}
