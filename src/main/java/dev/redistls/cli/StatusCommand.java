package dev.redistls.cli;

import dev.redistls.install.Phases;
import dev.redistls.install.Status;
import dev.redistls.node.ClientConnections;
import dev.redistls.pki.CertInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import dev.redistls.metrics.NodeMetrics;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Configured vs live: mode, ports, certificates and days left, and a real handshake check.")
final class StatusCommand implements Callable<Integer> {
    @Mixin NodeOptions node;

    @Option(names = "--json", description = "Print as JSON (documented in docs/status-json.md).")
    boolean json;

    @Option(names = "--format", paramLabel = "prometheus",
            description = "prometheus: node_exporter textfile-collector metrics (see the README).")
    String format;

    @Option(names = "--output", paramLabel = "FILE",
            description = "With --format prometheus: replace FILE (*.prom) atomically instead of printing.")
    Path output;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        boolean prometheus = PrometheusOutput.requested(format, json, output);
        Status.Snapshot s;
        Phases phases = new Phases();
        try (OpenNode open = node.open(spec, false)) {
            phases.mark("connect and open node");
            s = Status.of(open.node(), phases);
        }
        HostOptions.reportPhases(spec, phases);
        PrintWriter out = spec.commandLine().getOut();
        if (prometheus) {
            byte[] text = NodeMetrics.text(List.of(new NodeMetrics.Node(s)), Instant.now());
            PrometheusOutput.write(out, output, text);
            return 0;
        }
        if (json) {
            Json.print(out, Status.json(s));
            return 0;
        }
        out.printf("conf:      %s%s%n", s.conf(), s.host() == null ? "" : " on " + s.host());
        out.printf("keys dir:  %s%s%n", s.keys().dir(), s.installed() ? "" : " (not installed by redis-tls)");
        out.printf("mode:      %s, plain port %d, TLS port %d, client certificates %s, replication %s, cluster %s%n",
                s.mode(), s.configured().port(), s.configured().tlsPort(), s.configured().authClients().word(),
                s.configured().replication() ? "TLS" : "plain", s.configured().cluster() ? "TLS" : "plain");
        for (CertInfo root : s.trust().isEmpty() ? java.util.Collections.<CertInfo>singletonList(null) : s.trust()) {
            cert(out, s.trust().size() > 1 ? "trusts" : "root", root);
        }
        cert(out, "server", s.certs().server());
        signedBy(out, s, "server");
        cert(out, "client", s.certs().client());
        signedBy(out, s, "client");
        if (s.names() != null && !s.names().ok()) {
            out.printf("names:     the server certificate lacks this host's current %s%s (the host moved?): run 'redis-tls renew'%n",
                    String.join(", ", s.names().missing()),
                    s.names().stale().isEmpty() ? "" : "; it names " + String.join(", ", s.names().stale()) + ", which the host no longer has");
        }
        Status.Live l = s.live();
        if (!l.reachable()) {
            out.printf("live:      not reachable (%s)%n", l.error());
        } else if (!l.tlsHandshake()) {
            out.printf("live:      running (pid %d), no TLS handshake: %s%n", l.processId(), l.error());
        } else {
            out.printf("live:      running (pid %d), TLS handshake ok, serving %s%n", l.processId(),
                    s.servesFileCertificate() ? "the keys dir's certificate" : "a DIFFERENT certificate (sha256 " + l.servedSha256() + "): run 'redis-tls reissue'");
        }
        if (!"off".equals(s.mode())) {
            out.printf("policy:    %s%n", s.policy());
        }
        clients(out, s);
        Status.expiryWarning("server", s.certs().server()).ifPresent(w -> out.println("warning: " + w));
        Status.expiryWarning("client", s.certs().client()).ifPresent(w -> out.println("warning: " + w));
        return 0;
    }

    /** Who is still on plain text (they must move before 'configure --tls-only'), and how many use TLS. */
    private static void clients(PrintWriter out, Status.Snapshot s) {
        ClientConnections c = s.live().clients();
        if (c == null) {
            return;
        }
        String plainPort = s.live().config().get("port");
        boolean closed = "0".equals(plainPort);
        out.printf("clients:   %d on plain text%s, %d over TLS%n", c.plaintext().size(), closed
                ? (c.plaintext().isEmpty() ? " (plain port closed)" : " (plain port closed: connected before it closed,"
                + " still unencrypted; CLIENT KILL them or restart those clients)") : " (port " + plainPort + ")", c.tlsCount());
        c.plaintext().forEach(p -> out.printf("  plain:   %s%n", p.describe()));
    }

    /** During a rollover: which of the trusted roots signed a leaf. */
    private static void signedBy(PrintWriter out, Status.Snapshot s, String leaf) {
        if (s.trust().size() > 1 && s.signedBy().containsKey(leaf)) {
            out.printf("%-10s signed by the root with sha256 %s%n", "", s.signedBy().get(leaf));
        }
    }

    private static void cert(PrintWriter out, String what, CertInfo c) {
        if (c == null) {
            out.printf("%-10s missing%n", what + ":");
            return;
        }
        out.printf("%-10s %s, %d days left (until %s), sha256 %s%n", what + ":", c.subject(), c.daysLeft(),
                c.notAfter().toString().substring(0, 10), c.sha256());
    }
}
