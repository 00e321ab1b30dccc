package dev.redistls.files;

import dev.redistls.RedisTlsException;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * One file written so that a crash never leaves it half-written (see {@link FileBatch}), and the modes the
 * tool gives its files and directories.
 */
public final class AtomicFile {
    public static final Set<PosixFilePermission> PRIVATE = PosixFilePermissions.fromString("rw-------");
    public static final Set<PosixFilePermission> PUBLIC = PosixFilePermissions.fromString("rw-r--r--");
    public static final Set<PosixFilePermission> PRIVATE_DIR = PosixFilePermissions.fromString("rwx------");
    public static final Set<PosixFilePermission> GROUP_DIR = PosixFilePermissions.fromString("rwxr-x---");

    private AtomicFile() {
    }

    public static void write(Path target, byte[] content, Set<PosixFilePermission> perms, FileOwner owner) {
        new FileBatch().write(target, content, perms, owner).commit();
    }

    /** Creates the directory (and parents) with the given mode when missing; tightens nothing that exists. */
    public static void ensureDirectory(Path dir, Set<PosixFilePermission> perms, FileOwner owner) {
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir);
                Files.setPosixFilePermissions(dir, perms);
                if (owner != null) {
                    owner.apply(dir);
                }
            }
        } catch (IOException e) {
            throw RedisTlsException.badInput("cannot create directory " + dir + ": " + describe(e), e);
        }
    }

    /**
     * Removes {@code dir} and the directories below it, deepest first, as long as they are empty: what the tool made
     * goes, anything someone else put there stays (with the directories that hold it).
     */
    public static void removeEmptyTree(Path dir) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (java.util.stream.Stream<Path> walk = Files.walk(dir)) {
            walk.filter(Files::isDirectory).sorted(java.util.Comparator.reverseOrder()).forEach(d -> {
                try {
                    Files.deleteIfExists(d);
                } catch (IOException ignored) {
                    // not empty: left as it is
                }
            });
        } catch (IOException ignored) {
            // unreadable: left as it is
        }
    }

    /** One short phrase for an I/O error, without the exception class names Java puts in its messages. */
    public static String describe(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m;
    }
}
