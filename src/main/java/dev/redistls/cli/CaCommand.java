package dev.redistls.cli;

import dev.redistls.RedisTlsException;
import dev.redistls.pki.CaBundle;
import dev.redistls.pki.CaHome;
import dev.redistls.pki.CertInfo;
import dev.redistls.pki.CertificateAuthority;
import dev.redistls.pki.KeyType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

@Command(name = "ca", mixinStandardHelpOptions = true,
        description = "The group's root CA: one root for every node of a group and every region.",
        subcommands = {CaCommand.Init.class, CaCommand.Show.class, CaCommand.Export.class, CaCommand.Import.class,
                CaRotateCommand.class})
final class CaCommand implements Runnable {
    @Spec CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing subcommand: init, show, export, import or rotate");
    }

    @Command(name = "init", mixinStandardHelpOptions = true, description = "Create the root in the CA home, or reuse the one there.")
    static final class Init implements Runnable {
        @Mixin CaHomeOption home;
        @Option(names = {"--name", "--group"}, paramLabel = "NAME",
                description = "The group the root is for, named in its subject \"redis-tls root CA NAME\" (default: the CA home's folder name; for a folder called ca, its parent's; 'default' for the default home).")
        String group;
        @Option(names = "--key-type", paramLabel = "TYPE", defaultValue = "ec-p256", description = "Key type of the root (default: ec-p256).")
        String keyType;
        @Spec CommandSpec spec;

        @Override
        public void run() {
            KeyType type = KeyType.parse(keyType);
            CaHome h = home.caHome();
            String name = CertificateAuthority.requireGroupName(group != null ? group : h.defaultGroupName());
            CaHome.Loaded loaded = h.loadOrCreate(name, type);
            PrintWriter out = spec.commandLine().getOut();
            String held = CertificateAuthority.groupOf(loaded.ca().certificate());
            out.printf("%s root CA of group %s in %s: %s, valid until %s.%n", loaded.created() ? "Created" : "Reused existing",
                    held, h.dir(), loaded.ca().certificate().getSubjectX500Principal().getName(), Dates.day(loaded.ca().certificate()));
            if (!loaded.created() && group != null && !group.equals(held)) {
                out.printf("note: the root was kept: it names group %s, not %s (a root is never replaced; use another --ca-home)%n", held, group);
            }
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show the root in the CA home.")
    static final class Show implements Runnable {
        @Mixin CaHomeOption home;
        @Option(names = "--json", description = "Print as JSON.") boolean json;
        @Spec CommandSpec spec;

        @Override
        public void run() {
            CaHome h = home.caHome();
            CertificateAuthority ca = h.load().orElseThrow(() -> RedisTlsException.badInput(
                    "no root CA in " + h.dir() + ": run 'redis-tls ca init' or 'redis-tls ca import'"));
            CertInfo info = CertInfo.of(ca.certificate());
            Optional<CertInfo> retiring = h.rotating() ? h.retiring().map(CertInfo::of) : Optional.empty();
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("caHome", h.dir().toString());
                m.put("group", CertificateAuthority.groupOf(ca.certificate()));
                m.put("root", info.toMap());
                m.put("retiring", retiring.map(CertInfo::toMap).orElse(null));
                Json.print(out, m);
                return;
            }
            out.printf("CA home:   %s%ngroup:     %s%nsubject:   %s%nsha256:    %s%nserial:    %s%nnot after: %s (%d days left)%n",
                    h.dir(), CertificateAuthority.groupOf(ca.certificate()), info.subject(), info.sha256(), info.serial(),
                    info.notAfter(), info.daysLeft());
            retiring.ifPresent(r -> out.printf("rollover:  under way; the root above issues, the retiring root %s (sha256 %s) is"
                    + " still trusted until 'redis-tls ca rotate finish'%n", r.subject(), r.sha256()));
        }
    }

    @Command(name = "export", mixinStandardHelpOptions = true,
            description = "Write the root (key and certificate) as a password-protected PKCS#12 bundle for another region's CA home.")
    static final class Export implements Runnable {
        @Mixin CaHomeOption home;
        @Option(names = "--out", required = true, paramLabel = "FILE",
                description = "Where to write the bundle (PKCS#12, AES-256; 0600).") Path out;
        @Option(names = "--password-file", required = true, paramLabel = "FILE",
                description = "First line: the bundle's password (never taken from argv).") Path passwordFile;
        @Spec CommandSpec spec;

        @Override
        public void run() {
            char[] password = PasswordFile.read(passwordFile);
            CaHome h = home.caHome();
            try {
                CertificateAuthority ca = h.load().orElseThrow(() -> RedisTlsException.badInput("no root CA in " + h.dir() + " to export"));
                CaBundle.export(ca, out, password);
                spec.commandLine().getOut().printf("Exported root CA of %s to %s (PKCS#12, AES-256, mode 0600).%n"
                        + "Next, in the other region: redis-tls ca import %s --password-file FILE%n", h.dir(), out, out.getFileName());
            } finally {
                Arrays.fill(password, '\0');
            }
        }
    }

    @Command(name = "import", mixinStandardHelpOptions = true,
            description = "Install a root exported by 'ca export' into this CA home; install and certs then reuse it.")
    static final class Import implements Runnable {
        @Mixin CaHomeOption home;
        @Parameters(index = "0", paramLabel = "FILE", description = "A bundle made by 'redis-tls ca export'.") Path bundle;
        @Option(names = "--password-file", required = true, paramLabel = "FILE",
                description = "First line: the bundle's password (never taken from argv).") Path passwordFile;
        @Option(names = "--force", description = "Replace a different root already in the CA home.") boolean force;
        @Spec CommandSpec spec;

        @Override
        public void run() {
            char[] password = PasswordFile.read(passwordFile);
            try {
                CertificateAuthority imported = CaBundle.read(bundle, password);
                CaHome h = home.caHome();
                Optional<CertificateAuthority> current = h.holdsRoot() && !force ? h.load() : Optional.empty();
                PrintWriter out = spec.commandLine().getOut();
                if (current.isPresent()) {
                    if (current.get().certificate().equals(imported.certificate())) {
                        out.printf("CA home %s already holds this root; nothing changed.%n", h.dir());
                        return;
                    }
                    throw RedisTlsException.badInput("CA home " + h.dir() + " already holds another root ("
                            + current.get().certificate().getSubjectX500Principal().getName()
                            + "): import into an empty --ca-home, or pass --force to replace it");
                }
                h.save(imported);
                out.printf("Imported root CA %s into %s.%n", imported.certificate().getSubjectX500Principal().getName(), h.dir());
            } finally {
                Arrays.fill(password, '\0');
            }
        }
    }
}
