package dev.redistls.host;

/**
 * What {@code lstat} says of a file: its kind, permission bits (with setuid, setgid and sticky), numeric owner and
 * group, size. Numeric ids because that is all SFTP carries, and names differ between hosts.
 */
public record FileStat(Kind kind, int mode, int uid, int gid, long size) {
    public enum Kind { FILE, DIRECTORY, SYMLINK, OTHER }

    public static final int STICKY = 01000;

    public boolean isDirectory() {
        return kind == Kind.DIRECTORY;
    }

    public boolean isFile() {
        return kind == Kind.FILE;
    }

    public boolean isSymlink() {
        return kind == Kind.SYMLINK;
    }

    /** The rwx bits for user, group, others (no setuid/setgid/sticky). */
    public int permissions() {
        return mode & 0777;
    }

    public boolean groupOrOthersWrite() {
        return (mode & 0022) != 0;
    }

    public String octal() {
        return String.format("%04o", mode & 07777);
    }
}
