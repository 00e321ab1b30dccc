package dev.redistls.host;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.function.Consumer;

/**
 * One writer per node on this machine: an exclusive {@code fcntl} lock on a file in a directory only the tool's
 * user can enter ({@code /run/redis-tls} for root). The kernel drops the lock when the process dies, so a killed
 * run never leaves the node locked. The holder writes its pid into the file so that a waiter can say who it waits for.
 */
final class LocalLock implements HostLock {
    private static final long POLL_MS = 200;

    private final FileChannel channel;
    private final FileLock lock;

    private LocalLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    static HostLock take(LocalHost host, String key, boolean wait, Consumer<String> waiting) throws IOException {
        int euid = host.facts().euid();
        Path dir = euid == 0 ? Path.of("/run/redis-tls") : Path.of(System.getProperty("java.io.tmpdir"), "redis-tls-" + euid);
        String file = HostLock.fileName(key);
        FileChannel ch = open(host, dir, euid, file);
        boolean told = false;
        try {
            while (true) {
                FileLock l = tryLock(ch);
                if (l != null) {
                    ch.truncate(0);
                    ch.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
                    return new LocalLock(ch, l);
                }
                String holder = holder(ch);
                if (!wait) {
                    throw new Busy("another redis-tls" + holder + " is changing " + key + "; try again when it is done");
                }
                if (!told) {
                    waiting.accept("another redis-tls" + holder + " is changing " + key + "; waiting for it (--no-wait fails instead)");
                    told = true;
                }
                Thread.sleep(POLL_MS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ch.close();
            throw new IOException("interrupted while waiting for the lock on " + key, e);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    private static FileLock tryLock(FileChannel ch) throws IOException {
        try {
            return ch.tryLock();
        } catch (OverlappingFileLockException e) {
            // held by another command running in this same JVM (tests run commands in-process)
            return null;
        }
    }

    private static String holder(FileChannel ch) {
        try {
            ByteBuffer b = ByteBuffer.allocate(32);
            int n = ch.read(b, 0);
            String pid = n <= 0 ? "" : new String(b.array(), 0, n, StandardCharsets.US_ASCII).trim();
            return pid.matches("\\d+") ? " (pid " + pid + ")" : "";
        } catch (IOException e) {
            return "";
        }
    }

    private static FileChannel open(LocalHost host, Path dir, int euid, String file) throws IOException {
        try (Dir parent = host.files().openDir(dir.getParent())) {
            if (parent.stat(dir.getFileName().toString()).isEmpty()) {
                try {
                    parent.mkdir(dir.getFileName().toString(), 0700);
                } catch (java.nio.file.FileAlreadyExistsException raced) {
                    // another run made it first: checked below like any existing one
                }
            }
            try (Dir locks = parent.openDir(dir.getFileName().toString())) {
                FileStat self = locks.self();
                if (self.uid() != euid || (self.mode() & 0077) != 0) {
                    throw new IOException("lock directory " + dir + " must be owned by uid " + euid + " with mode 0700 (it is "
                            + self.octal() + ", uid " + self.uid() + "): remove it, redis-tls makes it again");
                }
                LocalDir local = (LocalDir) locks;
                return local.openForLock(file);
            }
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException ignored) {
            // closing the channel (or exiting) releases the lock anyway
        }
    }
}
