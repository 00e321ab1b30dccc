package dev.redistls.cli;

import java.io.InputStream;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What a command reads from outside its arguments: the environment, stdin, and whether it talks to a terminal.
 * {@link #SYSTEM} in real runs; tests run the command line in-process with their own.
 */
public record Console(Function<String, String> env, Supplier<InputStream> stdin, BooleanSupplier terminal) {
    public static final Console SYSTEM = new Console(System::getenv, () -> System.in, () -> System.console() != null);

    public Console withEnv(Function<String, String> env) {
        return new Console(env, stdin, terminal);
    }

    public Console withStdin(Supplier<InputStream> stdin) {
        return new Console(env, stdin, terminal);
    }

    public Console withTerminal(boolean tty) {
        return new Console(env, stdin, () -> tty);
    }
}
