package dev.redistls.ssh;

import org.apache.sshd.client.channel.ChannelSubsystem;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.channel.Channel;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;
import org.apache.sshd.core.CoreModuleProperties;
import org.apache.sshd.sftp.client.SftpVersionSelector;
import org.apache.sshd.sftp.client.impl.DefaultCloseableHandle;
import org.apache.sshd.sftp.client.impl.DefaultSftpClient;
import org.apache.sshd.sftp.common.SftpConstants;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * MINA's SFTP client with what the tool needs beyond it: an sftp-server started by an exec request (so that
 * {@code sudo -n sftp-server} serves files as root for a sudo user), an exclusive open that carries the mode, a
 * mkdir that carries the mode, and OpenSSH's {@code lsetstat@openssh.com}. OpenSSH speaks SFTP version 3 only.
 */
final class RootSftp extends DefaultSftpClient {
    static final String LSETSTAT = "lsetstat@openssh.com";
    static final String POSIX_RENAME = "posix-rename@openssh.com";
    static final String FSYNC = "fsync@openssh.com";

    // DefaultSftpClient opens its channel from its constructor, before a subclass's fields exist: the exec command
    // travels as a session attribute, set and read under the session's lock.
    private static final AttributeKey<String> EXEC = new AttributeKey<>();

    private final StringBuilder stderr;

    private RootSftp(ClientSession session, StringBuilder stderr) throws IOException {
        super(session, SftpVersionSelector.fixedVersionSelector(SftpConstants.SFTP_V3), (buf, start, len) -> {
            synchronized (stderr) {
                if (stderr.length() < 4096) {
                    stderr.append(new String(buf, start, len, StandardCharsets.UTF_8));
                }
            }
        });
        this.stderr = stderr;
    }

    /** The {@code sftp} subsystem when {@code execCommand} is null, else a server started by that command. */
    static RootSftp open(ClientSession session, String execCommand, StringBuilder stderr) throws IOException {
        synchronized (session) {
            session.setAttribute(EXEC, execCommand == null ? "" : execCommand);
            try {
                return new RootSftp(session, stderr);
            } finally {
                session.removeAttribute(EXEC);
            }
        }
    }

    String stderr() {
        synchronized (stderr) {
            return stderr.toString();
        }
    }

    boolean supports(String extension) {
        return getServerExtensions().containsKey(extension);
    }

    @Override
    protected ChannelSubsystem createSftpChannelSubsystem(ClientSession session) {
        String command = session.getAttribute(EXEC);
        return command == null || command.isEmpty() ? super.createSftpChannelSubsystem(session) : new ExecChannel(command);
    }

    /** The SFTP channel of MINA, opened with an exec request instead of the subsystem request. */
    private final class ExecChannel extends SftpChannelSubsystem {
        private final byte[] command;

        ExecChannel(String command) {
            this.command = command.getBytes(StandardCharsets.UTF_8);
        }

        @Override
        protected void doOpen() throws IOException {
            Session session = getSession();
            boolean wantReply = CoreModuleProperties.REQUEST_EXEC_REPLY.getRequired(this);
            Buffer buffer = session.createBuffer(SshConstants.SSH_MSG_CHANNEL_REQUEST, command.length + Integer.SIZE);
            buffer.putUInt(getRecipient());
            buffer.putString(Channel.CHANNEL_EXEC);
            buffer.putBoolean(wantReply);
            buffer.putBytes(command);
            // Filed under "subsystem" so that the subsystem channel's success/failure handling applies unchanged.
            addPendingRequest(Channel.CHANNEL_SUBSYSTEM, wantReply);
            writePacket(buffer);

            setStreaming(Streaming.Async);
            asyncIn = createAsyncInput(session);
            setOut(createStdOutputStream(session));
            setErr(createErrOutputStream(session));
        }
    }

    /**
     * OPEN with CREAT|EXCL|WRITE and the permissions in the request: the server creates the file with them (less its
     * umask) or fails when the name exists, a link included, since O_EXCL does not follow links.
     */
    CloseableHandle createExclusive(String path, int permissions) throws IOException {
        Buffer buffer = new ByteArrayBuffer(path.length() + Long.SIZE, false);
        buffer = putReferencedName(SftpConstants.SSH_FXP_OPEN, buffer, path, 0);
        buffer.putInt(SftpConstants.SSH_FXF_WRITE | SftpConstants.SSH_FXF_CREAT | SftpConstants.SSH_FXF_EXCL);
        buffer = writeAttributes(SftpConstants.SSH_FXP_OPEN, buffer, new Attributes().perms(permissions));
        return new DefaultCloseableHandle(this, path, checkHandle(SftpConstants.SSH_FXP_OPEN, buffer));
    }

    /** MKDIR with the permissions in the request, so the new directory is never wider than asked. */
    void mkdir(String path, int permissions) throws IOException {
        Buffer buffer = new ByteArrayBuffer(path.length() + Long.SIZE, false);
        buffer = putReferencedName(SftpConstants.SSH_FXP_MKDIR, buffer, path, 0);
        buffer = writeAttributes(SftpConstants.SSH_FXP_MKDIR, buffer, new Attributes().perms(permissions));
        checkCommandStatus(SftpConstants.SSH_FXP_MKDIR, buffer);
    }

    /** SETSTAT that does not follow a link in the last component (OpenSSH 8.0+). */
    void lsetstat(String path, Attributes attributes) throws IOException {
        Buffer buffer = new ByteArrayBuffer(path.length() + Long.SIZE + LSETSTAT.length(), false);
        buffer.putString(LSETSTAT);
        buffer.putString(path);
        buffer = writeAttributes(SftpConstants.SSH_FXP_EXTENDED, buffer, attributes);
        checkCommandStatus(SftpConstants.SSH_FXP_EXTENDED, buffer);
    }
}
