package dev.redistls.ssh;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The command line an exec request carries. sshd hands it to the login user's shell, so every argv word is quoted
 * for that shell; the environment is fixed ({@code PATH} with sbin, {@code LC_ALL=C} so that we parse English)
 * through {@code env}, after {@code sudo -n} when the tool acts as root through sudo: sudo never prompts, a sudo
 * that wants a password fails at once.
 */
final class RemoteCommand {
    static final String PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    static final String SUDO_PASSWORD = "a password is required";

    private RemoteCommand() {
    }

    /** {@code argv} with the fixed environment, as root through sudo when {@code sudo}. */
    static String of(List<String> argv, boolean sudo) {
        return prefix(sudo) + words(argv);
    }

    /**
     * As {@link #of}, and killed on the host when it outlives {@code timeout}: coreutils' {@code timeout} sends TERM,
     * then KILL five seconds later, so an abandoned program does not run on after the tool gave up on it.
     */
    static String of(List<String> argv, boolean sudo, Duration timeout) {
        long seconds = Math.max(1, (timeout.toMillis() + 999) / 1000);
        return prefix(sudo) + "timeout -k 5 " + seconds + " " + words(argv);
    }

    private static String prefix(boolean sudo) {
        return (sudo ? "sudo -n -- " : "") + "env PATH=" + PATH + " LC_ALL=C ";
    }

    static String words(List<String> argv) {
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("no program to run");
        }
        return argv.stream().map(RemoteCommand::quote).collect(Collectors.joining(" "));
    }

    /** One word for a POSIX shell: single quotes, a single quote inside written as '\''. */
    static String quote(String word) {
        if (word.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("a command word cannot hold a NUL byte");
        }
        if (!word.isEmpty() && word.chars().allMatch(c -> Character.isLetterOrDigit(c) && c < 128 || "-_./=:,+@%".indexOf(c) >= 0)) {
            return word;
        }
        return "'" + word.replace("'", "'\\''") + "'";
    }
}
