package dev.redistls.cli;

import dev.redistls.StartupTrace;
import picocli.CommandLine;

import java.util.List;

/** The only place that calls System.exit. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        StartupTrace.mark("main");
        int code = run(args);
        StartupTrace.mark("exit");
        StartupTrace.print(System.err);
        System.exit(code);
    }

    /** Runs a command line in-process (tests call this) and returns its exit code. */
    public static int run(String... args) {
        CommandLine cl = commandLine(Console.SYSTEM, args);
        StartupTrace.mark("picocli model");
        return cl.execute(args);
    }

    /** The whole command line: every subcommand (help, man pages and completion list them all). */
    public static CommandLine commandLine() {
        return commandLine(Console.SYSTEM);
    }

    /** The whole command line reading {@code console} (tests give their own environment, stdin and terminal). */
    public static CommandLine commandLine(Console console) {
        return build(console, RedisTlsCommand.SUBCOMMANDS);
    }

    /**
     * The command line that runs {@code args}: when they name a subcommand, only that one is built. picocli reads
     * every option of every command it is given by reflection, which took a one-shot command 150 to 200 ms for the
     * fourteen; the one being run is all that parsing needs. Anything else (no subcommand, help or version asked of
     * the root, a misspelt name to suggest a correction for) gets the whole command line.
     */
    public static CommandLine commandLine(Console console, String... args) {
        String name = subcommandName(args);
        if (name != null) {
            for (Class<?> cls : RedisTlsCommand.SUBCOMMANDS) {
                if (cls.getAnnotation(CommandLine.Command.class).name().equals(name)) {
                    return build(console, List.of(cls));
                }
            }
        }
        return commandLine(console);
    }

    /** The first argument when it can only be a subcommand's name: the root's one option of its own is --verbose. */
    private static String subcommandName(String... args) {
        for (String a : args) {
            if (!"--verbose".equals(a)) {
                return a.startsWith("-") ? null : a;
            }
        }
        return null;
    }

    private static CommandLine build(Console console, List<Class<?>> subcommands) {
        CommandLine.IFactory defaults = CommandLine.defaultFactory();
        CommandLine.IFactory factory = new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> cls) throws Exception {
                return cls == CliCommand.class ? cls.cast(new CliCommand(console)) : defaults.create(cls);
            }
        };
        CommandLine cl = new CommandLine(new RedisTlsCommand(), factory);
        subcommands.forEach(cl::addSubcommand);
        // Set after the subcommands are added: picocli passes these settings on to the subcommands it has.
        cl.setExecutionExceptionHandler(new Failures());
        cl.setParameterExceptionHandler(new Failures());
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        CommandLine.IExecutionStrategy runLast = new CommandLine.RunLast();
        cl.setExecutionStrategy(parsed -> {
            StartupTrace.mark("parse");
            return runLast.execute(parsed);
        });
        CommandLine cli = cl.getSubcommands().get("cli");
        if (cli != null) {
            // redis-cli habit: "cli SET k -1" sends -1 as an argument; options end at the command name.
            cli.setStopAtPositional(true);
        }
        return cl;
    }
}
