package dev.redistls.cli;

import dev.redistls.StartupTrace;
import picocli.CommandLine;

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
        CommandLine cl = commandLine();
        StartupTrace.mark("picocli model");
        return cl.execute(args);
    }

    public static CommandLine commandLine() {
        return commandLine(Console.SYSTEM);
    }

    /** The command line reading {@code console} (tests give their own environment, stdin and terminal). */
    public static CommandLine commandLine(Console console) {
        CommandLine.IFactory defaults = CommandLine.defaultFactory();
        CommandLine.IFactory factory = new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> cls) throws Exception {
                return cls == CliCommand.class ? cls.cast(new CliCommand(console)) : defaults.create(cls);
            }
        };
        CommandLine cl = new CommandLine(new RedisTlsCommand(), factory);
        cl.setExecutionExceptionHandler(new Failures());
        cl.setParameterExceptionHandler(new Failures());
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        CommandLine.IExecutionStrategy runLast = new CommandLine.RunLast();
        cl.setExecutionStrategy(parsed -> {
            StartupTrace.mark("parse");
            return runLast.execute(parsed);
        });
        // redis-cli habit: "cli SET k -1" sends -1 as an argument; options end at the command name.
        cl.getSubcommands().get("cli").setStopAtPositional(true);
        return cl;
    }
}
