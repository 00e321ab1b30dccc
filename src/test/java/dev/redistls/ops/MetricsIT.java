package dev.redistls.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.redistls.pki.KeysDir;
import dev.redistls.pki.Pem;
import dev.redistls.pki.TlsContexts;
import dev.redistls.testing.Cli;
import dev.redistls.testing.Processes;
import dev.redistls.testing.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code status --format prometheus} judged by Prometheus itself: {@code promtool check metrics} parses and lints the
 * output, a real Prometheus server scrapes the {@code --output} file (the way it reads the textfile collector's
 * format) and its query API returns the numbers, which are checked against {@code openssl x509 -enddate} and the
 * node's real connections; the README's alert rules pass {@code promtool check rules} and fire (and stay quiet)
 * in {@code promtool test rules}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetricsIT {
    static final String PASSWORD = "metrics-s3cret";

    Path tmp;
    RedisServer redis;
    Path keys;
    int tlsPort;

    @BeforeAll
    void start() throws Exception {
        tmp = Files.createTempDirectory("redis-tls-metrics-");
        redis = RedisServer.start("requirepass " + PASSWORD + "\n");
        keys = tmp.resolve("tls");
        tlsPort = RedisServer.freePort();
        Cli.Result install = Cli.run("install", "--conf", redis.conf().toString(), "--keys-dir", keys.toString(),
                "--tls-port", "" + tlsPort, "--ca-home", tmp.resolve("ca").toString(), "--firewall", "none");
        assertThat(install.exitCode()).as(install.toString()).isZero();
    }

    @AfterAll
    void stop() {
        redis.close();
        Processes.run(null, List.of("rm", "-rf", tmp.toString()));
    }

    @Test
    void promtoolAndAPrometheusServerReadTheMetricsAndTheNumbersAreTheCertificates() throws Exception {
        try (Jedis plain = new Jedis(new HostAndPort("127.0.0.1", redis.port()), DefaultJedisClientConfig.builder().password(PASSWORD).build());
             Jedis tls = tlsClient()) {
            assertThat(plain.ping()).isEqualTo("PONG");
            assertThat(tls.ping()).isEqualTo("PONG");

            Cli.Result printed = status("--format", "prometheus");
            assertThat(printed.exitCode()).as(printed.toString()).isZero();
            Processes.Output lint = Processes.run(printed.out(), List.of("promtool", "check", "metrics"));
            assertThat(lint.exitCode()).as(lint.out()).isZero();
            assertThat(lint.out()).isEmpty();
            assertThat(printed.out()).contains("# HELP redis_tls_handshake_ok ", "# TYPE redis_tls_handshake_ok gauge");

            Path textfiles = tmp.resolve("node-exporter");
            Files.createDirectories(textfiles);
            Path prom = textfiles.resolve("redis-tls.prom");
            long before = Instant.now().getEpochSecond();
            Cli.Result written = status("--format", "prometheus", "--output", prom.toString());
            long after = Instant.now().getEpochSecond();
            assertThat(written.exitCode()).as(written.toString()).isZero();
            assertThat(written.out()).isEmpty();
            assertThat(Files.getPosixFilePermissions(prom)).isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            try (var entries = Files.list(textfiles)) {
                assertThat(entries.map(p -> p.getFileName().toString()).toList()).containsExactly("redis-tls.prom");
            }

            Map<String, Double> scraped = scrapeWithPrometheus(textfiles);
            for (String cert : List.of("server", "client", "root")) {
                Path file = keys.resolve(cert.equals("client") ? "client/client.crt" : cert.equals("root") ? "server/root.crt" : "server/server.crt");
                long notAfter = opensslEndDate(file);
                assertThat(scraped.get("redis_tls_certificate_not_after_timestamp_seconds/" + cert)).as(cert).isEqualTo((double) notAfter);
                assertThat(scraped.get("redis_tls_certificate_seconds_left/" + cert)).as(cert)
                        .isBetween((double) (notAfter - after), (double) (notAfter - before));
            }
            assertThat(scraped).containsEntry("redis_tls_handshake_ok", 1.0)
                    .containsEntry("redis_tls_reachable", 1.0)
                    .containsEntry("redis_tls_served_certificate_matches_file", 1.0)
                    .containsEntry("redis_tls_mode/dual", 1.0).containsEntry("redis_tls_mode/tls-only", 0.0).containsEntry("redis_tls_mode/off", 0.0)
                    .containsEntry("redis_tls_auth_clients/optional", 1.0).containsEntry("redis_tls_auth_clients/yes", 0.0)
                    .containsEntry("redis_tls_plaintext_clients", 1.0)
                    .containsEntry("redis_tls_tls_clients", 1.0)
                    .containsEntry("redis_tls_trusted_roots", 1.0)
                    .containsKey("redis_tls_certificate_names_match_host");
            assertThat(scraped.get("redis_tls_status_timestamp_seconds")).isBetween((double) before, (double) after);
        }
    }

    @Test
    void outputMustBeAPromFileAndIsRefusedBeforeAnyWork() {
        Cli.Result r = status("--format", "prometheus", "--output", tmp.resolve("metrics.txt").toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("error: --output " + tmp.resolve("metrics.txt") + ": node_exporter's textfile collector reads only files named *.prom");
        assertThat(tmp.resolve("metrics.txt")).doesNotExist();
        assertThat(status("--json", "--format", "prometheus").exitCode()).isEqualTo(2);
        assertThat(status("--format", "openmetrics").err()).isEqualTo("error: unknown --format 'openmetrics': the one format is prometheus (or --json)\n");
    }

    @Test
    void theReadmesAlertRulesLoadAndFireOnExpiryAndFailingHandshakesOnly() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        int at = readme.indexOf("```yaml", readme.indexOf("A ready alert rule"));
        String rules = readme.substring(at + "```yaml\n".length(), readme.indexOf("```", at + 7));
        Path dir = tmp.resolve("rules");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("rules.yml"), rules);
        Processes.Output check = Processes.run(dir, Map.of(), List.of("promtool", "check", "rules", "rules.yml"), Duration.ofSeconds(60));
        assertThat(check.exitCode()).as(check.out()).isZero();
        assertThat(check.out()).contains("SUCCESS: 3 rules found");

        String conf = "conf: /etc/redis/redis.conf";
        Files.writeString(dir.resolve("test.yml"), """
                rule_files: [rules.yml]
                evaluation_interval: 1m
                tests:
                  - interval: 1m
                    input_series:
                      - series: 'redis_tls_certificate_seconds_left{host="db1",conf="/etc/redis/redis.conf",certificate="server",sha256="aa"}'
                        values: '864000x120'
                      - series: 'redis_tls_certificate_seconds_left{host="db2",conf="/etc/redis/redis.conf",certificate="server",sha256="bb"}'
                        values: '2592000x120'
                      - series: 'redis_tls_handshake_ok{host="db1",conf="/etc/redis/redis.conf"}'
                        values: '0x120'
                      - series: 'redis_tls_handshake_ok{host="db2",conf="/etc/redis/redis.conf"}'
                        values: '1x120'
                      - series: 'redis_tls_handshake_ok{host="db3",conf="/etc/redis/redis.conf"}'
                        values: '0x120'
                      - series: 'redis_tls_mode{host="db1",conf="/etc/redis/redis.conf",mode="off"}'
                        values: '0x120'
                      - series: 'redis_tls_mode{host="db2",conf="/etc/redis/redis.conf",mode="off"}'
                        values: '0x120'
                      - series: 'redis_tls_mode{host="db3",conf="/etc/redis/redis.conf",mode="off"}'
                        values: '1x120'
                    alert_rule_test:
                      - eval_time: 70m
                        alertname: RedisTlsCertificateExpiresSoon
                        exp_alerts:
                          - exp_labels: {severity: warning, host: db1, CONF, certificate: server, sha256: aa}
                            exp_annotations:
                              summary: "server certificate of /etc/redis/redis.conf on db1 expires in 10d 0h 0m 0s"
                              description: "Run 'redis-tls renew' for this node (or check its renewal timer: systemctl list-timers 'redis-tls-renew*')."
                      - eval_time: 30m
                        alertname: RedisTlsCertificateExpiresSoon
                        exp_alerts: []
                      - eval_time: 15m
                        alertname: RedisTlsHandshakeFailing
                        exp_alerts:
                          - exp_labels: {severity: critical, host: db1, CONF}
                            exp_annotations:
                              summary: "TLS handshake with /etc/redis/redis.conf on db1 fails"
                              description: "Run 'redis-tls doctor' for this node: every failed check comes with its fix."
                """.replace("CONF", conf));
        Processes.Output test = Processes.run(dir, Map.of(), List.of("promtool", "test", "rules", "test.yml"), Duration.ofSeconds(60));
        assertThat(test.exitCode()).as(test.out()).isZero();
        assertThat(test.out()).contains("SUCCESS");
    }

    /**
     * Serves the textfile directory over HTTP and lets a real Prometheus scrape it; returns each series' value, keyed
     * by its name and its certificate, mode or auth_clients label.
     */
    private Map<String, Double> scrapeWithPrometheus(Path textfiles) throws Exception {
        int httpPort = RedisServer.freePort();
        int promPort = RedisServer.freePort();
        Path promDir = tmp.resolve("prometheus");
        Files.createDirectories(promDir.resolve("data"));
        Files.writeString(promDir.resolve("prometheus.yml"), "global:\n  scrape_interval: 1s\n"
                + "scrape_configs:\n  - job_name: redis-tls\n    metrics_path: /redis-tls.prom\n"
                + "    static_configs:\n      - targets: ['127.0.0.1:" + httpPort + "']\n");
        Process http = new ProcessBuilder("python3", "-m", "http.server", "" + httpPort, "--bind", "127.0.0.1",
                "--directory", textfiles.toString()).redirectErrorStream(true).redirectOutput(promDir.resolve("http.log").toFile()).start();
        Process prometheus = new ProcessBuilder("prometheus", "--config.file=" + promDir.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + promDir.resolve("data"), "--web.listen-address=127.0.0.1:" + promPort)
                .redirectErrorStream(true).redirectOutput(promDir.resolve("prometheus.log").toFile()).start();
        try {
            HttpClient client = HttpClient.newHttpClient();
            Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
            while (true) {
                JsonNode result = query(client, promPort, "{__name__=~\"redis_tls_.+\"}");
                if (result != null && result.size() >= 20) { // every series of one node (a scrape is stored whole)
                    Map<String, Double> values = new java.util.HashMap<>();
                    for (JsonNode series : result) {
                        JsonNode m = series.get("metric");
                        String key = m.get("__name__").asText();
                        for (String label : List.of("certificate", "mode", "auth_clients")) {
                            if (m.has(label)) {
                                key += "/" + m.get(label).asText();
                            }
                        }
                        assertThat(m.get("host").asText()).isNotEmpty();
                        assertThat(m.get("conf").asText()).isEqualTo(redis.conf().toString());
                        values.put(key, series.get("value").get(1).asDouble());
                    }
                    return values;
                }
                assertThat(Instant.now()).as("Prometheus scraped the file (see " + promDir + ")").isBefore(deadline);
                Thread.sleep(200);
            }
        } finally {
            prometheus.destroy();
            http.destroy();
            if (!prometheus.waitFor(10, TimeUnit.SECONDS)) {
                prometheus.destroyForcibly();
            }
            http.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static JsonNode query(HttpClient client, int port, String promql) {
        try {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/query?query="
                    + URLEncoder.encode(promql, StandardCharsets.UTF_8))).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                return null;
            }
            return new ObjectMapper().readTree(r.body()).at("/data/result");
        } catch (java.io.IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** openssl's notAfter ("May  5 12:00:00 2028 GMT") as a Unix time. */
    private static long opensslEndDate(Path cert) {
        String line = Processes.run(null, List.of("openssl", "x509", "-noout", "-enddate", "-in", cert.toString())).out().strip();
        String date = line.substring("notAfter=".length()).replaceAll(" +", " ");
        return ZonedDateTime.parse(date, DateTimeFormatter.ofPattern("MMM d HH:mm:ss yyyy z", Locale.ROOT)).toEpochSecond();
    }

    private Jedis tlsClient() {
        KeysDir k = KeysDir.local(keys);
        return new Jedis(new HostAndPort("127.0.0.1", tlsPort), DefaultJedisClientConfig.builder().password(PASSWORD).ssl(true)
                .sslSocketFactory(TlsContexts.create(Pem.readCertificate(k.clientRoot()), Pem.readCertificate(k.clientCert()),
                        Pem.readPrivateKey(k.clientKey())).getSocketFactory()).build());
    }

    private Cli.Result status(String... args) {
        List<String> all = new ArrayList<>(List.of("status", "--conf", redis.conf().toString(), "--keys-dir", keys.toString()));
        all.addAll(List.of(args));
        return Cli.run(all.toArray(new String[0]));
    }
}
