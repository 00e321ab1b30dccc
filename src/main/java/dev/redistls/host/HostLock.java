package dev.redistls.host;

import dev.redistls.RedisTlsException;

/** A held host-wide lock; closing releases it. A process that dies releases it too. */
public interface HostLock extends AutoCloseable {
    @Override
    void close();

    /** The lock file's name for a lock key (a node's config path): the same on every host. */
    static String fileName(String key) {
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(key.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(d, 0, 12) + ".lock";
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Another process holds the lock and the caller asked not to wait. */
    final class Busy extends RedisTlsException {
        public Busy(String message) {
            super(FAILED, message);
        }
    }
}
