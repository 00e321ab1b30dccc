package dev.redistls.client;

import dev.redistls.testing.ClientApp;
import dev.redistls.testing.ClientExportFixture;
import dev.redistls.testing.PrintedSnippets;
import dev.redistls.testing.Processes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.redistls.testing.ClientExportFixture.HOST;
import static dev.redistls.testing.ClientExportFixture.WRONG_HOST;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What {@code client export} writes and prints for Spring Boot, loaded unchanged by a minimal Boot application
 * (src/test/client-apps/spring-boot, built here for each Boot version named below) that SETs and GETs through the
 * StringRedisTemplate Boot makes from those properties alone: the PEM SSL bundle file imported or activated as a
 * profile, and the printed PKCS#12 (spring.ssl.bundle.jks) properties. Mutual TLS, host names verified by Boot's
 * defaults; a foreign root, a wrong host name and a missing client certificate each fail with their own error.
 */
class ClientExportSpringBootIT {
    private static final Pattern PROFILE = Pattern.compile(
            "\\(or: (spring\\.profiles\\.active=\\S+) with (spring\\.config\\.additional-location=\\S+)\\)");

    @TempDir static Path tmp;
    static ClientExportFixture fixture;
    static final Map<String, ClientApp> boot = new LinkedHashMap<>();
    static ClientExportFixture.Export spring;
    static ClientExportFixture.Export foreignRoot;
    static Path pkcs12Properties;
    static Path noCertProperties;

    @BeforeAll
    static void start() throws Exception {
        fixture = ClientExportFixture.start(tmp);
        for (String version : List.of("3.5.7", "4.0.7")) {
            boot.put(version, ClientApp.build("spring-boot", "spring-boot-" + version, "dev.redistls.check.RedisTlsCheck",
                    "-Dspring-boot.version=" + version));
        }
        spring = fixture.export("spring", "spring");
        foreignRoot = fixture.exportTrustingAForeignRoot("spring", "foreign-root");
        pkcs12Properties = tmp.resolve("pkcs12.properties");
        Files.writeString(pkcs12Properties, fixture.export("pkcs12", "pkcs12").snippet("Spring Boot"));
        noCertProperties = tmp.resolve("no-client-certificate.properties");
        Files.writeString(noCertProperties, PrintedSnippets.without(
                Files.readString(spring.dir().resolve(SpringBootProperties.FILE)), ".keystore."));
    }

    @AfterAll
    static void stop() {
        if (fixture != null) {
            fixture.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"3.5.7", "4.0.7"})
    void theSpringExportImportedAsPrinted(String version) {
        String imports = spring.snippet("Spring Boot").lines().findFirst().orElseThrow();
        assertThat(imports).isEqualTo("spring.config.import=file:" + spring.dir().resolve(SpringBootProperties.FILE));
        assertSetAndGet(version, "import", fixture.env(HOST), "--" + imports);
    }

    @ParameterizedTest
    @ValueSource(strings = {"3.5.7", "4.0.7"})
    void theSpringExportAsTheRedisTlsProfile(String version) {
        Matcher profile = PROFILE.matcher(spring.snippet("Spring Boot"));
        assertThat(profile.find()).as(spring.printed()).isTrue();
        assertSetAndGet(version, "profile", fixture.env(HOST), "--" + profile.group(1), "--" + profile.group(2));
    }

    @ParameterizedTest
    @ValueSource(strings = {"3.5.7", "4.0.7"})
    void thePrintedPkcs12BundleImported(String version) {
        assertSetAndGet(version, "pkcs12", fixture.env(HOST), "--spring.config.import=file:" + pkcs12Properties);
    }

    @Test
    void thePemExportPrintsTheSpringFilesProperties() throws Exception {
        ClientExportFixture.Export pem = fixture.export("pem", "pem");
        String file = Files.readString(spring.dir().resolve(SpringBootProperties.FILE));
        assertThat(pem.snippet("Spring Boot"))
                .isEqualTo(PrintedSnippets.without(file, "#").replace(spring.dir().toString(), pem.dir().toString()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"3.5.7", "4.0.7"})
    void aNameTheCertificateDoesNotCarryIsRefused(String version) {
        Processes.Output run = run(version, fixture.env(WRONG_HOST), "--spring.config.import=file:"
                + spring.dir().resolve(SpringBootProperties.FILE));
        assertFailed(run, "javax.net.ssl.SSLHandshakeException: No subject alternative names matching IP address "
                + WRONG_HOST + " found");
    }

    @ParameterizedTest
    @ValueSource(strings = {"3.5.7", "4.0.7"})
    void aForeignRootIsRefused(String version) {
        Processes.Output run = run(version, fixture.env(HOST), "--spring.config.import=file:"
                + foreignRoot.dir().resolve(SpringBootProperties.FILE));
        assertFailed(run, "javax.net.ssl.SSLHandshakeException: PKIX path building failed");
    }

    @ParameterizedTest
    @ValueSource(strings = {"3.5.7", "4.0.7"})
    void withoutTheClientCertificateTheServerRefuses(String version) {
        long refusedBefore = fixture.refusedWithoutCertificate();
        Processes.Output run = run(version, fixture.env(HOST), "--spring.config.import=file:" + noCertProperties);
        // TLS 1.3: the server refuses once the client's handshake is done; the client reads the alert or a reset.
        assertFailed(run, "Unable to connect to Redis");
        assertThat(run.out()).containsAnyOf("SSLHandshakeException: Received fatal alert: certificate_required",
                "Connection reset");
        assertThat(fixture.refusedWithoutCertificate()).isGreaterThan(refusedBefore);
    }

    private static void assertSetAndGet(String version, String how, Map<String, String> env, String... config) {
        String key = "spring-boot:" + version + ":" + how;
        String value = "set by Spring Boot " + version + " (" + how + ")";
        List<String> args = new ArrayList<>(List.of(config));
        args.add("--check.key=" + key);
        args.add("--check.value=" + value);
        Processes.Output run = run(version, env, args.toArray(String[]::new));
        assertThat(run.exitCode()).as(run.out()).isZero();
        assertThat(run.out()).contains("Spring Boot " + version + " GET " + key + " = " + value);
        assertThat(fixture.valueAt(key)).isEqualTo(value);
    }

    private static Processes.Output run(String version, Map<String, String> env, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        if (all.stream().noneMatch(a -> a.startsWith("--check.key="))) {
            all.add("--check.key=spring-boot:never");
            all.add("--check.value=x");
        }
        return boot.get(version).run(env, all.toArray(String[]::new));
    }

    private static void assertFailed(Processes.Output run, String error) {
        assertThat(run.exitCode()).as(run.out()).isEqualTo(1);
        assertThat(run.out()).contains("Application run failed", error).doesNotContain(" GET ")
                .doesNotContain(ClientExportFixture.PASSWORD);
    }
}
