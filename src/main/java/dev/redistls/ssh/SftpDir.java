package dev.redistls.ssh;

import dev.redistls.host.Dir;
import dev.redistls.host.FileStat;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClient.Attributes;
import org.apache.sshd.sftp.client.SftpClient.CloseableHandle;
import org.apache.sshd.sftp.client.extensions.openssh.OpenSSHFsyncExtension;
import org.apache.sshd.sftp.client.extensions.openssh.OpenSSHPosixRenameExtension;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;

/**
 * A directory of a host reached over SFTP. SFTP has no directory handle to work relative to, so a {@code Dir} here is
 * the absolute path that was checked (lstat: a directory, not a link) when it was opened, and every operation
 * names {@code path/entry}. The last component is never followed (lstat, O_EXCL creation, lsetstat, unlink,
 * posix-rename all act on the entry itself); what remains is that the server resolves the parent path again on
 * every call, so a directory component swapped for a link by someone who can write its parent would redirect
 * the call. Callers work only in directories nobody else can write ({@code files.SafePath}), which closes that,
 * and docs/security.md says what is left.
 */
final class SftpDir implements Dir {
    private static final int CHUNK = 32 * 1024;
    private static final int CREATOR_ONLY = 0600;

    private final SftpFiles files;
    private final String path;

    SftpDir(SftpFiles files, String path) {
        this.files = files;
        this.path = path;
    }

    @Override
    public Path path() {
        return Path.of(path);
    }

    private String entry(String name) throws IOException {
        if (name.isEmpty() || name.contains("/") || name.equals(".") || name.equals("..") || name.indexOf('\0') >= 0) {
            throw new IOException("not a directory entry name: '" + name + "'");
        }
        return path.equals("/") ? "/" + name : path + "/" + name;
    }

    private SftpClient.Attributes lstat(String p) throws IOException {
        try {
            return files.sftp().lstat(p);
        } catch (IOException e) {
            throw files.translate(e, p);
        }
    }

    @Override
    public FileStat self() throws IOException {
        Attributes a = lstat(path);
        if (!a.isDirectory()) {
            throw new NotDirectoryException(path + " on " + files.hostName() + " is no longer a directory");
        }
        return stat(a);
    }

