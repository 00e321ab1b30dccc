package dev.redistls.cli;

import dev.redistls.RedisTlsException;
import dev.redistls.StartupTrace;
import dev.redistls.client.CommandSplitter;
import dev.redistls.client.InteractiveShell;
import dev.redistls.client.RedisClient;
import dev.redistls.client.RedisUri;
import dev.redistls.client.Reply;
import dev.redistls.client.ReplyFormat;
import dev.redistls.client.TlsClientConfig;
import dev.redistls.client.VerifyMode;
import dev.redistls.pki.KeysDir;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * A redis-cli with TLS that verifies the host name, reads the keys dir, and says in one line what is wrong.
 * {@code -h} is the host here, as in redis-cli, so help is {@code --help} only.
 */
@Command(name = "cli", sortOptions = false,
        description = {"A TLS-capable Redis client with redis-cli's flags. Runs COMMAND once, or one command per line"
                + " from stdin, or an interactive prompt on a terminal.",
                "The password comes from $REDISCLI_AUTH (preferred) or -a. Host names are verified unless --insecure."})
public final class CliCommand implements Callable<Integer> {
    static final String AUTH_ENV = "REDISCLI_AUTH";

    private final Console console;

    CliCommand(Console console) {
        this.console = console;
    }

    @Option(names = "-h", paramLabel = "HOST", description = "Server host name (default: 127.0.0.1).")
    String host;
    @Option(names = "-p", paramLabel = "PORT", description = "Server port (default: 6379).")
    Integer port;
    @Option(names = {"-a", "--pass"}, paramLabel = "PASSWORD",
            description = "Password; visible to other users in the process list, prefer $REDISCLI_AUTH.")
    String pass;
    @Option(names = "--user", paramLabel = "USER", description = "ACL user name.")
    String user;
    @Option(names = "-n", paramLabel = "DB", description = "Database number.")
    Integer db;
    @Option(names = "-u", paramLabel = "URI", description = "redis://[[user]:password@]host[:port][/db], or rediss:// for TLS.")
    String uri;
    @Option(names = "--tls", description = "Connect with TLS.")
    boolean tls;
    @Option(names = "--cacert", paramLabel = "FILE", description = "CA certificate(s) that signed the server's certificate.")
    Path cacert;
    @Option(names = "--cacertdir", paramLabel = "DIR", description = "Directory of trusted CA certificates (*.crt, *.pem).")
    Path cacertdir;
    @Option(names = "--cert", paramLabel = "FILE", description = "Client certificate, for servers that require one.")
    Path cert;
    @Option(names = "--key", paramLabel = "FILE", description = "Private key of --cert.")
    Path key;
    @Option(names = "--sni", paramLabel = "NAME", description = "Server name to send (SNI); also the name the certificate is checked against.")
    String sni;
    @Option(names = "--insecure", description = "Do not verify the server's certificate (diagnosis only; says so on stderr).")
    boolean insecure;
    @Option(names = "--keys-dir", paramLabel = "DIR",
            description = "Use DIR/client/{root.crt,client.crt,client.key} when no TLS files are named (default with --tls: /etc/redis/tls when it exists). Implies --tls.")
    Path keysDir;
    @Option(names = "--raw", description = "Print replies as bare values (the default when stdout is not a terminal).")
    boolean raw;
    @Option(names = "--json", description = "Print each reply as one line of JSON.")
    boolean json;
    @Option(names = "--help", usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Parameters(paramLabel = "COMMAND", arity = "0..*", description = "A Redis command and its arguments.")
    List<String> command = new ArrayList<>();

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter out = spec.commandLine().getOut();
        TlsClientConfig config = config(err);
        StartupTrace.mark("options and keys dir");
        boolean tty = console.terminal().getAsBoolean();
        ReplyFormat format = json ? ReplyFormat.JSON : raw || !tty ? ReplyFormat.RAW : ReplyFormat.HUMAN;
        if (!command.isEmpty()) {
            try (RedisClient client = RedisClient.connect(config)) {
                print(out, format, client.execute(command));
                StartupTrace.mark("reply");
            }
            return 0;
        }
        if (!tty) {
            try (RedisClient client = RedisClient.connect(config)) {
                runLines(client, format, out);
            }
            return 0;
        }
        try (RedisClient client = RedisClient.connect(config)) {
            // $HOME as shells and redis-cli use it (Java's user.home ignores it).
            String home = console.env().apply("HOME");
            Path history = Path.of(home != null && !home.isBlank() ? home : System.getProperty("user.home"), ".redis-tls_history");
            new InteractiveShell(client, json ? ReplyFormat.JSON : raw ? ReplyFormat.RAW : ReplyFormat.HUMAN, history).run();
        }
        return 0;
    }

