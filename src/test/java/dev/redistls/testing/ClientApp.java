package dev.redistls.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A small application under src/test/client-apps, built by Maven (from the same local repository as the project)
 * into target/client-apps, and run as {@code java -cp} with the environment a test gives it: how a client library
 * that must not share the tests' classpath (Spring Boot, Redisson and their own Netty) is judged for real.
 */
public final class ClientApp {
    private static final Path SOURCES = Path.of("src/test/client-apps").toAbsolutePath();
    private static final Path BUILDS = Path.of("target/client-apps").toAbsolutePath();
    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    /** Builds made in this JVM: the test classes that run the same app share one build instead of running mvn again. */
    private static final Map<String, ClientApp> BUILT = new ConcurrentHashMap<>();

    private final String mainClass;
    private final String classpath;

    private ClientApp(String mainClass, String classpath) {
        this.mainClass = mainClass;
        this.classpath = classpath;
    }

    /**
     * Builds {@code project} into target/client-apps/{@code build}, Maven properties ({@code -Dname=value}) given.
     * The first build downloads the libraries from Maven Central; later ones find them in the local repository.
     */
    public static ClientApp build(String project, String build, String mainClass, String... properties) {
        String id = String.join(" ", project, build, mainClass, String.join(" ", properties));
        return BUILT.computeIfAbsent(id, k -> mvn(project, build, mainClass, properties));
    }

    private static ClientApp mvn(String project, String build, String mainClass, String... properties) {
        Path dir = BUILDS.resolve(build);
        List<String> mvn = new ArrayList<>(List.of("mvn", "-B", "-q", "-f", SOURCES.resolve(project).resolve("pom.xml").toString(),
                "-Dapp.build.dir=" + dir));
        mvn.addAll(List.of(properties));
        mvn.add("compile");
        Processes.Output built = Processes.run(null, Map.of(), mvn, Duration.ofMinutes(10));
        if (built.exitCode() != 0) {
            throw new AssertionError("mvn could not build " + project + " (" + build + "):\n" + built.out());
        }
        try {
            return new ClientApp(mainClass, dir.resolve("classes") + ":" + Files.readString(dir.resolve("classpath.txt")).strip());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Runs the app; its secrets come in {@code env}, never in {@code args}. The JVM flags only make a short run start
     * faster (no optimising compiler, the simplest collector); nothing that touches TLS.
     */
    public Processes.Output run(Map<String, String> env, String... args) {
        List<String> java = new ArrayList<>(List.of(JAVA, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", classpath, mainClass));
        java.addAll(List.of(args));
        return Processes.run(null, env, java, Duration.ofMinutes(2));
    }
}