    @Override
    public Optional<FileStat> stat(String name) throws IOException {
        try {
            return Optional.of(stat(lstat(entry(name))));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    private static FileStat stat(Attributes a) {
        FileStat.Kind kind = a.isSymbolicLink() ? FileStat.Kind.SYMLINK : a.isDirectory() ? FileStat.Kind.DIRECTORY
                : a.isRegularFile() ? FileStat.Kind.FILE : FileStat.Kind.OTHER;
        return new FileStat(kind, a.getPermissions() & 07777, a.getUserId(), a.getGroupId(), a.getSize());
    }

    @Override
    public String readLink(String name) throws IOException {
        String p = entry(name);
        try {
            return files.sftp().readLink(p);
        } catch (IOException e) {
            throw files.translate(e, p);
        }
    }

    @Override
    public Dir openDir(String name) throws IOException {
        String p = entry(name);
        if (!lstat(p).isDirectory()) {
            throw new NotDirectoryException(p);
        }
        return new SftpDir(files, p);
    }

    @Override
    public List<String> list() throws IOException {
        self();
        List<String> names = new ArrayList<>();
        try {
            for (SftpClient.DirEntry e : files.sftp().readDir(path)) {
                if (!e.getFilename().equals(".") && !e.getFilename().equals("..")) {
                    names.add(e.getFilename());
                }
            }
        } catch (IOException e) {
            throw files.translate(e, path);
        }
        return names;
    }

    @Override
    public byte[] read(String name, long limit) throws IOException {
        String p = entry(name);
        // Checked before opening: a FIFO is never opened (it would block the server), a link never followed.
        checkReadable(p, lstat(p), limit);
        RootSftp sftp = files.sftp();
        try (CloseableHandle h = sftp.open(p, EnumSet.of(SftpClient.OpenMode.Read))) {
            // The opened file again, through the handle: what was read is a regular file within the limit.
            checkReadable(p, sftp.stat(h), limit);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[CHUNK];
            long offset = 0;
            while (true) {
                int n = sftp.read(h, offset, buf, 0, (int) Math.min(buf.length, limit + 1 - offset));
                if (n < 0) {
                    break;
                }
                out.write(buf, 0, n);
                offset += n;
                if (offset > limit) {
                    throw new Refused(p + " on " + files.hostName() + " is larger than " + limit + " bytes");
                }
            }
            return out.toByteArray();
        } catch (Refused r) {
            throw r;
        } catch (IOException e) {
            throw files.translate(e, p);
        }
    }

    private void checkReadable(String p, Attributes a, long limit) throws IOException {
        if (!a.isRegularFile()) {
            throw new Refused(p + " on " + files.hostName() + " is not a regular file");
        }
        if (a.getSize() > limit) {
            throw new Refused(p + " on " + files.hostName() + " is larger than " + limit + " bytes");
        }
    }

    @Override
    public void mkdir(String name, int mode) throws IOException {
        String p = entry(name);
        try {
            // Made 0700 whatever the server's umask, then given its mode: never wider than asked at any moment.
            files.sftp().mkdir(p, 0700);
        } catch (IOException e) {
            throw existsOr(p, e);
        }
        setMode(name, mode);
    }

    /** OpenSSH's SFTP v3 reports EEXIST as a plain failure: ask whether the name exists to say what happened. */
    private IOException existsOr(String p, IOException e) throws IOException {
        IOException t = files.translate(e, p);
        if (!(t instanceof NoSuchFileException) && files.sftp().isOpen()) {
            try {
                files.sftp().lstat(p);
                return new FileAlreadyExistsException(p);
            } catch (IOException missing) {
                // not there: the first failure stands
            }
        }
        return t;
    }

    @Override
    public void create(String name, byte[] content, int mode, int uid, int gid) throws IOException {
        String p = entry(name);
        RootSftp sftp = files.sftp();
        OpenSSHFsyncExtension fsync = sftp.getExtension(OpenSSHFsyncExtension.class);
        if (!sftp.supports(RootSftp.FSYNC)) {
            throw files.lacks(RootSftp.FSYNC, "to make " + p + " durable before it is used");
        }
        CloseableHandle h;
        try {
            h = sftp.createExclusive(p, CREATOR_ONLY);
        } catch (IOException e) {
            throw existsOr(p, e);
        }
        boolean done = false;
        try {
            // A server may ignore the mode of an OPEN (or apply a umask to it): set it on the handle and read it
            // back, all before the first byte is written.
            sftp.setStat(h, new Attributes().perms(CREATOR_ONLY));
            Attributes made = sftp.stat(h);
            if (!made.isRegularFile() || (made.getPermissions() & 07777) != CREATOR_ONLY) {
                throw new Refused(p + " on " + files.hostName() + " could not be made " + String.format("%04o", CREATOR_ONLY)
                        + " before writing (it is " + String.format("%04o", made.getPermissions() & 07777) + ")");
            }
            for (int off = 0; off < content.length; off += CHUNK) {
                sftp.write(h, off, content, off, Math.min(CHUNK, content.length - off));
            }
            fsync.fsync(h);
            if (uid != -1) {
                sftp.setStat(h, new Attributes().owner(uid, gid == -1 ? made.getGroupId() : gid));
            }
            sftp.setStat(h, new Attributes().perms(mode & 07777));
            h.close();
            done = true;
        } catch (Refused r) {
            throw r;
        } catch (IOException e) {
            throw files.translate(e, p);
        } finally {
            if (!done) {
                closeAndRemove(h, p);
            }
        }
    }

    private void closeAndRemove(CloseableHandle h, String p) {
        try {
            h.close();
        } catch (IOException | RuntimeException ignored) {
            // the connection may be gone; the file then stays, 0600 root's, for the next run to replace
        }
        try {
            files.sftp().remove(p);
        } catch (IOException | RuntimeException ignored) {
            // as above
        }
    }

    @Override
    public void rename(String name, Dir to, String toName) throws IOException {
        if (!(to instanceof SftpDir target) || target.files != files) {
            throw new IOException("cannot rename across hosts");
        }
        String from = entry(name);
        String dest = target.entry(toName);
        RootSftp sftp = files.sftp();
        if (!sftp.supports(RootSftp.POSIX_RENAME)) {
            // Plain SFTP rename fails when the target exists; emulating it by delete-then-rename would leave the
            // target missing for a moment.
            throw files.lacks(RootSftp.POSIX_RENAME, "to replace " + dest + " atomically");
        }
        try {
            sftp.getExtension(OpenSSHPosixRenameExtension.class).posixRename(from, dest);
        } catch (IOException e) {
            throw files.translate(e, from);
        }
    }

    @Override
    public void delete(String name) throws IOException {
        String p = entry(name);
        try {
            files.sftp().remove(p); // unlink(2): a link itself, never its target
        } catch (IOException e) {
            IOException t = files.translate(e, p);
            if (!(t instanceof NoSuchFileException)) {
                throw t;
            }
        }
    }

    @Override
    public void rmdir(String name) throws IOException {
        String p = entry(name);
        try {
            files.sftp().rmdir(p);
        } catch (IOException e) {
            IOException t = files.translate(e, p);
            if (!(t instanceof NoSuchFileException)) {
                throw t;
            }
        }
    }

    @Override
    public void setMode(String name, int mode) throws IOException {
        setAttributes(entry(name), new Attributes().perms(mode & 07777), false);
    }

    @Override
    public void setOwner(String name, int uid, int gid) throws IOException {
        String p = entry(name);
        setAttributes(p, new Attributes().owner(uid, gid == -1 ? lstat(p).getGroupId() : gid), false);
    }

    @Override
    public void setSelfMode(int mode) throws IOException {
        setAttributes(path, new Attributes().perms(mode & 07777), true);
    }

    @Override
    public void setSelfOwner(int uid, int gid) throws IOException {
        setAttributes(path, new Attributes().owner(uid, gid == -1 ? lstat(path).getGroupId() : gid), true);
    }

    /**
     * Refuses a link (lstat), then sets without following one: {@code lsetstat@openssh.com} where the server has it
     * (a link swapped in after the check is then changed itself, or refused for a mode, never its target). Without
     * it, plain SETSTAT follows a link swapped in between the lstat and the call: only a writer of this directory
     * could do that, and callers use directories nobody else can write.
     */
    private void setAttributes(String p, Attributes a, boolean directory) throws IOException {
        Attributes now = lstat(p);
        if (now.isSymbolicLink()) {
            throw new IOException(p + " on " + files.hostName() + " is a symbolic link; refusing to change what it points to");
        }
        if (directory && !now.isDirectory()) {
            throw new NotDirectoryException(p);
        }
        RootSftp sftp = files.sftp();
        try {
            if (sftp.supports(RootSftp.LSETSTAT)) {
                sftp.lsetstat(p, a);
            } else {
                sftp.setStat(p, a);
            }
        } catch (IOException e) {
            throw files.translate(e, p);
        }
    }

    @Override
    public void close() {
        // nothing held on the server: a Dir over SFTP is a checked path
    }

    @Override
    public String toString() {
        return path;
    }

    /** A check of ours that failed, as opposed to an SFTP error to translate. */
    private static final class Refused extends IOException {
        Refused(String message) {
            super(message);
        }
    }
}
