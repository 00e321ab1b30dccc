package dev.redistls;

/**
 * A failure the user can act on. The message is one line that names the file or value at fault; it never holds a
 * secret. The exit code follows the command contract: 1 failed (nothing half-done left behind), 2 bad usage or
 * input, 3 applied but verification failed.
 */
public class RedisTlsException extends RuntimeException {
    public static final int FAILED = 1;
    public static final int BAD_INPUT = 2;
    public static final int VERIFICATION_FAILED = 3;

    private final int exitCode;

    public RedisTlsException(int exitCode, String message) {
        this(exitCode, message, null);
    }

    public RedisTlsException(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }

    /** Bad usage or input: nothing was written. */
    public static RedisTlsException badInput(String message) {
        return new RedisTlsException(BAD_INPUT, message);
    }

    public static RedisTlsException badInput(String message, Throwable cause) {
        return new RedisTlsException(BAD_INPUT, message, cause);
    }

    /** The work could not be done; whatever was touched is as it was. */
    public static RedisTlsException failed(String message) {
        return new RedisTlsException(FAILED, message);
    }

    public static RedisTlsException failed(String message, Throwable cause) {
        return new RedisTlsException(FAILED, message, cause);
    }

    /** The change was applied, but the proof (handshake, fingerprint, PING) did not hold. */
    public static RedisTlsException verificationFailed(String message) {
        return new RedisTlsException(VERIFICATION_FAILED, message);
    }
}
