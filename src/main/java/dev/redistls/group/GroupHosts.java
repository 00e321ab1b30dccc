package dev.redistls.group;

import dev.redistls.RedisTlsException;
import dev.redistls.files.SafeFiles;
import dev.redistls.group.Inventory.Member;
import dev.redistls.host.Host;
import dev.redistls.host.HostLock;
import dev.redistls.host.LocalHost;
import dev.redistls.node.Endpoint;
import dev.redistls.node.Node;
import dev.redistls.ssh.SshHost;
import dev.redistls.ssh.SshTarget;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The machines of a group, each connected once for the whole command (in parallel), and every member read on its
 * machine. Members on one SSH host share its connection and are worked on one after the other; each member on this
 * machine has a host of its own, so that local members go in parallel too.
 */
public final class GroupHosts implements AutoCloseable {
    private final Map<String, Host> remote = new LinkedHashMap<>();
    private final List<Host> local = new ArrayList<>();
    private final List<HostLock> locks = new ArrayList<>();
    private final List<GroupMember> members = new ArrayList<>();

    private GroupHosts() {
    }

    /**
     * Connects to every host of {@code inventory}, reads every member's config there and, for a command that changes
     * them, takes each member's lock (the one single-node commands take), in inventory order.
     */
    public static GroupHosts open(Inventory inventory, Path sshConfig, boolean change, boolean wait,
                                  Consumer<String> waiting, Function<String, String> env) {
        GroupHosts g = new GroupHosts();
        try {
            Map<String, Boolean> hosts = new LinkedHashMap<>();
            inventory.members().stream().filter(m -> !m.isLocal())
                    .forEach(m -> hosts.merge(m.host(), m.become(), Boolean::logicalOr));
            // Each connection is kept as soon as it is made, so that one host failing closes the others.
            Parallel.map(new ArrayList<>(hosts.keySet()), h -> {
                Host host = connect(h, sshConfig, hosts.get(h));
                synchronized (g.remote) {
                    g.remote.put(h, host);
                }
                return host;
            });
            for (Member m : inventory.members()) {
                Host host = m.isLocal() ? g.newLocal() : g.remote.get(m.host());
                if (change) {
                    g.locks.add(lock(host, m, wait, waiting));
                }
                g.members.add(GroupMember.read(m, host, env));
            }
            checkEndpoints(inventory, g.members);
            return g;
        } catch (RuntimeException e) {
            g.close();
            throw e;
        }
    }

    /**
     * A member not in the inventory yet (a node being added): its host connected (or the inventory's connection to
     * that host reused), its lock taken, read there; closed with the others.
     */
    public GroupMember add(Member m, Path sshConfig, boolean wait, Consumer<String> waiting, Function<String, String> env) {
        Host host;
        if (m.isLocal()) {
            host = newLocal();
        } else {
            synchronized (remote) {
                host = remote.get(m.host());
            }
            if (host == null) {
                host = connect(m.host(), sshConfig, m.become());
                synchronized (remote) {
                    remote.put(m.host(), host);
                }
            }
        }
        locks.add(lock(host, m, wait, waiting));
        GroupMember member = GroupMember.read(m, host, env);
        members.add(member);
        return member;
    }

    private Host newLocal() {
        Host h = new LocalHost();
        local.add(h);
        return h;
    }

    private static Host connect(String target, Path sshConfig, boolean sudo) {
        SshHost h = SshHost.connect(SshTarget.parse(target), sshConfig, sudo);
        int euid = ((Host) h).facts().euid();
        if (euid != 0) {
            h.close();
            throw RedisTlsException.badInput("on " + target + " the SSH user is not root (uid " + euid + ") and redis-tls"
                    + " changes root-owned files there: log in as root, or set 'become: true' for a user with passwordless sudo");
        }
        return h;
    }

