package dev.redistls.client;

import dev.redistls.RedisTlsException;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.reader.impl.completer.StringsCompleter;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** redis-cli's prompt: {@code host:port>}, history in {@code ~/.redis-tls_history}, command names completed. */
public final class InteractiveShell {
    /** The commands people type most; completion is a convenience, any other command is sent as typed. */
    static final List<String> COMMANDS = List.of(
            "ACL", "APPEND", "AUTH", "BGREWRITEAOF", "BGSAVE", "BITCOUNT", "BLPOP", "BRPOP", "CLIENT", "CLUSTER",
            "COMMAND", "CONFIG", "DBSIZE", "DECR", "DECRBY", "DEL", "ECHO", "EVAL", "EVALSHA", "EXISTS", "EXPIRE",
            "FLUSHALL", "FLUSHDB", "GET", "GETDEL", "GETEX", "GETSET", "HDEL", "HELLO", "HEXISTS", "HGET", "HGETALL",
            "HINCRBY", "HKEYS", "HLEN", "HMGET", "HSET", "HVALS", "INCR", "INCRBY", "INFO", "KEYS", "LASTSAVE",
            "LINDEX", "LLEN", "LPOP", "LPUSH", "LRANGE", "LREM", "LSET", "LTRIM", "MEMORY", "MGET", "MONITOR", "MSET",
            "MULTI", "EXEC", "DISCARD", "OBJECT", "PERSIST", "PEXPIRE", "PING", "PSUBSCRIBE", "PTTL", "PUBLISH",
            "QUIT", "RANDOMKEY", "RENAME", "REPLICAOF", "ROLE", "RPOP", "RPUSH", "SADD", "SAVE", "SCAN", "SCARD",
            "SCRIPT", "SELECT", "SET", "SETEX", "SETNX", "SISMEMBER", "SLOWLOG", "SMEMBERS", "SREM", "STRLEN",
            "SUBSCRIBE", "TIME", "TTL", "TYPE", "UNLINK", "WAIT", "XADD", "XLEN", "XRANGE", "XREAD", "ZADD", "ZCARD",
            "ZINCRBY", "ZRANGE", "ZRANK", "ZREM", "ZSCORE");

    /** JLine glob patterns of lines that may hold a secret. */
    static final String SECRET_COMMANDS = "[Aa][Uu][Tt][Hh]*:[Hh][Ee][Ll][Ll][Oo]*:[Aa][Cc][Ll]*:[Cc][Oo][Nn][Ff][Ii][Gg]*[Pp][Aa][Ss][Ss]*:[Mm][Ii][Gg][Rr][Aa][Tt][Ee]*";

    private final RedisClient client;
    private final ReplyFormat format;
    private final Path history;

    public InteractiveShell(RedisClient client, ReplyFormat format, Path history) {
        this.client = client;
        this.format = format;
        this.history = history;
    }

    public void run() {
        privateHistoryFile();
        try (Terminal terminal = TerminalBuilder.builder().system(true).build()) {
            LineReader reader = LineReaderBuilder.builder()
                    .terminal(terminal)
                    .appName("redis-tls")
                    // One candidate per command: with case-insensitive matching "pin" and "PIN" both complete to PING.
                    .completer(new StringsCompleter(COMMANDS))
                    .variable(LineReader.HISTORY_FILE, history)
                    // As redis-cli does: a typed password never lands in the history file.
                    .variable(LineReader.HISTORY_IGNORE, SECRET_COMMANDS)
                    .option(LineReader.Option.CASE_INSENSITIVE, true)
                    .build();
            PrintWriter out = terminal.writer();
            String prompt = client.config().endpoint() + (client.config().database() != 0
                    ? "[" + client.config().database() + "]" : "") + "> ";
            while (true) {
                String line;
                try {
                    line = reader.readLine(prompt);
                } catch (UserInterruptException e) {
                    continue;
                } catch (EndOfFileException e) {
                    return;
                }
                List<String> args;
                try {
                    args = CommandSplitter.split(line);
                } catch (RedisTlsException e) {
                    out.println("Invalid argument(s): " + e.getMessage());
                    continue;
                }
                if (args.isEmpty()) {
                    continue;
                }
                String cmd = args.get(0).toLowerCase(Locale.ROOT);
                if (cmd.equals("quit") || cmd.equals("exit")) {
                    return;
                }
                out.println(format.format(client.execute(args)));
                out.flush();
            }
        } catch (IOException e) {
            throw RedisTlsException.failed("cannot open the terminal: " + e.getMessage(), e);
        }
    }

    /** The history is created owner-only: commands can hold values nobody else should read. */
    private void privateHistoryFile() {
        try {
            if (!java.nio.file.Files.exists(history)) {
                java.nio.file.Files.createFile(history, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                        java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
            }
        } catch (IOException | UnsupportedOperationException e) {
            // no history file then; JLine keeps history in memory
        }
    }
}
