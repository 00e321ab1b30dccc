package dev.redistls.timer;

import dev.redistls.RedisTlsException;
import dev.redistls.files.FileBatch;
import dev.redistls.files.FileModes;
import dev.redistls.files.FileOwner;
import dev.redistls.files.SafeFiles;
import dev.redistls.host.Host;
import dev.redistls.host.LocalHost;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Daily renewal as a systemd service and timer on the admin machine (where the CA home is, also for a node on another
 * machine): {@code <name>.service} runs {@code redis-tls renew} once for one node, {@code <name>.timer} starts it
 * daily at a random time within an hour, and catches up after the machine was off ({@code Persistent=true}).
 * The command line is absolute (launcher, config, keys dir, CA home), because systemd starts it with another
 * working directory, environment and home than the operator's shell.
 */
public final class RenewTimer {
    /** Where units an administrator installs belong. */
    public static final Path SYSTEM_DIR = Path.of("/etc/systemd/system");
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_@+=:,./-]+");

    /** The unit pair: its name (without suffix) and both files' text. */
    public record Units(String name, String service, String timer) {
        public String serviceFile() {
            return name + ".service";
        }

        public String timerFile() {
            return name + ".timer";
        }
    }

    private RenewTimer() {
    }

    /** The units that run {@code command} (argv, absolute) daily, described by {@code what}. */
    public static Units units(String name, List<String> command, String what) {
        String service = "[Unit]\n"
                + "Description=Renew redis-tls certificates of " + what + " that expire soon\n"
                + "Wants=network-online.target\n"
                + "After=network-online.target\n"
                + "\n"
                + "[Service]\n"
                + "Type=oneshot\n"
                + "ExecStart=" + String.join(" ", command.stream().map(RenewTimer::quote).toList()) + "\n";
        String timer = "[Unit]\n"
                + "Description=Daily renewal of redis-tls certificates of " + what + "\n"
                + "\n"
                + "[Timer]\n"
                + "OnCalendar=daily\n"
                + "RandomizedDelaySec=1h\n"
                + "Persistent=true\n"
                + "\n"
                + "[Install]\n"
                + "WantedBy=timers.target\n";
        return new Units(name, service, timer);
    }

    /**
     * How this program is started again by systemd: the launcher that started it ({@code bin/redis-tls} says so), else
     * this JVM on this jar.
     */
    public static List<String> launcher() {
        String launcher = System.getProperty("redis-tls.launcher");
        if (launcher != null && !launcher.isBlank()) {
            return List.of(Path.of(launcher).toAbsolutePath().toString());
        }
        try {
            Path jar = Path.of(RenewTimer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (Files.isRegularFile(jar) && jar.toString().endsWith(".jar")) {
                return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString());
            }
        } catch (java.net.URISyntaxException | RuntimeException ignored) {
            // no jar to point at
        }
        throw RedisTlsException.badInput("cannot tell how to start redis-tls from systemd: run it through its launcher (bin/redis-tls)");
    }

    /** Writes both units into {@code dir} (0644, atomically) and, in the system directory of a running systemd, enables the timer. */
    public static List<String> install(Path dir, Units u) {
        LocalHost here = new LocalHost();
        new SafeFiles(here).ensureDirectory(dir, FileModes.PARENT_DIR, -1, -1);
        FileOwner me = FileOwner.current(here);
        new FileBatch(here, false)
                .write(dir.resolve(u.serviceFile()), u.service().getBytes(StandardCharsets.UTF_8), FileModes.PUBLIC, me)
                .write(dir.resolve(u.timerFile()), u.timer().getBytes(StandardCharsets.UTF_8), FileModes.PUBLIC, me)
                .commit();
        List<String> lines = new ArrayList<>(List.of("Wrote " + dir.resolve(u.serviceFile()) + " and " + dir.resolve(u.timerFile())
                + " (daily, randomized within an hour, catching up after downtime)"));
        String enable = "systemctl daemon-reload && systemctl enable --now " + u.timerFile();
        if (systemd(dir)) {
            systemctl(here, List.of("daemon-reload"));
            systemctl(here, List.of("enable", "--now", u.timerFile()));
            lines.add("Enabled and started " + u.timerFile() + " (systemctl list-timers " + u.timerFile() + " shows the next run)");
        } else {
            lines.add("Next: " + enable);
        }
        return lines;
    }

    /** Stops and removes both units (nothing to do when they are absent). */
    public static List<String> remove(Path dir, String name) {
        LocalHost here = new LocalHost();
        SafeFiles fs = new SafeFiles(here);
        Path service = dir.resolve(name + ".service");
        Path timer = dir.resolve(name + ".timer");
        if (!fs.exists(service) && !fs.exists(timer)) {
            return List.of("No renewal timer " + name + " in " + dir + ": nothing to remove.");
        }
        List<String> lines = new ArrayList<>();
        if (systemd(dir)) {
            systemctl(here, List.of("disable", "--now", name + ".timer"));
            lines.add("Stopped and disabled " + name + ".timer");
        }
        FileBatch batch = new FileBatch(here, false);
        for (Path p : List.of(timer, service)) {
            if (fs.exists(p)) {
                batch.delete(p);
            }
        }
        batch.commit();
        lines.add("Removed " + service + " and " + timer);
        if (systemd(dir)) {
            systemctl(here, List.of("daemon-reload"));
        } else {
            lines.add("Next (if systemd had loaded them): systemctl daemon-reload");
        }
        return lines;
    }

    /** Whether the units land where a running systemd reads them: only then is systemctl run. */
    private static boolean systemd(Path dir) {
        return dir.toAbsolutePath().normalize().equals(SYSTEM_DIR) && Files.isDirectory(Path.of("/run/systemd/system"));
    }

    private static void systemctl(Host host, List<String> args) {
        List<String> argv = new ArrayList<>(List.of("systemctl"));
        argv.addAll(args);
        try {
            Host.Execution e = host.run(argv, null, Duration.ofSeconds(30));
            if (!e.ok()) {
                throw RedisTlsException.failed(String.join(" ", argv) + " failed: " + e.firstErrorLine());
            }
        } catch (IOException e) {
            throw RedisTlsException.failed(String.join(" ", argv) + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * One ExecStart word: as is when plain, else double-quoted; {@code %} (specifiers) and {@code $} (variables) are
     * doubled everywhere, so a path is taken literally.
     */
    static String quote(String word) {
        String w = word.replace("%", "%%").replace("$", "$$");
        if (PLAIN.matcher(word).matches()) {
            return w;
        }
        return "\"" + w.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /**
     * One unit pair per node renewed from this machine: {@code redis-tls-renew} for the usual config here, with the
     * SSH target for a node elsewhere, and a short hash of the config path when it is not a default one.
     */
    public static String name(String sshTarget, Path conf, boolean defaultConf) {
        String name = "redis-tls-renew";
        if (sshTarget != null) {
            name += "-" + sshTarget.replaceAll("[^A-Za-z0-9_-]", "-").replaceAll("-+", "-").replaceAll("^-|-$", "");
        }
        if (!defaultConf) {
            try {
                byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(conf.toString().getBytes(StandardCharsets.UTF_8));
                name += "-" + java.util.HexFormat.of().formatHex(d).substring(0, 8);
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
        return name;
    }
}
