package dev.redistls.files;

import dev.redistls.RedisTlsException;
import dev.redistls.host.Dir;
import dev.redistls.host.FileStat;
import dev.redistls.host.Host;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reading and looking at a host's files by path, every path walked by {@link SafePath}: the way the rest of the
 * tool touches a node's (or the admin machine's) files. Writing goes through {@link FileBatch}.
 */
public final class SafeFiles {
    /** A config or PEM file is never larger than this; anything bigger is refused rather than read. */
    public static final long READ_LIMIT = 16L << 20;

    private final Host host;

    public SafeFiles(Host host) {
        this.host = host;
    }

    public Host host() {
        return host;
    }

    /** The bytes of a regular file (links followed when trusted); at most {@link #READ_LIMIT}. */
    public byte[] read(Path file) throws IOException {
        try (SafePath.Resolved r = SafePath.resolve(host, abs(file), true)) {
            return r.parent().read(r.name(), READ_LIMIT);
        }
    }

    /** {@code lstat} of the path's last component (links on the way followed when trusted); empty when missing. */
    public Optional<FileStat> lstat(Path path) {
        try (SafePath.Resolved r = SafePath.resolve(host, abs(path), false)) {
            return r.parent().stat(r.name());
        } catch (NoSuchFileException | java.nio.file.NotDirectoryException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw FileError.badInput("cannot look at", path, host, e);
        }
    }

    /** {@code stat}: what the path leads to, through trusted links; empty when missing. */
    public Optional<FileStat> stat(Path path) {
        try (SafePath.Resolved r = SafePath.resolve(host, abs(path), true)) {
            return r.parent().stat(r.name());
        } catch (NoSuchFileException | java.nio.file.NotDirectoryException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw FileError.badInput("cannot look at", path, host, e);
        }
    }

    public boolean exists(Path path) {
        return lstat(path).isPresent();
    }

    public boolean isFile(Path path) {
        return stat(path).map(FileStat::isFile).orElse(false);
    }

    public boolean isDirectory(Path path) {
        return stat(path).map(FileStat::isDirectory).orElse(false);
    }

    /** The path with every (trusted) link resolved. */
    public Path realPath(Path path) throws IOException {
        try (SafePath.Resolved r = SafePath.resolve(host, abs(path), true)) {
            return r.real();
        }
    }

    /** The names in a directory, sorted. */
    public List<String> list(Path dir) throws IOException {
        try (Dir d = SafePath.openDir(host, abs(dir))) {
            List<String> names = new ArrayList<>(d.list());
            names.sort(null);
            return names;
        }
    }

    /**
     * Makes sure {@code dir} is a directory, creating what is missing: the last component with {@code mode} and
     * owner {@code uid:gid} (-1: the tool's user), the ones above it {@link FileModes#PARENT_DIR}, each mode set
     * explicitly so a loose umask cannot widen it. An existing directory is left as it is (callers check it).
     */
    public void ensureDirectory(Path dir, int mode, int uid, int gid) {
        Path d = abs(dir);
        List<Path> missing = new ArrayList<>();
        Path p = d;
        while (p != null && !isDirectory(p)) {
            if (exists(p) && !lstat(p).map(FileStat::isSymlink).orElse(false)) {
                throw RedisTlsException.badInput("cannot create directory " + d + FileError.where(host) + ": "
                        + p + " exists and is not a directory");
            }
            missing.add(0, p);
            p = p.getParent();
        }
        for (Path m : missing) {
            boolean lastOne = m.equals(d);
            try (SafePath.Resolved r = SafePath.resolve(host, m, true)) {
                if (r.parent().stat(r.name()).isPresent()) {
                    throw RedisTlsException.badInput("cannot create directory " + m + FileError.where(host)
                            + ": it is a symbolic link to a missing or non-directory target");
                }
                try {
                    r.parent().mkdir(r.name(), lastOne ? mode : FileModes.PARENT_DIR);
                } catch (FileAlreadyExistsException raced) {
                    continue;
                }
                if (lastOne && uid != -1) {
                    r.parent().setOwner(r.name(), uid, gid);
                }
            } catch (IOException e) {
                throw FileError.failed("cannot create directory", m, host, e);
            }
        }
    }

    /**
     * Removes {@code dir} and the directories below it, deepest first, when they are empty: what the tool made
     * goes, anything someone else put there stays (with the directories that hold it). Links are never entered.
     */
    public void removeEmptyTree(Path dir) {
        try (SafePath.Resolved r = SafePath.resolve(host, abs(dir), false)) {
            Optional<FileStat> st = r.parent().stat(r.name());
            if (st.isEmpty() || !st.get().isDirectory()) {
                return;
            }
            try (Dir d = r.parent().openDir(r.name())) {
                removeEmptyChildren(d);
            }
            try {
                r.parent().rmdir(r.name());
            } catch (IOException notEmpty) {
                // someone else's file is in it: it stays
            }
        } catch (IOException ignored) {
            // unreadable: left as it is
        }
    }

    private static void removeEmptyChildren(Dir d) throws IOException {
        for (String name : d.list()) {
            Optional<FileStat> st = d.stat(name);
            if (st.isPresent() && st.get().isDirectory()) {
                try (Dir child = d.openDir(name)) {
                    removeEmptyChildren(child);
                }
                try {
                    d.rmdir(name);
                } catch (IOException notEmpty) {
                    // left as it is
                }
            }
        }
    }

    private static Path abs(Path p) {
        return p.toAbsolutePath().normalize();
    }
}
