package dev.redistls.cli;

import picocli.CommandLine;

/** The only place that calls System.exit. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs a command line in-process (tests call this) and returns its exit code. */
    public static int run(String... args) {
        return commandLine().execute(args);
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new RedisTlsCommand());
        cl.setExecutionExceptionHandler(new Failures());
        cl.setParameterExceptionHandler(new Failures());
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        // redis-cli habit: "cli SET k -1" sends -1 as an argument; options end at the command name.
        cl.getSubcommands().get("cli").setStopAtPositional(true);
        return cl;
    }
}
