package dev.redistls.packaging;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A man(7) page for one command, written from the same picocli model as {@code --help}, so the two never disagree.
 * Top-level commands get a page each ({@code redis-tls-install(1)}); their own subcommands ({@code ca init}) are
 * sections of their parent's page, as git's are. Troff is written directly: no AsciiDoc tool chain at build time.
 */
final class ManPage {
    private final CommandSpec root;
    private final String version;
    private final String date;

    /** {@code date} is the build day (yyyy-mm-dd): the page changes only when the build does. */
    ManPage(CommandSpec root, String version, String date) {
        this.root = root;
        this.version = version;
        this.date = date;
    }

    /** "redis-tls" for the root, "redis-tls-install" for a command: the page's name, as in {@code man redis-tls-install}. */
    static String name(CommandSpec cmd) {
        return cmd.qualifiedName("-");
    }

    String render(CommandSpec cmd) {
        StringBuilder page = new StringBuilder();
        page.append(".TH ").append(quoted(name(cmd).toUpperCase())).append(" 1 ").append(quoted(date)).append(' ')
                .append(quoted("redis-tls " + version)).append(' ').append(quoted("redis-tls manual")).append('\n');
        // Neither hyphenate nor justify: paths and option names must read (and copy) as they are typed.
        page.append(".nr HY 0\n.nh\n.ad l\n");
        section(page, "NAME");
        page.append(text(name(cmd))).append(" \\- ").append(text(firstSentence(cmd))).append('\n');
        section(page, "SYNOPSIS");
        synopsis(page, cmd);
        section(page, "DESCRIPTION");
        paragraphs(page, cmd.usageMessage().description());
        arguments(page, cmd, "ARGUMENTS", "OPTIONS");
        if (!visibleSubcommands(cmd).isEmpty()) {
            section(page, "COMMANDS");
            for (CommandSpec sub : visibleSubcommands(cmd)) {
                if (cmd == root) {
                    page.append(".TP\n").append(bold(sub.name())).append('\n');
                    paragraphs(page, sub.usageMessage().description());
                    page.append("See ").append(reference(name(sub))).append(".\n");
                } else {
                    page.append(".SS ").append(quoted(sub.qualifiedName(" "))).append('\n');
                    synopsis(page, sub);
                    page.append(".PP\n");
                    paragraphs(page, sub.usageMessage().description());
                    arguments(page, sub, null, null);
                }
            }
        }
        section(page, "EXIT STATUS");
        for (Map.Entry<String, String> code : root.usageMessage().exitCodeList().entrySet()) {
            page.append(".TP\n").append(bold(code.getKey().trim())).append('\n').append(text(code.getValue())).append('\n');
        }
        if (cmd == root) {
            page.append(ROOT_SECTIONS);
        }
        section(page, "SEE ALSO");
        List<String> refs = new ArrayList<>();
        if (cmd == root) {
            visibleSubcommands(root).forEach(sub -> refs.add(reference(name(sub))));
        } else {
            refs.add(reference(name(root)));
        }
        refs.add(reference("redis-server"));
        refs.add(reference("redis-cli"));
        page.append(String.join(",\n", refs)).append('\n');
        return page.toString();
    }

    /** The environment and files every command shares; they are the tool's, not one option's. */
    private static final String ROOT_SECTIONS = """
            .SH ENVIRONMENT
            .TP
            .B REDIS_TLS_CA_HOME
            Where the root CA lives when \\fB\\-\\-ca\\-home\\fR is not given (default: \\fI~/.local/share/redis\\-tls/ca\\fR).
            .TP
            .B REDISCLI_AUTH
            The password used to talk to Redis; it never appears on the command line.
            .TP
            .B REDIS_TLS_JAVA_OPTS
            Extra options for the Java runtime that runs the tool.
            .SH FILES
            .TP
            .I /etc/redis/tls
            The default keys dir: \\fIserver/\\fR (root.crt, server.crt, server.key) and \\fIclient/\\fR (root.crt, client.crt, client.key).
            .TP
            .I ~/.local/share/redis\\-tls/ca
            The default CA home: root.key (0600) and root.crt. Never inside a keys dir, never copied to a node.
            .TP
            .I /lib/systemd/system/redis\\-tls\\-renew.timer
            The Debian package's timer: runs \\fBredis\\-tls renew\\fR daily once enabled with \\fBsystemctl enable \\-\\-now redis\\-tls\\-renew.timer\\fR.
            """;

    private void synopsis(StringBuilder page, CommandSpec cmd) {
        page.append(".SY ").append(quoted(cmd.qualifiedName(" "))).append('\n');
        for (OptionSpec o : visibleOptions(cmd)) {
            page.append('[').append(optionSynopsis(o)).append(']').append(o.isMultiValue() ? "..." : "").append('\n');
        }
        for (PositionalParamSpec p : visiblePositionals(cmd)) {
            boolean optional = p.arity().min() == 0;
            page.append(optional ? "[" : "").append(italic(p.paramLabel())).append(optional ? "]" : "")
                    .append(p.isMultiValue() ? "..." : "").append('\n');
        }
        if (!visibleSubcommands(cmd).isEmpty()) {
            page.append(italic("COMMAND")).append('\n');
        }
        page.append(".YS\n");
    }

