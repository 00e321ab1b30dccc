package dev.redistls.ssh;

import org.apache.sshd.client.channel.ChannelDirectTcpip;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.channel.ChannelPipedInputStream;
import org.apache.sshd.common.session.ConnectionService;
import org.apache.sshd.common.util.net.SshdSocketAddress;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.channels.SocketChannel;
import java.time.Duration;

/**
 * A TCP connection opened by the host itself (an SSH {@code direct-tcpip} channel) behind the {@link Socket} API, so
 * that JSSE can layer TLS on it and Jedis can take it from a socket factory. There is no local port: no other user
 * of the admin machine can reach the node through it. Reads honour {@link #setSoTimeout} with a
 * {@link SocketTimeoutException}, as a TCP socket's do; options that only a kernel socket has are kept and ignored.
 */
final class ChannelSocket extends Socket {
    private final ChannelDirectTcpip channel;
    private final ChannelPipedInputStream pipe;
    private final OutputStream toRemote;
    private final InetSocketAddress remote;
    private final InputStream in = new In();
    private final OutputStream out = new Out();
    private volatile int soTimeout;
    private volatile boolean closed;
    private volatile boolean inputShut;
    private volatile boolean outputShut;

    private ChannelSocket(ChannelDirectTcpip channel, InetSocketAddress remote) {
        this.channel = channel;
        this.pipe = (ChannelPipedInputStream) channel.getInvertedOut();
        this.toRemote = channel.getInvertedIn();
        this.remote = remote;
    }

    /**
     * Opens the channel and waits until the host has connected: a refused or unreachable port on the far side is
     * the channel's open failure, an {@link IOException} here, never a socket that dies on first use.
     */
    static ChannelSocket open(ClientSession session, String address, int port, Duration timeout) throws IOException {
        ChannelDirectTcpip ch = new ChannelDirectTcpip(new SshdSocketAddress("127.0.0.1", 0), new SshdSocketAddress(address, port)) {
            @Override
            protected void doWriteData(byte[] data, int off, long len) throws IOException {
                try {
                    super.doWriteData(data, off, len);
                } catch (IOException e) {
                    // Bytes from the far side after our socket was closed (a reply in flight, a server's goodbye):
                    // nobody reads them. Thrown on, MINA would take the error for the whole connection's and close
                    // the SSH session under every other channel of the host ("Pipe closed", then "Write attempt on
                    // closing session" wherever the tool goes on).
                    if (getInvertedOut() instanceof ChannelPipedInputStream p && !p.isOpen()) {
                        return;
                    }
                    throw e;
                }
            }

            @Override
            public void handleEof() throws IOException {
                super.handleEof();
                // The far side sends no more (its TCP connection ended, a reset included): reads end here, as a
                // TCP read ends at FIN, instead of waiting for a close that sshd sends only after our own EOF.
                if (getInvertedOut() instanceof ChannelPipedInputStream p) {
                    p.eof();
                }
            }
        };
        session.getService(ConnectionService.class).registerChannel(ch);
        try {
            ch.open().verify(timeout);
            return new ChannelSocket(ch, new InetSocketAddress(inetAddress(address), port));
        } catch (IOException | RuntimeException e) {
            ch.close(true);
            throw e;
        }
    }

    /** The address as the host was asked for it: a literal is parsed (no lookup); a name keeps the name only. */
    private static InetAddress inetAddress(String address) throws UnknownHostException {
        if (address.matches("[0-9.]+") || address.contains(":")) {
            return InetAddress.getByName(address);
        }
        // Resolved on the host, not here: the name with the unspecified address.
        return InetAddress.getByAddress(address, new byte[4]);
    }

    private final class In extends InputStream {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (closed) {
                throw new SocketException("Socket closed");
            }
            if (inputShut) {
                return -1;
            }
            int timeout = soTimeout;
            pipe.setTimeout(timeout);
            long start = System.nanoTime();
            try {
                return pipe.read(b, off, len);
            } catch (IOException e) {
                if (closed) {
                    throw new SocketException("Socket closed");
                }
                // The pipe says "Timeout exceeded" with a plain SocketException; the elapsed time tells it apart.
                if (timeout > 0 && (System.nanoTime() - start) / 1_000_000 >= timeout) {
                    throw new SocketTimeoutException("Read timed out");
                }
                throw e;
            }
        }

        @Override
        public int available() throws IOException {
            return closed || inputShut ? 0 : Math.max(0, pipe.available());
        }

