package dev.redistls.host;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * An open directory on a host, and the operations on its entries by name. No operation follows a symbolic link
 * in the entry it names. On this machine a {@code Dir} is a directory file descriptor (openat semantics, so a
 * name swapped after the directory was opened cannot redirect the tool); over SFTP, which has no such handle, it is
 * the checked path (see docs/security.md for what that leaves).
 */
public interface Dir extends Closeable {
    /** The directory's path on its host, for messages and for what Redis is told. */
    Path path();

    /** {@code fstat} of the directory itself. */
    FileStat self() throws IOException;

    /** {@code lstat} of an entry, empty when there is none. */
    Optional<FileStat> stat(String name) throws IOException;

    /** The target of a symbolic link entry, as written in the link. */
    String readLink(String name) throws IOException;

    /** Opens a directory entry; fails when it is missing, a link, or not a directory. */
    Dir openDir(String name) throws IOException;

    /** Names of the entries, without "." and "..". */
    List<String> list() throws IOException;

    /**
     * The bytes of a regular file entry; fails for a link, a directory, a device or a FIFO (never opened, so never
     * blocks) and for a file longer than {@code limit}.
     */
    byte[] read(String name, long limit) throws IOException;

    /** Creates a directory entry with exactly {@code mode} (whatever the umask); fails when the name exists. */
    void mkdir(String name, int mode) throws IOException;

    /**
     * Creates a new regular file entry (fails when the name exists, link or not), readable by its creator alone
     * before its first byte is written; writes {@code content}, syncs it, and only then gives it {@code mode} and,
     * unless {@code uid} is -1, the owner {@code uid:gid}: through the open file, or a no-follow reopen of the
     * entry in this directory (callers create files only in a directory nobody else can write, see
     * {@code files.FileBatch}).
     */
    void create(String name, byte[] content, int mode, int uid, int gid) throws IOException;

    /** Renames an entry of this directory to {@code toName} in {@code to}, atomically replacing what is there. */
    void rename(String name, Dir to, String toName) throws IOException;

    /** Removes a non-directory entry (a link itself, never its target). Missing is not an error. */
    void delete(String name) throws IOException;

    /** Removes an empty directory entry. Missing is not an error. */
    void rmdir(String name) throws IOException;

    /** Sets the mode of an entry; fails on a link. */
    void setMode(String name, int mode) throws IOException;

    /** Sets the numeric owner of an entry; fails on a link. */
    void setOwner(String name, int uid, int gid) throws IOException;

    /** Sets the mode of this directory itself. */
    void setSelfMode(int mode) throws IOException;

    /** Sets the numeric owner of this directory itself. */
    void setSelfOwner(int uid, int gid) throws IOException;

    @Override
    void close() throws IOException;
}
