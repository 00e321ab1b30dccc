package dev.redistls.cli;

import dev.redistls.RedisTlsException;
import dev.redistls.client.ClientBundle;
import dev.redistls.client.Topology;
import dev.redistls.client.UsageSnippets;
import dev.redistls.files.FileOwner;
import dev.redistls.host.LocalHost;
import dev.redistls.pki.ClientCertificates;
import dev.redistls.pki.IssuedCertificate;
import dev.redistls.pki.KeyType;
import dev.redistls.pki.KeysDir;
import dev.redistls.pki.CertificateAuthority;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

@Command(name = "client", mixinStandardHelpOptions = true,
        description = "Per-application client certificates, and bundles that client libraries read as they are.",
        subcommands = {ClientCommand.Issue.class, ClientCommand.Export.class})
final class ClientCommand implements Runnable {
    @Spec CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing subcommand: issue or export");
    }

    @Command(name = "issue", mixinStandardHelpOptions = true,
            description = "Issue client/NAME.crt and client/NAME.key (CN=NAME, clientAuth) from the keys dir's root.")
    static final class Issue implements Runnable {
        @Parameters(index = "0", paramLabel = "NAME", description = "The application (or ACL user) the certificate is for.")
        String name;
        @Option(names = "--keys-dir", paramLabel = "DIR", description = "The node's keys dir (default: /etc/redis/tls).")
        Path keysDir;
        @picocli.CommandLine.Mixin
        CaHomeOption ca;
        @Option(names = "--key-type", paramLabel = "TYPE", defaultValue = "ec-p256",
                description = "ec-p256 (default), ec-p384, rsa-2048, rsa-3072 or rsa-4096.")
        String keyType;
        @Option(names = "--days", paramLabel = "N", defaultValue = "" + CertificateAuthority.LEAF_DAYS,
                description = "Validity in days (default: ${DEFAULT-VALUE}).")
        int days;
        @Option(names = "--owner", paramLabel = "USER", description = "Owner of the new files (default: whoever runs this).")
        String owner;
        @Option(names = "--force", description = "Re-issue a client certificate that already exists.")
        boolean force;
        @Spec CommandSpec spec;

        @Override
        public void run() {
            LocalHost here = new LocalHost();
            KeysDir keys = new KeysDir(here, keysDir != null ? keysDir : KeysDir.DEFAULT);
            IssuedCertificate c = ClientCertificates.issue(new ClientCertificates.Request(keys, ca.caHome(),
                    name, KeyType.parse(keyType), days, owner != null ? FileOwner.named(here, owner) : FileOwner.current(here), force));
            PrintWriter out = spec.commandLine().getOut();
            out.printf("Issued client certificate %s (CN=%s, clientAuth), valid until %s:%n", keys.clientCert(name), name,
                    Dates.day(c.certificate()));
            out.printf("  key %s (0600)%n", keys.clientKey(name));
            out.printf("Next: redis-tls client export %s --keys-dir %s --format pem|pkcs12|spring --out DIR%n", name, keys.dir());
        }
    }

    @Command(name = "export", mixinStandardHelpOptions = true,
            description = "Copy a client certificate out as PEM files, PKCS#12 key and trust stores, or a Spring Boot SSL bundle.")
    static final class Export implements Runnable {
        @Parameters(index = "0", paramLabel = "NAME", description = "The client certificate (client/NAME.crt); 'client' is the default one.")
        String name;
        @Option(names = "--format", required = true, paramLabel = "FORMAT", description = "pem, pkcs12 or spring.")
        String format;
        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory to write into (created 0750).")
        Path out;
        @Option(names = "--password-file", paramLabel = "FILE",
                description = "First line: the PKCS#12 password (required for pkcs12; never taken from argv).")
        Path passwordFile;
        @Option(names = "--keys-dir", paramLabel = "DIR", description = "The node's keys dir (default: /etc/redis/tls).")
        Path keysDir;
        @Option(names = "--sentinel", paramLabel = "MASTER",
                description = "Also print Sentinel clients' snippets, for the master the sentinels call MASTER; --format spring's properties connect through the sentinels.")
        String sentinel;
        @Option(names = "--cluster", description = "Also print Redis Cluster clients' snippets; --format spring's properties connect to the cluster.")
        boolean cluster;
        @Spec CommandSpec spec;

        @Override
        public void run() {
            ClientBundle.Format f = parse(format);
            if (sentinel != null && sentinel.isBlank()) {
                throw RedisTlsException.badInput("--sentinel needs the name the sentinels monitor the master by");
            }
            if (sentinel != null && cluster) {
                throw RedisTlsException.badInput("--sentinel and --cluster exclude each other: a Redis Cluster has no sentinels");
            }
            KeysDir keys = new KeysDir(new LocalHost(), keysDir != null ? keysDir : KeysDir.DEFAULT);
            char[] password = null;
            if (f == ClientBundle.Format.PKCS12) {
                password = PasswordFile.read(passwordFile);
            } else if (passwordFile != null) {
                throw RedisTlsException.badInput("--password-file is only for --format pkcs12 (PEM keys are not encrypted)");
            }
            try {
                Topology topology = new Topology(sentinel, cluster);
                ClientBundle.Result r = ClientBundle.export(keys, name, f, out, password, topology);
                PrintWriter o = spec.commandLine().getOut();
                o.printf("Exported client certificate %s as %s to %s:%n", name, format.toLowerCase(Locale.ROOT), r.dir());
                for (Path p : r.files()) {
                    o.printf("  %s%n", p.getFileName());
                }
                o.print(UsageSnippets.of(r, name, topology));
                o.flush();
            } finally {
                if (password != null) {
                    Arrays.fill(password, '\0');
                }
            }
        }

        private static ClientBundle.Format parse(String s) {
            try {
                return ClientBundle.Format.valueOf(s.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw RedisTlsException.badInput("unknown --format '" + s + "': use pem, pkcs12 or spring");
            }
        }
    }
}
