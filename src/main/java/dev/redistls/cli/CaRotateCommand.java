package dev.redistls.cli;

import dev.redistls.RedisTlsException;
import dev.redistls.install.Report;
import dev.redistls.install.Rollover;
import dev.redistls.node.Node;
import dev.redistls.pki.CaHome;
import dev.redistls.pki.CertInfo;
import dev.redistls.pki.CertificateAuthority;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code ca rotate begin|finish}: a new root with overlapping trust. Begin makes the new root (once) and makes a node
 * trust both; {@code reissue} then issues its leaves from the new root; finish leaves only the new root on the node
 * and retires the old one from the CA home. With several nodes: begin on each, reissue each, finish on each (the
 * {@code group} commands do each step across a group).
 */
@Command(name = "rotate", mixinStandardHelpOptions = true,
        description = "Replace the root with overlapping trust: begin (new root, trusted beside the old), reissue, finish (old root retired).",
        subcommands = {CaRotateCommand.Begin.class, CaRotateCommand.Finish.class})
final class CaRotateCommand implements Runnable {
    @Spec CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing subcommand: begin or finish");
    }

    @Command(name = "begin", mixinStandardHelpOptions = true,
            description = "Make a new root in the CA home (once) and make the node trust it beside the old one, live.")
    static final class Begin implements Callable<Integer> {
        @Mixin NodeOptions node;
        @Mixin CaHomeOption ca;
        @Option(names = "--ca-only", description = "Only make the new root in the CA home; touch no node.") boolean caOnly;
        @Spec CommandSpec spec;

        @Override
        public Integer call() {
            CaHome home = ca.caHome();
            PrintWriter out = spec.commandLine().getOut();
            if (caOnly) {
                begin(home, out);
                out.println("Next: redis-tls ca rotate begin [node options], on every node of the group");
                return 0;
            }
            try (OpenNode open = node.open(spec, true)) {
                Node n = open.node();
                if (!home.rotating()) {
                    requireSteadyNode(n, home);
                }
                begin(home, out);
                Report report = Rollover.trustBoth(n, home);
                report.next("redis-tls ca rotate begin on every other node of the group, then: redis-tls reissue "
                        + nodeArgs(n) + ", then: redis-tls ca rotate finish " + nodeArgs(n));
                return ReportPrinter.print(spec.commandLine(), report);
            }
        }

        private static void begin(CaHome home, PrintWriter out) {
            CaHome.Rotation r = home.beginRotation();
            out.printf("%s in %s: new root %s (sha256 %s) issues from now on; the old root (sha256 %s) stays trusted until"
                            + " 'redis-tls ca rotate finish'.%n", r.started() ? "Began a root rollover" : "A root rollover is under way",
                    home.dir(), r.issuing().certificate().getSubjectX500Principal().getName(),
                    CertInfo.sha256(r.issuing().certificate()), CertInfo.sha256(r.retiring()));
        }

        /**
         * A new rollover starts only from a node that trusts exactly the CA home's root: one still trusting a retired
         * root (a rollover finished elsewhere) would otherwise start a third root.
         */
        private static void requireSteadyNode(Node n, CaHome home) {
            CertificateAuthority issuing = home.load().orElseThrow(() -> RedisTlsException.badInput(
                    "no root CA in " + home.dir() + " to roll over: pass the --ca-home that made " + n.keys().dir()));
            List<X509Certificate> trusted = n.keys().trustedRoots();
            if (!trusted.contains(issuing.certificate())) {
                throw RedisTlsException.badInput("keys dir " + n.keys().dir() + n.where() + " does not trust CA home "
                        + home.dir() + "'s root: pass the --ca-home that made it");
            }
            if (trusted.size() > 1) {
                throw RedisTlsException.badInput("keys dir " + n.keys().dir() + n.where() + " still trusts a root that"
                        + " CA home " + home.dir() + " retired: run 'redis-tls ca rotate finish' on it before a new rollover");
            }
        }
    }

    @Command(name = "finish", mixinStandardHelpOptions = true,
            description = "Leave only the new root in the node's trust files, live, and retire the old root from the CA home;"
                    + " refused while a leaf from the old root remains.")
    static final class Finish implements Callable<Integer> {
        @Mixin NodeOptions node;
        @Mixin CaHomeOption ca;
        @Option(names = "--ca-only", description = "Only retire the old root from the CA home; touch no node.") boolean caOnly;
        @Spec CommandSpec spec;

        @Override
        public Integer call() {
            CaHome home = ca.caHome();
            if (caOnly) {
                retire(home, spec.commandLine().getOut());
                return 0;
            }
            try (OpenNode open = node.open(spec, true)) {
                Report report = Rollover.retire(open.node(), home);
                int code = ReportPrinter.print(spec.commandLine(), report);
                retire(home, spec.commandLine().getOut());
                return code;
            }
        }

        private static void retire(CaHome home, PrintWriter out) {
            Optional<X509Certificate> retired = home.finishRotation();
            out.println(retired.map(r -> "Retired the old root (sha256 " + CertInfo.sha256(r) + ") from CA home " + home.dir()
                            + ": its key is gone; nodes not finished yet keep trusting it until 'redis-tls ca rotate finish' runs there.")
                    .orElse("CA home " + home.dir() + " holds no retiring root: the rollover is finished there."));
        }
    }

    private static String nodeArgs(Node n) {
        return "--conf " + n.confPath() + " --keys-dir " + n.keys().dir() + (n.host().isLocal() ? "" : " --host " + n.host().name());
    }
}
