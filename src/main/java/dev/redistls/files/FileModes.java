package dev.redistls.files;

/** The modes the tool gives what it makes, set explicitly (never left to the umask). */
public final class FileModes {
    /** Private keys, install records, PKCS#12 with keys. */
    public static final int PRIVATE = 0600;
    /** Certificates. */
    public static final int PUBLIC = 0644;
    /** The CA home: only its owner may enter. */
    public static final int PRIVATE_DIR = 0700;
    /** Keys dirs: root writes, the Redis user's group reads. */
    public static final int GROUP_DIR = 0750;
    /** Parents the tool has to create on the way (e.g. ~/.local/share). */
    public static final int PARENT_DIR = 0755;

    private FileModes() {
    }
}
