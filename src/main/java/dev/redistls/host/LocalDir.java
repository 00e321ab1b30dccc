package dev.redistls.host;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.EnumSet;
import java.nio.file.OpenOption;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A directory of this machine held open as a file descriptor ({@link SecureDirectoryStream}: openat, fstatat,
 * renameat, unlinkat, each without following links). A name an attacker swaps after the directory was opened
 * redirects nothing: every operation is relative to the directory the tool checked.
 */
final class LocalDir implements Dir {
    private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};
    private static final Set<PosixFilePermission> CREATOR_ONLY = PosixFilePermissions.fromString("rw-------");

    private final Path path;
    private final SecureDirectoryStream<Path> fd;
    private final Ids ids;

    /** Numeric ids for the names the JDK gives owners (it exposes names only), and the way back. */
    interface Ids {
        int uid(String userName);

        int gid(String groupName);
    }

    private LocalDir(Path path, SecureDirectoryStream<Path> fd, Ids ids) {
        this.path = path;
        this.fd = fd;
        this.ids = ids;
    }

    static LocalDir root(Ids ids) throws IOException {
        Path root = Path.of("/");
        DirectoryStream<Path> ds = Files.newDirectoryStream(root);
        if (!(ds instanceof SecureDirectoryStream<Path> sds)) {
            ds.close();
            throw new IOException("this platform cannot open directories safely (no openat): Linux is required");
        }
        return new LocalDir(root, sds, ids);
    }

    @Override
    public Path path() {
        return path;
    }

    @Override
    public FileStat self() throws IOException {
        return stat(fd.getFileAttributeView(PosixFileAttributeView.class).readAttributes(), FileStat.Kind.DIRECTORY);
    }

    @Override
    public Optional<FileStat> stat(String name) throws IOException {
        try {
            PosixFileAttributes a = fd.getFileAttributeView(entry(name), PosixFileAttributeView.class, NOFOLLOW).readAttributes();
            FileStat.Kind kind = a.isSymbolicLink() ? FileStat.Kind.SYMLINK : a.isDirectory() ? FileStat.Kind.DIRECTORY
                    : a.isRegularFile() ? FileStat.Kind.FILE : FileStat.Kind.OTHER;
            return Optional.of(stat(a, kind));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    private FileStat stat(PosixFileAttributes a, FileStat.Kind kind) throws IOException {
        int mode = 0;
        for (PosixFilePermission p : a.permissions()) {
            mode |= 0400 >> p.ordinal();
        }
        // The JDK hides setuid/setgid/sticky from the posix view; the unix view (path-based) has them. Only the
        // sticky bit matters to the tool, and only on directories.
        if (kind == FileStat.Kind.DIRECTORY) {
            mode |= stickyBit(a);
        }
        return new FileStat(kind, mode, ids.uid(a.owner().getName()), ids.gid(a.group().getName()), a.size());
    }

    private int stickyBit(PosixFileAttributes a) {
        try {
            Object m = Files.getAttribute(path, "unix:mode", NOFOLLOW);
            // a.fileKey() is (dev, ino): only when the path still names this directory is its mode ours to read.
            Object key = Files.readAttributes(path, PosixFileAttributes.class, NOFOLLOW).fileKey();
            return key != null && key.equals(a.fileKey()) && m instanceof Integer i ? i & FileStat.STICKY : 0;
        } catch (IOException | UnsupportedOperationException e) {
            return 0;
        }
    }

    @Override
    public String readLink(String name) throws IOException {
        return Files.readSymbolicLink(path.resolve(entry(name))).toString();
    }

    @Override
    public Dir openDir(String name) throws IOException {
        Path e = entry(name);
        try {
            SecureDirectoryStream<Path> child = fd.newDirectoryStream(e, NOFOLLOW);
            return new LocalDir(path.resolve(e), child, ids);
        } catch (IOException ex) {
            Optional<FileStat> st = stat(name);
            if (st.isPresent() && !st.get().isDirectory()) {
                throw new NotDirectoryException(path.resolve(e).toString());
            }
            throw ex;
        }
    }

    @Override
    public List<String> list() throws IOException {
        List<String> names = new ArrayList<>();
        // A SecureDirectoryStream can be iterated once; a fresh one on "." keeps this Dir reusable.
        try (SecureDirectoryStream<Path> again = fd.newDirectoryStream(Path.of("."), NOFOLLOW)) {
            for (Path p : again) {
                names.add(p.getFileName().toString());
            }
        }
        return names;
    }

    @Override
    public byte[] read(String name, long limit) throws IOException {
        FileStat st = stat(name).orElseThrow(() -> new NoSuchFileException(path.resolve(name).toString()));
        if (!st.isFile()) {
            throw new IOException(path.resolve(name) + " is not a regular file");
        }
        if (st.size() > limit) {
            throw new IOException(path.resolve(name) + " is larger than " + limit + " bytes");
        }
        try (SeekableByteChannel ch = fd.newByteChannel(entry(name), Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS))) {
            // The file may grow between the stat and the read: never take more than the limit.
            byte[] bytes = java.nio.channels.Channels.newInputStream(ch).readNBytes((int) Math.min(limit + 1, Integer.MAX_VALUE - 8));
            if (bytes.length > limit) {
                throw new IOException(path.resolve(name) + " is larger than " + limit + " bytes");
            }
            return bytes;
        }
    }

    @Override
    public void mkdir(String name, int mode) throws IOException {
        // SecureDirectoryStream has no mkdirat: create by path, then check through this descriptor that the entry
        // is the directory just made before anyone uses it (callers open it with openDir and look at self()).
        Files.createDirectory(path.resolve(entry(name)), PosixFilePermissions.asFileAttribute(Set.of(PosixFilePermission.OWNER_READ,
                PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE)));
        setMode(name, mode);
    }

    @Override
    public void create(String name, byte[] content, int mode, int uid, int gid) throws IOException {
        Path e = entry(name);
        try (SeekableByteChannel ch = fd.newByteChannel(e, Set.of(StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS), PosixFilePermissions.asFileAttribute(CREATOR_ONLY))) {
            ByteBuffer buf = ByteBuffer.wrap(content);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ((java.nio.channels.FileChannel) ch).force(true);
        }
        if (uid != -1) {
            setOwner(name, uid, gid);
        }
        setMode(name, mode);
    }

    @Override
    public void rename(String name, Dir to, String toName) throws IOException {
        if (!(to instanceof LocalDir target)) {
            throw new IOException("cannot rename across hosts");
        }
        fd.move(entry(name), target.fd, target.entry(toName));
    }

    @Override
    public void delete(String name) throws IOException {
        try {
            fd.deleteFile(entry(name));
        } catch (NoSuchFileException ignored) {
            // already gone
        }
    }

    @Override
    public void rmdir(String name) throws IOException {
        try {
            fd.deleteDirectory(entry(name));
        } catch (NoSuchFileException ignored) {
            // already gone
        }
    }

    @Override
    public void setMode(String name, int mode) throws IOException {
        fd.getFileAttributeView(entry(name), PosixFileAttributeView.class, NOFOLLOW).setPermissions(permissions(mode));
    }

    @Override
    public void setOwner(String name, int uid, int gid) throws IOException {
        setOwner(fd.getFileAttributeView(entry(name), PosixFileAttributeView.class, NOFOLLOW), uid, gid);
    }

    @Override
    public void setSelfMode(int mode) throws IOException {
        fd.getFileAttributeView(PosixFileAttributeView.class).setPermissions(permissions(mode));
    }

    @Override
    public void setSelfOwner(int uid, int gid) throws IOException {
        setOwner(fd.getFileAttributeView(PosixFileAttributeView.class), uid, gid);
    }

    private static void setOwner(PosixFileAttributeView view, int uid, int gid) throws IOException {
        // A name that is all digits is taken as the numeric id when no such user exists: ids go as numbers.
        UserPrincipalLookupService lookup = FileSystems.getDefault().getUserPrincipalLookupService();
        view.setOwner(lookup.lookupPrincipalByName(String.valueOf(uid)));
        if (gid != -1) {
            view.setGroup(lookup.lookupPrincipalByGroupName(String.valueOf(gid)));
        }
    }

    /** Opens (creating, 0600) a lock file entry for reading and writing, without following a link. */
    java.nio.channels.FileChannel openForLock(String name) throws IOException {
        return (java.nio.channels.FileChannel) fd.newByteChannel(entry(name), Set.of(StandardOpenOption.CREATE,
                StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
                PosixFilePermissions.asFileAttribute(CREATOR_ONLY));
    }

    @Override
    public void close() throws IOException {
        fd.close();
    }

    private static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
        for (PosixFilePermission p : PosixFilePermission.values()) {
            if ((mode & (0400 >> p.ordinal())) != 0) {
                set.add(p);
            }
        }
        return set;
    }

    private static Path entry(String name) throws IOException {
        if (name.isEmpty() || name.contains("/") || name.equals(".") || name.equals("..")) {
            throw new IOException("not a directory entry name: '" + name + "'");
        }
        return Path.of(name);
    }
}
