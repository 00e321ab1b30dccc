package dev.redistls.metrics;

import dev.redistls.RedisTlsException;
import dev.redistls.conf.AuthClients;
import dev.redistls.install.Status;
import dev.redistls.pki.CertInfo;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * Node status as node_exporter textfile-collector metrics (the Prometheus text format, written by the client
 * library's own writer). Names and labels are stable: every series carries {@code host} (the node host's own name)
 * and {@code conf} (its redis.conf), plus what a group adds; certificate series add {@code certificate} (root,
 * server, client) and {@code sha256}. Enumerations (mode, auth-clients) are one series per value, 1 for the current
 * one, so that a query can compare without regular expressions. One writer for one node ({@code status}) and for
 * many ({@code group status}).
 */
public final class NodeMetrics {
    static final String PREFIX = "redis_tls_";
    private static final List<String> MODES = List.of("off", "dual", "tls-only");

    /** A node's status and any labels the caller adds (a group adds its name and the node's role, say). */
    public record Node(Status.Snapshot status, Map<String, String> labels) {
        public Node(Status.Snapshot status) {
            this(status, Map.of());
        }
    }

    private NodeMetrics() {
    }

    /** The text-format exposition of {@code nodes} at {@code now}. */
    public static byte[] text(List<Node> nodes, Instant now) {
        List<GaugeSnapshot> gauges = new ArrayList<>();
        gauges.add(certificates(nodes, "certificate_not_after_timestamp_seconds",
                "When the certificate expires, as a Unix time (X.509 notAfter).", c -> c.notAfter().getEpochSecond()));
        // Time left in seconds, Prometheus's base unit (promtool's lint refuses a _days metric): divide by 86400 for days.
        gauges.add(certificates(nodes, "certificate_seconds_left",
                "Seconds until the certificate expires (days left = value / 86400); renew acts under 30 days.",
                c -> Math.max(0, c.notAfter().getEpochSecond() - now.getEpochSecond())));
        gauges.add(node(nodes, "reachable", "1 when the node answered PING (plain port, or TLS when that is closed).",
                s -> bit(s.live().reachable())));
        gauges.add(node(nodes, "handshake_ok", "1 when a TLS handshake on the live TLS port, presenting the keys dir's client certificate, succeeded.",
                s -> bit(s.live().tlsHandshake())));
        gauges.add(node(nodes, "served_certificate_matches_file", "1 when the certificate the node serves is the keys dir's server.crt.",
                s -> bit(s.servesFileCertificate())));
        gauges.add(enumeration(nodes, "mode", "The configured TLS mode: 1 for the current value of the mode label.",
                "mode", MODES, Status.Snapshot::mode));
        gauges.add(enumeration(nodes, "auth_clients", "Configured tls-auth-clients: 1 for the current value of the auth_clients label.",
                "auth_clients", List.of(AuthClients.NO.word(), AuthClients.OPTIONAL.word(), AuthClients.YES.word()),
                s -> s.configured().authClients().word()));
        gauges.add(clients(nodes, "plaintext_clients", "Client connections on the live plain port (CLIENT LIST).",
                c -> c.plaintext().size()));
        gauges.add(clients(nodes, "tls_clients", "Client connections on the live TLS port (CLIENT LIST).", c -> c.tlsCount()));
        gauges.add(node(nodes, "trusted_roots", "Root certificates in the node's trust file (2 during a root rollover).",
                s -> s.trust().size()));
        gauges.add(names(nodes));
        gauges.add(node(nodes, "status_timestamp_seconds", "When these values were read, as a Unix time.", s -> now.getEpochSecond()));
        MetricSnapshots.Builder all = MetricSnapshots.builder();
        gauges.stream().filter(g -> !g.getDataPoints().isEmpty()).forEach(all::metricSnapshot);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            PrometheusTextFormatWriter.create().write(out, all.build(), EscapingScheme.UNDERSCORE_ESCAPING);
        } catch (IOException e) {
            throw RedisTlsException.failed("cannot write metrics: " + e.getMessage(), e);
        }
        return out.toByteArray();
    }

    private static GaugeSnapshot certificates(List<Node> nodes, String name, String help, ToDoubleFunction<CertInfo> value) {
        GaugeSnapshot.Builder g = gauge(name, help);
        for (Node n : nodes) {
            Map<String, CertInfo> certs = new LinkedHashMap<>();
            n.status().trust().forEach(root -> certs.put("root/" + root.sha256(), root));
            if (n.status().trust().isEmpty() && n.status().certs().root() != null) {
                certs.put("root/" + n.status().certs().root().sha256(), n.status().certs().root());
            }
            if (n.status().certs().server() != null) {
                certs.put("server/", n.status().certs().server());
            }
            if (n.status().certs().client() != null) {
                certs.put("client/", n.status().certs().client());
            }
            certs.forEach((key, c) -> g.dataPoint(point(labels(n).add("certificate", key.substring(0, key.indexOf('/')))
                    .add("sha256", c.sha256()), value.applyAsDouble(c))));
        }
        return g.build();
    }

    private static GaugeSnapshot node(List<Node> nodes, String name, String help, ToDoubleFunction<Status.Snapshot> value) {
        GaugeSnapshot.Builder g = gauge(name, help);
        nodes.forEach(n -> g.dataPoint(point(labels(n), value.applyAsDouble(n.status()))));
        return g.build();
    }

    private static GaugeSnapshot enumeration(List<Node> nodes, String name, String help, String label, List<String> values,
                                             Function<Status.Snapshot, String> current) {
        GaugeSnapshot.Builder g = gauge(name, help);
        for (Node n : nodes) {
            String now = current.apply(n.status());
            values.forEach(v -> g.dataPoint(point(labels(n).add(label, v), bit(v.equals(now)))));
        }
        return g.build();
    }

    /** Left out for a node whose clients could not be read (not reachable): absent, not zero. */
    private static GaugeSnapshot clients(List<Node> nodes, String name, String help,
                                         ToDoubleFunction<dev.redistls.node.ClientConnections> value) {
        GaugeSnapshot.Builder g = gauge(name, help);
        nodes.stream().filter(n -> n.status().live().clients() != null)
                .forEach(n -> g.dataPoint(point(labels(n), value.applyAsDouble(n.status().live().clients()))));
        return g.build();
    }

    private static GaugeSnapshot names(List<Node> nodes) {
        GaugeSnapshot.Builder g = gauge("certificate_names_match_host",
                "1 when the server certificate names the host's current name and every current address (0: the host moved; renew heals it).");
        nodes.stream().filter(n -> n.status().names() != null)
                .forEach(n -> g.dataPoint(point(labels(n), bit(n.status().names().ok()))));
        return g.build();
    }

    private static GaugeSnapshot.Builder gauge(String name, String help) {
        return GaugeSnapshot.builder().name(PREFIX + name).help(help);
    }

    private static GaugeDataPointSnapshot point(Labels labels, double value) {
        return GaugeDataPointSnapshot.builder().labels(labels).value(value).build();
    }

    private static Labels labels(Node n) {
        Labels l = Labels.of("host", n.status().hostName(), "conf", n.status().conf().toString());
        for (Map.Entry<String, String> e : n.labels().entrySet()) {
            l = l.add(e.getKey(), e.getValue());
        }
        return l;
    }

    private static double bit(boolean b) {
        return b ? 1 : 0;
    }
}
