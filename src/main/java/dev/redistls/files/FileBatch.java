package dev.redistls.files;

import dev.redistls.host.Dir;
import dev.redistls.host.FileStat;
import dev.redistls.host.Host;

import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Several files on one host changed as one. Every new content is first written into a private staging directory
 * made for this batch inside the target's own directory ({@code .redis-tls-staging-*}, mode 0700, owned by the
 * tool's user, so nobody else can touch what is in it): created exclusively, readable by its creator alone before
 * its first byte, synced, given its mode and owner. Only when every file is staged are they renamed into place
 * (rename(2) within one filesystem: atomic, and the target is never missing). Until then nothing is visible; if a
 * rename fails, what was renamed is put back.
 * <p>
 * Targets are resolved by {@link SafePath}: an operator's link (a symlinked redis.conf) is followed and kept, its
 * target is what changes; a link someone else planted is refused. Each target directory is held open from the
 * walk to the rename, so a name swapped meanwhile redirects nothing on this machine.
 * <p>
 * {@link #undo} after a commit puts back what was there (bytes, mode, owner) or removes what was not.
 */
public final class FileBatch {
    static final String STAGING = ".redis-tls-staging-";
    private static final SecureRandom RANDOM = new SecureRandom();
    /**
     * Who made a staging directory: this process on this admin machine. A leftover is removed only when its maker is
     * known to be gone, so a run on another node whose config shares the directory is never disturbed.
     */
    private static final String RUN = ProcessHandle.current().pid() + "@" + new dev.redistls.host.LocalHost().facts().hostName()
            .replaceAll("[^A-Za-z0-9.]", "_");

    private record Change(Path target, byte[] content, int mode, FileOwner owner) {
    }

    private record Previous(Path target, byte[] content, int mode, int uid, int gid) {
    }

    private final Host host;
    private final boolean cleanStale;
    private final Map<Path, Change> changes = new LinkedHashMap<>();
    private final List<Path> deletions = new ArrayList<>();
    private final List<Previous> previous = new ArrayList<>();
    private final List<Path> created = new ArrayList<>();
    private boolean committed;

    /**
     * A batch on {@code host}. {@code underLock}: the caller holds the lock that keeps other runs out of these
     * directories, so staging directories found there are leftovers of a run that was killed, and are removed.
     */
    public FileBatch(Host host, boolean underLock) {
        this.host = host;
        this.cleanStale = underLock;
    }

    /** Writes {@code content} with {@code mode}; {@code owner} null keeps an existing file's owner (new: the tool's user). */
    public FileBatch write(Path target, byte[] content, int mode, FileOwner owner) {
        Path t = target.toAbsolutePath().normalize();
        changes.put(t, new Change(t, content, mode, owner));
        return this;
    }

    /** Writes keeping the mode and owner the file has (a config owned by redis stays so). */
    public FileBatch replace(Path target, byte[] content) {
        return write(target, content, -1, null);
    }

    public FileBatch delete(Path target) {
        deletions.add(target.toAbsolutePath().normalize());
        return this;
    }

    public boolean isEmpty() {
        return changes.isEmpty() && deletions.isEmpty();
    }

    public Host host() {
        return host;
    }

    /** Stages everything, then renames into place. On failure nothing has changed. */
    public void commit() {
        Map<Path, Staging> byDir = new LinkedHashMap<>();
        List<Placed> placed = new ArrayList<>();
        try {
            try {
                for (Change c : changes.values()) {
                    SafePath.Resolved r = SafePath.resolve(host, c.target(), true);
                    Staging s = staging(byDir, r);
                    Optional<FileStat> was = s.parent.stat(r.name());
                    Previous prev = remember(s.parent, r, was);
                    int mode = c.mode() >= 0 ? c.mode() : prev != null ? prev.mode() : FileModes.PUBLIC;
                    int uid = c.owner() != null ? c.owner().uid() : prev != null ? prev.uid() : -1;
                    int gid = c.owner() != null ? c.owner().gid() : prev != null ? prev.gid() : -1;
                    s.dir().create(r.name(), c.content(), mode, uid, gid);
                    placed.add(new Placed(s, r.name(), r.real()));
                }
                for (Path d : deletions) {
                    SafePath.Resolved r = SafePath.resolve(host, d, false);
                    Staging s = staging(byDir, r);
                    Optional<FileStat> was = s.parent.stat(r.name());
                    if (was.isPresent() && was.get().isDirectory()) {
                        throw new IOException(r.real() + " is a directory");
                    }
                    remember(s.parent, r, was);
                    placed.add(new Placed(s, r.name(), null));
                }
            } catch (IOException e) {
                throw FileError.failed("cannot write", failing(placed), host, e);
            }
            List<Placed> done = new ArrayList<>();
            try {
                for (Placed p : placed) {
                    if (p.real() != null) {
                        p.staging().dir().rename(p.name(), p.staging().parent, p.name());
                    } else {
                        p.staging().parent.delete(p.name());
                    }
                    done.add(p);
                }
            } catch (IOException e) {
                committed = true;
                undoQuietly();
                Placed failed = placed.get(done.size());
                throw FileError.failed(failed.real() != null ? "cannot write" : "cannot remove",
                        failed.real() != null ? failed.real() : deletions.get(0), host, e);
            }
            committed = true;
        } finally {
            for (Staging s : byDir.values()) {
                s.close();
            }
        }
    }

    /** Restores every file this batch changed to what it was before {@link #commit}. */
    public void undo() {
        if (!committed) {
            return;
        }
        FileBatch back = new FileBatch(host, false);
        for (Previous p : previous) {
            if (p.content() == null) {
                back.delete(p.target());
            } else {
                back.write(p.target(), p.content(), p.mode(), new FileOwner(p.uid(), p.gid(), null));
            }
        }
        back.commit();
        committed = false;
    }

    private void undoQuietly() {
        try {
            undo();
        } catch (RuntimeException ignored) {
            // the original failure is the one to report
        }
    }

    private Path failing(List<Placed> placed) {
        List<Path> all = new ArrayList<>(changes.keySet());
        all.addAll(deletions);
        return all.get(Math.min(placed.size(), all.size() - 1));
    }

    private Previous remember(Dir parent, SafePath.Resolved r, Optional<FileStat> was) throws IOException {
        for (Previous p : previous) {
            if (p.target().equals(r.real())) {
                return p.content() == null ? null : p;
            }
        }
        if (was.isEmpty()) {
            previous.add(new Previous(r.real(), null, 0, -1, -1));
            return null;
        }
        if (!was.get().isFile()) {
            throw new IOException(r.real() + " is not a regular file");
        }
        Previous p = new Previous(r.real(), parent.read(r.name(), SafeFiles.READ_LIMIT), was.get().permissions(),
                was.get().uid(), was.get().gid());
        previous.add(p);
        return p;
    }

    private record Placed(Staging staging, String name, Path real) {
    }

    /** A target directory held open, and the private staging directory made in it for this batch. */
    private final class Staging {
        final Dir parent;
        final String name;
        Dir dir;

        Staging(Dir parent) {
            this.parent = parent;
            this.name = STAGING + RUN + "-" + HexFormat.of().formatHex(randomBytes());
        }

        Dir dir() throws IOException {
            if (dir == null) {
                parent.mkdir(name, FileModes.PRIVATE_DIR);
                Dir d = parent.openDir(name);
                FileStat self = d.self();
                int euid = host.facts().euid();
                if (self.uid() != euid || (self.mode() & 0077) != 0) {
                    d.close();
                    throw new IOException("staging directory " + parent.path().resolve(name)
                            + " is not this user's private directory (someone changed it)");
                }
                dir = d;
            }
            return dir;
        }

        void close() {
            try {
                if (dir != null) {
                    for (String leftover : dir.list()) {
                        dir.delete(leftover);
                    }
                    dir.close();
                    parent.rmdir(name);
                }
            } catch (IOException ignored) {
                // a leftover staging directory is private and harmless; the next locked run removes it
            }
            try {
                parent.close();
            } catch (IOException ignored) {
                // nothing to do
            }
        }
    }

    private Staging staging(Map<Path, Staging> byDir, SafePath.Resolved r) throws IOException {
        Path dirPath = r.real().getParent();
        Staging s = byDir.get(dirPath);
        if (s != null) {
            r.parent().close();
            return s;
        }
        s = new Staging(r.parent());
        byDir.put(dirPath, s);
        if (cleanStale) {
            removeLeftovers(r.parent());
        }
        return s;
    }

    /** Staging directories of a run that was killed: ours (owner and mode checked), so emptied and removed. */
    private void removeLeftovers(Dir parent) throws IOException {
        int euid = host.facts().euid();
        for (String name : parent.list()) {
            if (!name.startsWith(STAGING) || !madeByADeadRunHere(name.substring(STAGING.length()))) {
                continue;
            }
            Optional<FileStat> st = parent.stat(name);
            if (st.isPresent() && st.get().isDirectory() && st.get().uid() == euid && (st.get().mode() & 0077) == 0) {
                try (Dir d = parent.openDir(name)) {
                    for (String f : d.list()) {
                        d.delete(f);
                    }
                }
                parent.rmdir(name);
            }
        }
    }

    /** {@code PID@ADMINHOST-RANDOM}: a process of this admin machine that no longer runs. */
    private static boolean madeByADeadRunHere(String tag) {
        int at = tag.indexOf('@');
        int dash = tag.lastIndexOf('-');
        if (at <= 0 || dash < at) {
            return false;
        }
        String host = tag.substring(at + 1, dash);
        if (!RUN.endsWith("@" + host)) {
            return false;
        }
        try {
            long pid = Long.parseLong(tag.substring(0, at));
            return ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[8];
        RANDOM.nextBytes(b);
        return b;
    }
}
