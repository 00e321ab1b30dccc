package dev.redistls.cli;

import dev.redistls.RedisTlsException;
import picocli.CommandLine;

import java.io.PrintWriter;

/**
 * The one place where an exception becomes an exit code and a one-line {@code error: ...} message.
 * Stack traces are printed only with {@code --verbose}.
 */
final class Failures implements CommandLine.IExecutionExceptionHandler, CommandLine.IParameterExceptionHandler {

    @Override
    public int handleExecutionException(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        PrintWriter err = cl.getErr();
        if (e instanceof RedisTlsException r) {
            err.println("error: " + r.getMessage());
            traceIfVerbose(e, cl);
            return r.exitCode();
        }
        err.println("error: " + describe(e));
        traceIfVerbose(e, cl);
        return RedisTlsException.FAILED;
    }

    @Override
    public int handleParseException(CommandLine.ParameterException e, String[] args) {
        CommandLine cl = e.getCommandLine();
        cl.getErr().println("error: " + e.getMessage() + " (see '" + cl.getCommandSpec().qualifiedName() + " --help')");
        return RedisTlsException.BAD_INPUT;
    }

    private static String describe(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m.lines().findFirst().orElse(m);
    }

    private static void traceIfVerbose(Exception e, CommandLine cl) {
        Object root = cl.getCommandSpec().root().userObject();
        if (root instanceof RedisTlsCommand r && r.verbose()) {
            e.printStackTrace(cl.getErr());
        }
    }
}
