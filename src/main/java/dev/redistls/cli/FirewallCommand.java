package dev.redistls.cli;

import dev.redistls.firewall.Firewall;
import dev.redistls.host.Host;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

@Command(name = "firewall", mixinStandardHelpOptions = true,
        description = "Open, close or show the TLS port in the host's firewall, touching no rule that is not ours.",
        subcommands = {FirewallCommand.Open.class, FirewallCommand.Close.class, FirewallCommand.Status.class})
final class FirewallCommand implements Runnable {
    @Spec CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing subcommand: open, close or status");
    }

    @Command(name = "open", mixinStandardHelpOptions = true,
            description = "Accept tcp connections to the port (from the --allow-from sources, else from anywhere).")
    static final class Open implements Runnable {
        @Mixin FirewallOptions options;
        @Option(names = "--allow-from", paramLabel = "CIDR",
                description = "Accept only from this source (repeatable), e.g. 10.0.0.0/8 or 2001:db8::/32.")
        List<String> allowFrom = new ArrayList<>();
        @Option(names = "--json", description = "Print the result as JSON.") boolean json;
        @Spec CommandSpec spec;

        @Override
        public void run() {
            Firewall.checkSources(allowFrom);
            try (Host on = options.open()) {
                Firewall fw = options.firewall(on);
                print(spec.commandLine().getOut(), fw, fw.open(options.port, allowFrom), json);
            }
        }
    }

    @Command(name = "close", mixinStandardHelpOptions = true, description = "Remove our rules for the port.")
    static final class Close implements Runnable {
        @Mixin FirewallOptions options;
        @Option(names = "--json", description = "Print the result as JSON.") boolean json;
        @Spec CommandSpec spec;

        @Override
        public void run() {
            try (Host on = options.open()) {
                Firewall fw = options.firewall(on);
                print(spec.commandLine().getOut(), fw, fw.close(options.port), json);
            }
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Whether our rule for the port is there, and rules of others that accept it.")
    static final class Status implements Runnable {
        @Mixin FirewallOptions options;
        @Option(names = "--json", description = "Print as JSON.") boolean json;
        @Spec CommandSpec spec;

        @Override
        public void run() {
            try (Host on = options.open()) {
                show(on);
            }
        }

        private void show(Host on) {
            Firewall fw = options.firewall(on);
            Firewall.Status s = fw.status(options.port);
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("backend", s.backend());
                m.put("reason", fw.reason());
                m.put("port", s.port());
                m.put("open", s.open());
                m.put("ours", s.ours());
                m.put("foreign", s.foreign());
                m.put("notes", s.notes());
                Json.print(out, m);
                return;
            }
            out.printf("firewall: %s (%s)%n", fw.name(), fw.reason());
            if (!fw.isNone()) {
                out.printf("tcp port %d: %s%n", s.port(), s.open() ? "open by redis-tls" : "no redis-tls rule");
            }
            s.ours().forEach(r -> out.println("  ours: " + r));
            s.foreign().forEach(r -> out.println("  not ours, accepts the port: " + r));
            s.notes().forEach(out::println);
        }
    }

    private static void print(PrintWriter out, Firewall fw, Firewall.Outcome o, boolean json) {
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("backend", o.backend());
            m.put("reason", fw.reason());
            m.put("port", o.port());
            m.put("changed", o.changed());
            m.put("lines", o.lines());
            Json.print(out, m);
            return;
        }
        out.printf("firewall: %s (%s)%n", fw.name(), fw.reason());
        o.lines().forEach(out::println);
    }
}