    private void arguments(StringBuilder page, CommandSpec cmd, String argumentsHeading, String optionsHeading) {
        List<PositionalParamSpec> positionals = visiblePositionals(cmd);
        if (!positionals.isEmpty() && argumentsHeading != null) {
            section(page, argumentsHeading);
        }
        for (PositionalParamSpec p : positionals) {
            page.append(".TP\n").append(italic(p.paramLabel())).append(p.isMultiValue() ? "..." : "").append('\n');
            paragraphs(page, p.renderedDescription());
        }
        if (optionsHeading != null) {
            section(page, optionsHeading);
        }
        for (OptionSpec o : visibleOptions(cmd)) {
            page.append(".TP\n").append(optionTag(o)).append('\n');
            paragraphs(page, o.renderedDescription());
        }
    }

    /** "--tls-port=N" as the synopsis shows it: the longest name only. */
    private static String optionSynopsis(OptionSpec o) {
        return optionName(o, o.longestName()) + parameter(o);
    }

    /** "-a, --pass=PASSWORD" as the option list shows it: every name. */
    private static String optionTag(OptionSpec o) {
        List<String> names = new ArrayList<>();
        for (String n : o.names()) {
            names.add(optionName(o, n));
        }
        return String.join(", ", names) + parameter(o);
    }

    private static String optionName(OptionSpec o, String name) {
        if (o.negatable() && name.startsWith("--")) {
            return bold("--[no-]" + name.substring(2));
        }
        return bold(name);
    }

    private static String parameter(OptionSpec o) {
        // A list of choices ("auto|nftables|...") may break after each "|" rather than overflow the line.
        return o.arity().max() > 0 ? "=" + italic(o.paramLabel()).replace("|", "|\\:") : "";
    }

    private static List<OptionSpec> visibleOptions(CommandSpec cmd) {
        return cmd.options().stream().filter(o -> !o.hidden())
                .sorted(Comparator.comparing((OptionSpec o) -> o.longestName().replaceFirst("^-+", "").toLowerCase()))
                .collect(Collectors.toList());
    }

    private static List<PositionalParamSpec> visiblePositionals(CommandSpec cmd) {
        return cmd.positionalParameters().stream().filter(p -> !p.hidden()).collect(Collectors.toList());
    }

    private static List<CommandSpec> visibleSubcommands(CommandSpec cmd) {
        return cmd.subcommands().values().stream().map(c -> c.getCommandSpec()).distinct()
                .filter(c -> !c.usageMessage().hidden()).collect(Collectors.toList());
    }

    /** The NAME line: the description's first sentence. */
    private static String firstSentence(CommandSpec cmd) {
        String[] d = cmd.usageMessage().description();
        return d.length == 0 ? "" : formatted(d[0]).split("\n")[0].split("(?<=\\.) ")[0];
    }

    private static void section(StringBuilder page, String title) {
        page.append(".SH ").append(title.contains(" ") ? quoted(title) : title).append('\n');
    }

    /** Description lines as filled text; picocli's "%n" line breaks become .br. */
    private static void paragraphs(StringBuilder page, String[] lines) {
        List<String> out = new ArrayList<>();
        for (String line : lines) {
            for (String part : formatted(line).split("\n")) {
                out.add(text(part));
            }
        }
        if (!out.isEmpty()) {
            page.append(String.join("\n.br\n", out)).append('\n');
        }
    }

    /** What picocli's String.format of a description does with the only specifiers used here. */
    private static String formatted(String description) {
        return description.replace("%n", "\n").replace("%%", "%");
    }

    private static String reference(String page) {
        return bold(page) + "(1)";
    }

    private static String bold(String s) {
        return "\\fB" + text(s) + "\\fR";
    }

    private static String italic(String s) {
        return "\\fI" + text(s) + "\\fR";
    }

    private static String quoted(String s) {
        return "\"" + text(s).replace("\"", "\\(dq") + "\"";
    }

    /**
     * Plain text made safe for troff: a backslash is printed, every '-' is a minus (so options copied from the page
     * work), a line never starts with a control character, and anything outside ASCII is a named glyph.
     */
    static String text(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> b.append("\\e");
                case '-' -> b.append("\\-");
                case '\u2014' -> b.append("\\(em");
                case '\u2013' -> b.append("\\(en");
                case '\u2026' -> b.append("...");
                case '\u2018', '\u2019' -> b.append('\'');
                case '\u201c', '\u201d' -> b.append("\\(dq");
                default -> {
                    if (c < 128) {
                        b.append(c);
                    } else {
                        b.append(String.format("\\[u%04X]", (int) c));
                    }
                }
            }
        }
        if (b.length() > 0 && (b.charAt(0) == '.' || b.charAt(0) == '\'')) {
            b.insert(0, "\\&");
        }
        return b.toString();
    }
}
