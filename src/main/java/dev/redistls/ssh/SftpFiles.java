package dev.redistls.ssh;

import dev.redistls.RedisTlsException;
import dev.redistls.host.Dir;
import dev.redistls.host.HostFiles;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.util.function.Supplier;

/**
 * A host's files over one SFTP session, opened on first use and kept for the command. SFTP's status codes become
 * the {@code java.nio.file} exceptions {@link dev.redistls.host.LocalHost} throws, so callers need not know which
 * host they write to; a lost connection becomes the one-line failure that names the host.
 */
final class SftpFiles implements HostFiles {
    private final SshHost host;
    private final Supplier<RootSftp> client;

    SftpFiles(SshHost host, Supplier<RootSftp> client) {
        this.host = host;
        this.client = client;
    }

    @Override
    public Dir root() throws IOException {
        return new SftpDir(this, "/");
    }

    RootSftp sftp() {
        return client.get();
    }

    String hostName() {
        return host.name();
    }

    /** The exception a local file operation would have thrown for the same failure. */
    IOException translate(IOException e, String path) {
        if (!host.connected()) {
            throw host.lost("while working on " + path, e);
        }
        if (host.sftpClosing()) {
            throw host.sftpClosed(e);
        }
        if (e instanceof SftpException s) {
            return switch (s.getStatus()) {
                case SftpConstants.SSH_FX_NO_SUCH_FILE, SftpConstants.SSH_FX_NO_SUCH_PATH -> new NoSuchFileException(path);
                case SftpConstants.SSH_FX_PERMISSION_DENIED -> new AccessDeniedException(path, null, "permission denied on " + host.name());
                case SftpConstants.SSH_FX_FILE_ALREADY_EXISTS -> new FileAlreadyExistsException(path);
                default -> new IOException(path + " on " + host.name() + ": " + Messages.oneLine(s), s);
            };
        }
        return new IOException(path + " on " + host.name() + ": " + Messages.oneLine(e), e);
    }

    /** The SFTP server lacks an OpenSSH extension a guarantee depends on: refuse rather than weaken it. */
    RedisTlsException lacks(String extension, String why) {
        return RedisTlsException.failed("the SFTP server of " + host.name() + " lacks " + extension + ", needed " + why
                + "; use OpenSSH's sftp-server (OpenSSH 8.0 or later)");
    }
}
