package dev.redistls.cli;

import dev.redistls.files.FileOwner;
import dev.redistls.pki.CertInfo;
import dev.redistls.host.Host;
import dev.redistls.host.HostLock;
import dev.redistls.pki.NodeKeys;
import dev.redistls.pki.SubjectNames;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

@Command(name = "certs", mixinStandardHelpOptions = true,
        description = "Write a node's keys dir (server and client certificates from the group's root); touch no Redis.")
final class CertsCommand implements Callable<Integer> {
    @Mixin NodeOptions node;
    @Mixin CertOptions cert;

    @Option(names = "--force", description = "Re-issue even when the keys dir is complete (or holds another root).")
    boolean force;

    @Option(names = "--json", description = "Print the result as JSON.")
    boolean json;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        NodeKeys.Result r;
        Host host = node.host();
        try (HostLock lock = node.lock(spec, host, node.keysDir(host).dir().toString())) {
            String name = cert.hostname(host);
            FileOwner owner = FileOwner.choose(host, cert.owner(), node.confIfAny(host).orElse(null), Optional.empty());
            r = NodeKeys.write(new NodeKeys.Request(node.keysDir(host), cert.caHome(), name,
                    SubjectNames.forNode(name, cert.sans(), host.facts()), cert.keyType(), cert.days(), owner, force), true);
        } finally {
            HostOptions.reportTimings(spec, host);
            host.close();
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("keysDir", r.keysDir().dir().toString());
            m.put("caHome", r.caHome().dir().toString());
            m.put("rootCreated", r.rootCreated());
            m.put("kept", r.kept());
            m.put("owner", r.owner().toString());
            Map<String, Object> certs = new LinkedHashMap<>();
            certs.put("root", CertInfo.of(r.root()).toMap());
            certs.put("server", CertInfo.of(r.server()).toMap());
            certs.put("client", CertInfo.of(r.client()).toMap());
            m.put("certificates", certs);
            Json.print(out, m);
            return 0;
        }
        if (r.kept()) {
            out.printf("Kept %s: it is complete (server certificate valid until %s). Use --force to re-issue.%n",
                    r.keysDir().dir(), Dates.day(r.server()));
            return 0;
        }
        if (r.rootCreated()) {
            out.printf("Created root CA in %s (%s), valid until %s.%n", r.caHome().dir(),
                    r.root().getSubjectX500Principal().getName(), Dates.day(r.root()));
        } else {
            out.printf("Reused root CA from %s.%n", r.caHome().dir());
        }
        out.printf("Wrote %s (owner %s), valid until %s:%n", r.keysDir().dir(), r.owner(), Dates.day(r.server()));
        out.printf("  server/server.crt  %s%n", String.join(", ", CertInfo.sans(r.server())));
        out.printf("  client/client.crt  %s%n", r.client().getSubjectX500Principal().getName());
        out.printf("Next: redis-tls install --keys-dir %s%n", r.keysDir().dir());
        return 0;
    }
}
