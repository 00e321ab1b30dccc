package dev.redistls.install;

/** The host firewall as install, configure and uninstall use it: open the TLS port, close it again. */
public interface PortFirewall {
    /** Leaves the firewall alone (local nodes, or a firewall managed elsewhere). */
    PortFirewall NONE = new PortFirewall() {
        @Override
        public String name() {
            return "none";
        }

        @Override
        public void open(int port, Report report) {
        }

        @Override
        public void close(int port, Report report) {
        }
    };

    String name();

    void open(int port, Report report);

    void close(int port, Report report);
}