        @Override
        public void close() throws IOException {
            ChannelSocket.this.close();
        }
    }

    private final class Out extends OutputStream {
        @Override
        public void write(int b) throws IOException {
            write(new byte[]{(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (closed || outputShut) {
                throw new SocketException(closed ? "Socket closed" : "Socket output is shutdown");
            }
            toRemote.write(b, off, len);
            // The channel stream buffers up to a packet; a client that does not flush (TCP needs no flush) would
            // otherwise wait for an answer to bytes never sent.
            toRemote.flush();
        }

        @Override
        public void flush() throws IOException {
            if (!closed && !outputShut) {
                toRemote.flush();
            }
        }

        @Override
        public void close() throws IOException {
            ChannelSocket.this.close();
        }
    }

    @Override
    public InputStream getInputStream() throws IOException {
        if (closed) {
            throw new SocketException("Socket is closed");
        }
        return in;
    }

    @Override
    public OutputStream getOutputStream() throws IOException {
        if (closed) {
            throw new SocketException("Socket is closed");
        }
        return out;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        channel.close(false); // first: from now on the channel drops what still arrives
        try {
            pipe.close(); // wakes a blocked reader
        } catch (IOException ignored) {
            // closing a pipe does not fail
        }
    }

    @Override
    public void shutdownOutput() throws IOException {
        if (closed) {
            throw new SocketException("Socket is closed");
        }
        if (!outputShut) {
            outputShut = true;
            toRemote.close(); // EOF to the far side, which may still answer
        }
    }

    @Override
    public void shutdownInput() throws IOException {
        if (closed) {
            throw new SocketException("Socket is closed");
        }
        inputShut = true;
    }

    @Override
    public boolean isInputShutdown() {
        return inputShut;
    }

    @Override
    public boolean isOutputShutdown() {
        return outputShut;
    }

    @Override
    public boolean isConnected() {
        return true; // only made once the host connected
    }

    @Override
    public boolean isBound() {
        return true;
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public void connect(SocketAddress endpoint, int timeout) throws IOException {
        throw new SocketException("already connected");
    }

    @Override
    public void bind(SocketAddress bindpoint) throws IOException {
        throw new SocketException("a connection through SSH has no local address to bind");
    }

    @Override
    public InetAddress getInetAddress() {
        return remote.getAddress();
    }

    @Override
    public int getPort() {
        return remote.getPort();
    }

    @Override
    public SocketAddress getRemoteSocketAddress() {
        return remote;
    }

    @Override
    public InetAddress getLocalAddress() {
        return InetAddress.getLoopbackAddress();
    }

    @Override
    public int getLocalPort() {
        return 0;
    }

    @Override
    public SocketAddress getLocalSocketAddress() {
        return new InetSocketAddress(getLocalAddress(), 0);
    }

    @Override
    public SocketChannel getChannel() {
        return null;
    }

    @Override
    public void setSoTimeout(int timeout) throws SocketException {
        if (timeout < 0) {
            throw new IllegalArgumentException("timeout can't be negative");
        }
        soTimeout = timeout;
    }

    @Override
    public int getSoTimeout() {
        return soTimeout;
    }

    // Options of a kernel socket: nothing to set on a channel (SSH's own TCP connection has them).
    @Override
    public void setTcpNoDelay(boolean on) {
    }

    @Override
    public boolean getTcpNoDelay() {
        return true;
    }

    @Override
    public void setKeepAlive(boolean on) {
    }

    @Override
    public boolean getKeepAlive() {
        return false;
    }

    @Override
    public void setSoLinger(boolean on, int linger) {
    }

    @Override
    public int getSoLinger() {
        return -1;
    }

    @Override
    public void setReuseAddress(boolean on) {
    }

    @Override
    public boolean getReuseAddress() {
        return false;
    }

    @Override
    public void setSendBufferSize(int size) {
    }

    @Override
    public int getSendBufferSize() {
        return 64 * 1024;
    }

    @Override
    public void setReceiveBufferSize(int size) {
    }

    @Override
    public int getReceiveBufferSize() {
        return 64 * 1024;
    }

    @Override
    public void setTrafficClass(int tc) {
    }

    @Override
    public int getTrafficClass() {
        return 0;
    }

    @Override
    public void setOOBInline(boolean on) {
    }

    @Override
    public boolean getOOBInline() {
        return false;
    }

    @Override
    public void sendUrgentData(int data) throws IOException {
        throw new SocketException("urgent data cannot go through an SSH channel");
    }

    @Override
    public void setPerformancePreferences(int connectionTime, int latency, int bandwidth) {
    }

    @Override
    public String toString() {
        return "ChannelSocket[" + remote.getHostString() + ":" + remote.getPort() + (closed ? ", closed" : "") + "]";
    }
}
