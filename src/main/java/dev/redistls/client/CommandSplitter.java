package dev.redistls.client;

import dev.redistls.RedisTlsException;
import dev.redistls.conf.ConfSyntax;

import java.util.List;

/**
 * Splits a typed line into arguments as redis-cli does: sdssplitargs, the same grammar as a redis.conf line
 * (see {@link ConfSyntax}).
 */
public final class CommandSplitter {
    private CommandSplitter() {
    }

    public static List<String> split(String line) {
        List<String> args = ConfSyntax.split(line);
        if (args == null) {
            throw RedisTlsException.badInput("unbalanced quotes in: " + line);
        }
        return args;
    }
}
