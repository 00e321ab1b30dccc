package dev.redistls.ssh;

import org.apache.sshd.agent.SshAgent;
import org.apache.sshd.agent.SshAgentFactory;
import org.apache.sshd.agent.SshAgentServer;
import org.apache.sshd.agent.common.AbstractAgentProxy;
import org.apache.sshd.common.FactoryManager;
import org.apache.sshd.common.channel.ChannelFactory;
import org.apache.sshd.common.session.ConnectionService;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;

import java.io.EOFException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.List;

/**
 * ssh-agent through its Unix socket ({@code SSH_AUTH_SOCK} or the config's IdentityAgent). MINA's own agent client
 * needs the native APR library; Java 16+ speaks Unix sockets itself, and MINA's proxy does the agent protocol:
 * this class only moves one framed request and its framed answer.
 */
final class UnixAgent extends AbstractAgentProxy {
    private final SocketChannel socket;

    private UnixAgent(SocketChannel socket) {
        super(null);
        this.socket = socket;
    }

    static SshAgentFactory factory(Path socketPath) {
        return new SshAgentFactory() {
            @Override
            public List<ChannelFactory> getChannelForwardingFactories(FactoryManager manager) {
                return List.of(); // no agent forwarding to node hosts
            }

            @Override
            public SshAgent createClient(Session session, FactoryManager manager) throws IOException {
                SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
                try {
                    ch.connect(UnixDomainSocketAddress.of(socketPath));
                } catch (IOException e) {
                    ch.close();
                    // No agent where the environment says: offer the key files alone, as ssh does.
                    return null;
                }
                return new UnixAgent(ch);
            }

            @Override
            public SshAgentServer createServer(ConnectionService service) {
                throw new UnsupportedOperationException("agent forwarding is not offered");
            }
        };
    }

    @Override
    protected synchronized Buffer request(Buffer buffer) throws IOException {
        // prepare() has put the length in front already.
        ByteBuffer out = ByteBuffer.wrap(buffer.array(), buffer.rpos(), buffer.available());
        while (out.hasRemaining()) {
            socket.write(out);
        }
        ByteBuffer len = ByteBuffer.allocate(4);
        fill(len);
        int n = len.flip().getInt();
        if (n < 0 || n > 256 * 1024) {
            throw new IOException("ssh-agent answered a message of " + n + " bytes");
        }
        ByteBuffer body = ByteBuffer.allocate(n);
        fill(body);
        return new ByteArrayBuffer(body.array());
    }

    private void fill(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            if (socket.read(b) < 0) {
                throw new EOFException("ssh-agent closed the connection");
            }
        }
    }

    @Override
    public void close() throws IOException {
        try {
            super.close();
        } finally {
            socket.close();
        }
    }

    @Override
    public boolean isOpen() {
        return socket.isOpen();
    }
}
