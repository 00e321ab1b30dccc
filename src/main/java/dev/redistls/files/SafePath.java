package dev.redistls.files;

import dev.redistls.host.Dir;
import dev.redistls.host.FileStat;
import dev.redistls.host.Host;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Walks a path on a host one component at a time, from {@code /}, holding each directory open, so that what the
 * tool then reads or writes is in the directory it walked, not wherever a name points by the time it is used.
 * <p>
 * A symbolic link is followed only when root or the tool's own user made it (owns it): an operator's
 * {@code /etc/redis/redis.conf -> /srv/redis/redis.conf} is honoured, a link the Redis user planted is refused.
 * Directories that others can write on the way are remembered: a caller decides whether that is acceptable
 * (a CA home: never; a config's directory: yes, because every write there goes through a private staging directory).
 */
public final class SafePath {
    private static final int MAX_LINKS = 40;

    private SafePath() {
    }

    /**
     * Where a path ends: its directory held open, the entry's name in it, the path with every link resolved, and
     * the directories on the way that someone other than root and the tool's user can write (sticky ones excepted).
     */
    public record Resolved(Dir parent, String name, Path real, List<Path> openToOthers) implements Closeable {
        @Override
        public void close() throws IOException {
            parent.close();
        }
    }

    /** An untrusted link, named with its owner. */
    public static final class UntrustedLink extends FileSystemException {
        public UntrustedLink(String link, int uid) {
            super(link, null, "a symbolic link owned by uid " + uid + " (only links made by root or by this user are followed)");
        }
    }

    /**
     * Resolves {@code path} (absolute) on {@code host}. Links in the middle are followed when trusted; the final
     * component is followed too when {@code followLast}. A missing final component is fine (its parent is returned);
     * a missing directory on the way is {@link NoSuchFileException}.
     */
    public static Resolved resolve(Host host, Path path, boolean followLast) throws IOException {
        if (!path.isAbsolute()) {
            throw new IOException("not an absolute path: " + path);
        }
        int euid = host.facts().euid();
        Deque<String> todo = new ArrayDeque<>();
        pushComponents(todo, path);
        Deque<Dir> stack = new ArrayDeque<>();
        Deque<Path> paths = new ArrayDeque<>();
        List<Path> openToOthers = new ArrayList<>();
        stack.push(host.files().root());
        paths.push(Path.of("/"));
        int links = 0;
        try {
            if (todo.isEmpty()) {
                throw new IOException("/ is not a file");
            }
            while (true) {
                String name = todo.pop();
                if (name.equals(".")) {
                    if (todo.isEmpty()) {
                        throw new IOException(paths.peek() + " is a directory");
                    }
                    continue;
                }
                if (name.equals("..")) {
                    if (stack.size() > 1) {
                        stack.pop().close();
                        paths.pop();
                    }
                    if (todo.isEmpty()) {
                        throw new IOException(paths.peek() + " is a directory");
                    }
                    continue;
                }
                Dir cur = stack.peek();
                Path here = paths.peek().resolve(name);
                FileStat st = cur.stat(name).orElse(null);
                boolean last = todo.isEmpty();
                if (st != null && st.isSymlink() && (!last || followLast)) {
                    if (st.uid() != 0 && st.uid() != euid) {
                        throw new UntrustedLink(here.toString(), st.uid());
                    }
                    if (++links > MAX_LINKS) {
                        throw new FileSystemException(path.toString(), null, "too many levels of symbolic links");
                    }
                    Path target = Path.of(cur.readLink(name));
                    if (target.isAbsolute()) {
                        while (stack.size() > 1) {
                            stack.pop().close();
                            paths.pop();
                        }
                    }
                    pushComponents(todo, target);
                    if (todo.isEmpty()) {
                        throw new IOException(here + " points at /");
                    }
                    continue;
                }
                if (last) {
                    Dir parent = stack.pop();
                    return new Resolved(parent, name, here, List.copyOf(openToOthers));
                }
                if (st == null) {
                    throw new NoSuchFileException(here.toString());
                }
                if (!st.isDirectory()) {
                    throw new NotDirectoryException(here.toString());
                }
                Dir next = cur.openDir(name);
                FileStat self = next.self();
                if (writableByOthers(self, euid)) {
                    openToOthers.add(here);
                }
                stack.push(next);
                paths.push(here);
            }
        } finally {
            for (Dir d : stack) {
                d.close();
            }
        }
    }

    /** Opens the directory a path names, following trusted links all the way. */
    public static Dir openDir(Host host, Path dir) throws IOException {
        try (Resolved r = resolveDir(host, dir)) {
            return r.parent().openDir(r.name());
        }
    }

    private static Resolved resolveDir(Host host, Path dir) throws IOException {
        Resolved r = resolve(host, dir, true);
        if (r.parent().stat(r.name()).isEmpty()) {
            r.close();
            throw new NoSuchFileException(r.real().toString());
        }
        return r;
    }

    /**
     * Whether someone other than root and the tool's user can change the entries of a directory: it is owned by
     * another user, or group or others may write it without the sticky bit (which keeps them to their own entries).
     */
    public static boolean writableByOthers(FileStat dir, int euid) {
        boolean ownedByUs = dir.uid() == 0 || dir.uid() == euid;
        boolean sticky = (dir.mode() & FileStat.STICKY) != 0;
        return !ownedByUs || (dir.groupOrOthersWrite() && !sticky);
    }

    private static void pushComponents(Deque<String> todo, Path p) {
        List<String> names = new ArrayList<>();
        for (Path n : p) {
            names.add(n.toString());
        }
        for (int i = names.size() - 1; i >= 0; i--) {
            todo.push(names.get(i));
        }
    }
}
