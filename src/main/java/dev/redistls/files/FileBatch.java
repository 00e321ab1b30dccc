package dev.redistls.files;

import dev.redistls.RedisTlsException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Several files changed as one: every new content is first written to a synced temp file beside its target
 * (created with its final mode, so a key is never readable by others), and only when all are staged are they
 * renamed into place. Until {@link #commit} nothing is visible; after it, {@link #undo} puts back what was
 * there (the old bytes, mode and owner) or removes what was not, so a failed live apply leaves every file as it was.
 */
public final class FileBatch {
    private record Change(Path target, byte[] content, Set<PosixFilePermission> perms, FileOwner owner) {
    }

    private record Previous(byte[] content, PosixFileAttributes attrs) {
    }

    private final Map<Path, Change> changes = new LinkedHashMap<>();
    private final List<Path> deletions = new ArrayList<>();
    private final Map<Path, Previous> previous = new LinkedHashMap<>();
    private boolean committed;

    public FileBatch write(Path target, byte[] content, Set<PosixFilePermission> perms, FileOwner owner) {
        changes.put(target.toAbsolutePath().normalize(), new Change(target.toAbsolutePath().normalize(), content, perms, owner));
        return this;
    }

    /** Writes keeping the mode and owner the file already has (a config file owned by redis stays so). */
    public FileBatch replace(Path target, byte[] content) {
        Path t = target.toAbsolutePath().normalize();
        try {
            PosixFileAttributes attrs = Files.readAttributes(t, PosixFileAttributes.class);
            changes.put(t, new Change(t, content, attrs.permissions(), null));
        } catch (IOException e) {
            throw RedisTlsException.badInput("cannot read " + target + ": " + AtomicFile.describe(e), e);
        }
        return this;
    }

    public FileBatch delete(Path target) {
        deletions.add(target.toAbsolutePath().normalize());
        return this;
    }

    public boolean isEmpty() {
        return changes.isEmpty() && deletions.isEmpty();
    }

    public Set<Path> targets() {
        return changes.keySet();
    }

    /** Stages everything, then renames into place. On failure, nothing has changed. */
    public void commit() {
        Map<Path, Path> staged = new LinkedHashMap<>();
        try {
            for (Change c : changes.values()) {
                remember(c.target());
                staged.put(c.target(), stage(c));
            }
            for (Path d : deletions) {
                remember(d);
            }
        } catch (RuntimeException e) {
            staged.values().forEach(FileBatch::deleteQuietly);
            throw e;
        }
        List<Path> done = new ArrayList<>();
        try {
            for (Map.Entry<Path, Path> s : staged.entrySet()) {
                Files.move(s.getValue(), s.getKey(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                done.add(s.getKey());
            }
            for (Path d : deletions) {
                Files.deleteIfExists(d);
            }
        } catch (IOException e) {
            staged.values().forEach(FileBatch::deleteQuietly);
            committed = true;
            undo();
            throw RedisTlsException.failed("cannot write " + (done.size() < staged.size()
                    ? new ArrayList<>(staged.keySet()).get(done.size()) : deletions) + ": " + AtomicFile.describe(e), e);
        }
        committed = true;
    }

    /** Restores every file this batch changed to what it was before {@link #commit}. */
    public void undo() {
        if (!committed) {
            return;
        }
        for (Map.Entry<Path, Previous> p : previous.entrySet()) {
            Path target = p.getKey();
            Previous was = p.getValue();
            try {
                if (was == null) {
                    Files.deleteIfExists(target);
                } else {
                    Change back = new Change(target, was.content(), was.attrs().permissions(), null);
                    Path tmp = stage(back);
                    Files.setOwner(tmp, was.attrs().owner());
                    Files.getFileAttributeView(tmp, java.nio.file.attribute.PosixFileAttributeView.class)
                            .setGroup(was.attrs().group());
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                }
            } catch (IOException | RuntimeException e) {
                throw RedisTlsException.failed("cannot restore " + target + ": " + e.getMessage(), e);
            }
        }
        committed = false;
    }

    private void remember(Path target) {
        if (previous.containsKey(target)) {
            return;
        }
        try {
            if (Files.exists(target)) {
                previous.put(target, new Previous(Files.readAllBytes(target),
                        Files.readAttributes(target, PosixFileAttributes.class)));
            } else {
                previous.put(target, null);
            }
        } catch (IOException e) {
            throw RedisTlsException.badInput("cannot read " + target + ": " + AtomicFile.describe(e), e);
        }
    }

    private static Path stage(Change c) {
        Path dir = c.target().getParent();
        Path tmp = dir.resolve("." + c.target().getFileName() + ".redis-tls.tmp");
        try {
            Files.deleteIfExists(tmp);
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(c.perms()));
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ByteBuffer buf = ByteBuffer.wrap(c.content());
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            Files.setPosixFilePermissions(tmp, c.perms());
            if (c.owner() != null) {
                c.owner().apply(tmp);
            } else if (Files.exists(c.target())) {
                PosixFileAttributes was = Files.readAttributes(c.target(), PosixFileAttributes.class);
                Files.setOwner(tmp, was.owner());
                Files.getFileAttributeView(tmp, java.nio.file.attribute.PosixFileAttributeView.class).setGroup(was.group());
            }
            return tmp;
        } catch (IOException e) {
            deleteQuietly(tmp);
            throw RedisTlsException.failed("cannot write " + c.target() + ": " + AtomicFile.describe(e), e);
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // a stray temp file is harmless; the error that matters is being reported
        }
    }
}