    private static HostLock lock(Host host, Member m, boolean wait, Consumer<String> waiting) {
        String key;
        try {
            key = new SafeFiles(host).realPath(m.conf()).toString();
        } catch (IOException | RuntimeException e) {
            key = m.conf().toString();
        }
        try {
            return host.lock(key, wait, waiting);
        } catch (IOException e) {
            throw RedisTlsException.failed("cannot take the lock for " + m.label() + ": " + e.getMessage(), e);
        }
    }

    /** Two members reached at one address and port of one machine are one node listed twice. */
    private static void checkEndpoints(Inventory inv, List<GroupMember> members) {
        Map<String, GroupMember> seen = new HashMap<>();
        for (GroupMember m : members) {
            Endpoint e = m.plainEndpoint();
            String key = (m.spec().host() == null ? "" : m.spec().host()) + "\0" + e;
            GroupMember twin = seen.putIfAbsent(key, m);
            if (twin != null) {
                throw RedisTlsException.badInput(inv.file() + " line " + m.spec().line() + ": " + m.spec().kind().section()
                        + "[" + m.spec().index() + "]: reached at " + e + m.node().where() + ", as is " + twin.spec().label()
                        + ": one node listed twice (give each its own conf and endpoint)");
            }
        }
    }

    public List<GroupMember> members() {
        return members;
    }

    /** Every member read again from its host, for what follows a change of their files (ports that moved). */
    public synchronized void reread() {
        members.replaceAll(GroupMember::reread);
    }

    public List<GroupMember> dataNodes() {
        return members.stream().filter(m -> m.spec().kind() == Inventory.Kind.NODE).toList();
    }

    public List<GroupMember> sentinels() {
        return members.stream().filter(m -> m.spec().kind() == Inventory.Kind.SENTINEL).toList();
    }

    /** The key that tells which members share a connection (and so are worked on one after the other). */
    static Object hostKey(GroupMember m) {
        return m.spec().isLocal() ? m : m.spec().host();
    }

    public void timings(Consumer<String> out) {
        remote.forEach((name, h) -> {
            if (h instanceof SshHost ssh) {
                ssh.timings().forEach(t -> out.accept(name + ": " + t));
            }
        });
    }

    @Override
    public void close() {
        for (HostLock l : locks) {
            try {
                l.close();
            } catch (RuntimeException ignored) {
                // released when the connection or this process goes
            }
        }
        synchronized (remote) {
            remote.values().forEach(Host::close);
        }
        local.forEach(Host::close);
    }

    /** A member read on its host: its spec from the inventory and the node as single-node commands see it. */
    public record GroupMember(Member spec, Host host, Node node) {
        static GroupMember read(Member m, Host host, Function<String, String> env) {
            Node node = Node.resolve(host, m.conf(), m.keysDir(), m.endpoint(), m.restartCommand(), env);
            if (m.kind() == Inventory.Kind.SENTINEL && m.endpoint() == null && node.effective().value("port").isEmpty()) {
                // Sentinel's own default port, not redis-server's.
                node = Node.resolve(host, m.conf(), m.keysDir(), node.address() + ":26379", m.restartCommand(), env);
            }
            return new GroupMember(m, host, node);
        }

        public Endpoint plainEndpoint() {
            if (spec.endpoint() != null) {
                return Endpoint.parse(spec.endpoint());
            }
            return new Endpoint(node.address(), node.plainPort() != 0 ? node.plainPort() : node.tlsPort());
        }

        public boolean isSentinel() {
            return spec.kind() == Inventory.Kind.SENTINEL;
        }

        public String label() {
            return spec.label();
        }

        /** The TLS port it gets: the inventory's, else what it has, else 6380 (a sentinel: its plain port + 1). */
        public int tlsPort() {
            if (spec.tlsPort() != null) {
                return spec.tlsPort();
            }
            if (node.tlsPort() != 0) {
                return node.tlsPort();
            }
            return isSentinel() ? node.plainPort() + 1 : dev.redistls.conf.ModeChange.DEFAULT_TLS_PORT;
        }

        /** The member read again from its host (after its files changed). */
        public GroupMember reread() {
            return new GroupMember(spec, host, node.reread());
        }
    }
}