    private void runLines(RedisClient client, ReplyFormat format, PrintWriter out) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(console.stdin().get(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                List<String> args = CommandSplitter.split(line);
                if (!args.isEmpty()) {
                    print(out, format, client.execute(args));
                }
            }
        } catch (IOException e) {
            throw RedisTlsException.failed("cannot read stdin: " + e.getMessage(), e);
        }
    }

    private static void print(PrintWriter out, ReplyFormat format, Reply reply) {
        out.println(format.format(reply));
        out.flush();
    }

    /** The flags, URI, environment and keys dir, combined the way redis-cli combines them. */
    TlsClientConfig config(PrintWriter err) {
        TlsClientConfig.Builder b = TlsClientConfig.builder();
        boolean secretInArgv = false;
        if (uri != null) {
            secretInArgv = RedisUri.apply(uri, b);
        }
        if (host != null) {
            b.host(host);
        }
        if (port != null) {
            b.port(port);
        }
        if (db != null) {
            b.database(db);
        }
        if (user != null) {
            b.user(user);
        }
        String fromEnv = console.env().apply(AUTH_ENV);
        if (pass != null) {
            b.password(pass);
            secretInArgv = true;
        } else if (fromEnv != null && !fromEnv.isEmpty() && !secretInArgv) {
            b.password(fromEnv);
        }
        if (secretInArgv) {
            err.println("Warning: a password given with -a/--pass or in -u can be seen by other users of this host;"
                    + " prefer the REDISCLI_AUTH environment variable.");
        }
        boolean useTls = tls || uri != null && uri.regionMatches(true, 0, "rediss:", 0, 7) || keysDir != null
                || cacert != null || cacertdir != null || cert != null;
        b.tls(useTls);
        if (useTls) {
            applyTlsFiles(b);
            if (insecure) {
                b.verifyMode(VerifyMode.NONE);
                err.println("warning: --insecure: the server's certificate is not verified;"
                        + " anyone on the path can read and change this connection");
            }
        } else if (insecure || sni != null || key != null) {
            throw RedisTlsException.badInput("--insecure, --sni and --key need a TLS connection: add --tls");
        }
        return b.build();
    }

    private void applyTlsFiles(TlsClientConfig.Builder b) {
        b.caCert(cacert).caCertDir(cacertdir).cert(cert).key(key).sni(sni);
        Path dir = keysDir != null ? keysDir
                : cacert == null && cacertdir == null && cert == null && key == null && Files.isDirectory(KeysDir.DEFAULT)
                ? KeysDir.DEFAULT : null;
        if (dir == null) {
            return;
        }
        KeysDir k = KeysDir.local(dir);
        if (cacert == null && cacertdir == null) {
            requireFile(k.clientRoot(), dir);
            b.caCert(k.clientRoot());
        }
        if (cert == null && key == null && Files.exists(k.clientCert())) {
            b.cert(k.clientCert()).key(k.clientKey());
        }
    }

    private static void requireFile(Path file, Path dir) {
        if (!Files.isReadable(file)) {
            throw RedisTlsException.badInput((Files.exists(file) ? "cannot read " : "no ") + file + " in keys dir " + dir
                    + ": pass --cacert FILE, or --keys-dir of a node made by 'redis-tls certs'");
        }
    }
}
