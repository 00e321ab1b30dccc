package dev.redistls.cli;

import dev.redistls.install.Phases;
import dev.redistls.install.Status;
import dev.redistls.pki.CertInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Configured vs live: mode, ports, certificates and days left, and a real handshake check.")
final class StatusCommand implements Callable<Integer> {
    @Mixin NodeOptions node;

    @Option(names = "--json", description = "Print as JSON (documented in docs/status-json.md).")
    boolean json;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        Status.Snapshot s;
        Phases phases = new Phases();
        try (OpenNode open = node.open(spec, false)) {
            phases.mark("connect and open node");
            s = Status.of(open.node(), phases);
        }
        HostOptions.reportPhases(spec, phases);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Json.print(out, Status.json(s));
            return 0;
        }
        out.printf("conf:      %s%s%n", s.conf(), s.host() == null ? "" : " on " + s.host());
        out.printf("keys dir:  %s%s%n", s.keys().dir(), s.installed() ? "" : " (not installed by redis-tls)");
        out.printf("mode:      %s, plain port %d, TLS port %d, client certificates %s, replication %s, cluster %s%n",
                s.mode(), s.configured().port(), s.configured().tlsPort(), s.configured().authClients().word(),
                s.configured().replication() ? "TLS" : "plain", s.configured().cluster() ? "TLS" : "plain");
        cert(out, "root", s.certs().root());
        cert(out, "server", s.certs().server());
        cert(out, "client", s.certs().client());
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
        Status.expiryWarning("server", s.certs().server()).ifPresent(w -> out.println("warning: " + w));
        Status.expiryWarning("client", s.certs().client()).ifPresent(w -> out.println("warning: " + w));
        return 0;
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
