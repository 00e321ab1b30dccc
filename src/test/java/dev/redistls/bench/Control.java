package dev.redistls.bench;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The benchmark's own short-lived plain connection to the node, outside the load: who the server is (pid, run_id)
 * and how long its event loop was blocked by a command (SLOWLOG).
 */
final class Control implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private Control(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    static Control connect(int port, String password) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
        s.setSoTimeout(2000);
        Control c = new Control(s);
        Object auth = c.call("AUTH", password);
        if (!"OK".equals(auth)) {
            c.close();
            throw new IOException("AUTH answered " + auth);
        }
        return c;
    }

    /** "pid N, run_id XXXXXXXX": run_id is new on every start of redis-server. */
    String identity() throws IOException {
        String info = (String) call("INFO", "server");
        return "pid " + field(info, "process_id:") + ", run_id " + field(info, "run_id:").substring(0, 8);
    }

    /** Commands that blocked the event loop for at least the slowlog threshold since the last call, then resets. */
    List<String> slowCommands() throws IOException {
        List<String> slow = new ArrayList<>();
        for (Object e : (List<?>) call("SLOWLOG", "GET", "128")) {
            List<?> entry = (List<?>) e;
            long micros = (Long) entry.get(2);
            List<?> args = (List<?>) entry.get(3);
            StringBuilder cmd = new StringBuilder();
            for (int i = 0; i < Math.min(args.size(), 3); i++) {
                cmd.append(i == 0 ? "" : " ").append(args.get(i));
            }
            if (args.size() > 3) {
                cmd.append(" …");
            }
            slow.add(0, String.format(java.util.Locale.ROOT, "%s %.1f ms", cmd, micros / 1000.0));
        }
        call("SLOWLOG", "RESET");
        return slow;
    }

    /** {@code keys} keys of {@code valueBytes} bytes each, pipelined in batches of 1000. */
    void fill(int keys, int valueBytes) throws IOException {
        String value = "v".repeat(valueBytes);
        OutputStream buffered = new java.io.BufferedOutputStream(out, 1 << 16);
        for (int done = 0; done < keys; ) {
            int batch = Math.min(1000, keys - done);
            for (int i = 0; i < batch; i++) {
                String key = "data:" + (done + i);
                buffered.write(("*3\r\n$3\r\nSET\r\n$" + key.length() + "\r\n" + key + "\r\n$" + valueBytes + "\r\n"
                        + value + "\r\n").getBytes(StandardCharsets.US_ASCII));
            }
            buffered.flush();
            for (int i = 0; i < batch; i++) {
                Object reply = read();
                if (!"OK".equals(reply)) {
                    throw new IOException("SET answered " + reply);
                }
            }
            done += batch;
        }
    }

    Object call(String... args) throws IOException {
        StringBuilder cmd = new StringBuilder().append('*').append(args.length).append("\r\n");
        for (String a : args) {
            cmd.append('$').append(a.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(a).append("\r\n");
        }
        out.write(cmd.toString().getBytes(StandardCharsets.UTF_8));
        out.flush();
        return read();
    }

    private Object read() throws IOException {
        int type = in.read();
        String line = line();
        switch (type) {
            case '+':
                return line;
            case '-':
                return "-" + line;
            case ':':
                return Long.parseLong(line);
            case '$': {
                int len = Integer.parseInt(line);
                if (len < 0) {
                    return null;
                }
                byte[] data = in.readNBytes(len + 2);
                return new String(data, 0, len, StandardCharsets.UTF_8);
            }
            case '*': {
                int n = Integer.parseInt(line);
                List<Object> items = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    items.add(read());
                }
                return items;
            }
            default:
                throw new IOException("unexpected reply type " + type);
        }
    }

    private String line() throws IOException {
        StringBuilder b = new StringBuilder();
        int c;
        while ((c = in.read()) != '\r') {
            if (c == -1) {
                throw new EOFException("connection closed by the server");
            }
            b.append((char) c);
        }
        in.read();
        return b.toString();
    }

    private static String field(String info, String key) {
        int i = info.indexOf(key);
        if (i < 0) {
            return "????????";
        }
        int end = info.indexOf('\r', i);
        return info.substring(i + key.length(), end < 0 ? info.length() : end);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
