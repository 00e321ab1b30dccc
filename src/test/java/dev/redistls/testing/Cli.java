package dev.redistls.testing;

import dev.redistls.cli.Console;
import dev.redistls.cli.Main;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the redis-tls command line in-process with captured stdout and stderr. */
public final class Cli {
    private Cli() {
    }

    public record Result(int exitCode, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- out\n" + out + "--- err\n" + err;
        }
    }

    public static Result run(String... args) {
        return run(Console.SYSTEM, args);
    }

    /** Runs with the environment, stdin and terminal of {@code console}. */
    public static Result run(Console console, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine(console, args);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Result(code, out.toString(), err.toString());
    }
}
