package dev.redistls.host;

import dev.redistls.net.IpText;

import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;

/** This machine's facts, from the JDK and /proc where it can tell, else from {@code getent}. */
final class LocalFacts implements HostFacts, LocalDir.Ids {
    private static final Duration GETENT = Duration.ofSeconds(10);

    private final LocalHost host;
    private final Map<String, Optional<Account>> users = new ConcurrentHashMap<>();
    private final Map<String, Integer> groups = new ConcurrentHashMap<>();
    private String hostName;

    LocalFacts(LocalHost host) {
        this.host = host;
    }

    @Override
    public synchronized String hostName() {
        if (hostName == null) {
            hostName = kernelHostName();
        }
        return hostName;
    }

    private static String kernelHostName() {
        try {
            String fromFile = Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
            if (!fromFile.isEmpty()) {
                return fromFile;
            }
        } catch (IOException | RuntimeException ignored) {
            // not Linux: ask Java
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    @Override
    public Optional<String> fqdn() {
        String h = hostName();
        try {
            String canonical = InetAddress.getByName(h).getCanonicalHostName();
            if (canonical != null && canonical.toLowerCase(Locale.ROOT).startsWith(h.toLowerCase(Locale.ROOT) + ".")) {
                return Optional.of(canonical);
            }
        } catch (UnknownHostException | SecurityException ignored) {
            // no resolvable FQDN: the short name is all there is
        }
        return Optional.empty();
    }

    @Override
    public List<String> addresses() {
        List<String> out = new ArrayList<>();
        try {
            for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nif.isUp() || nif.isLoopback()) {
                    continue;
                }
                for (InetAddress a : Collections.list(nif.getInetAddresses())) {
                    if (!a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
                        out.add(IpText.compact(a));
                    }
                }
            }
        } catch (SocketException ignored) {
            // no interfaces readable: only the names given and loopback
        }
        return out;
    }

    @Override
    public int euid() {
        try {
            return ProcText.effectiveUid(Files.readString(Path.of("/proc/self/status"))).orElse(0);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    @Override
    public Optional<Account> account(String user) {
        return users.computeIfAbsent(user, u -> getentPasswd(u));
    }

    @Override
    public Optional<Account> account(int uid) {
        return users.computeIfAbsent("#" + uid, u -> getentPasswd(String.valueOf(uid)));
    }

    private Optional<Account> getentPasswd(String key) {
        try {
            Host.Execution r = host.run(List.of("getent", "passwd", key), null, GETENT);
            if (!r.ok()) {
                return Optional.empty();
            }
            String[] f = r.out().lines().findFirst().orElse("").split(":");
            return f.length > 3 ? Optional.of(new Account(f[0], Integer.parseInt(f[2]), Integer.parseInt(f[3]))) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    @Override
    public Optional<Account> processOwner(long pid, String comm) {
        Path proc = Path.of("/proc", String.valueOf(pid));
        try {
            if (!Files.readString(proc.resolve("comm")).startsWith(comm)) {
                return Optional.empty();
            }
            OptionalInt uid = ProcText.effectiveUid(Files.readString(proc.resolve("status")));
            return uid.isPresent() ? account(uid.getAsInt()) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            // another pid namespace, or no /proc: not known
            return Optional.empty();
        }
    }

    @Override
    public boolean hasTool(String tool) {
        return LocalHost.SYSTEM_PATH.stream().map(d -> Path.of(d, tool))
                .anyMatch(p -> Files.isRegularFile(p) && Files.isExecutable(p));
    }

    @Override
    public int uid(String userName) {
        if (userName.chars().allMatch(Character::isDigit)) {
            return Integer.parseInt(userName);
        }
        if (userName.equals("root")) {
            return 0;
        }
        return account(userName).map(Account::uid).orElseThrow(() -> new IllegalStateException("unknown user " + userName));
    }

    @Override
    public int gid(String groupName) {
        if (groupName.chars().allMatch(Character::isDigit)) {
            return Integer.parseInt(groupName);
        }
        if (groupName.equals("root")) {
            return 0;
        }
        return groups.computeIfAbsent(groupName, g -> {
            try {
                Host.Execution r = host.run(List.of("getent", "group", g), null, GETENT);
                String[] f = r.out().lines().findFirst().orElse("").split(":");
                if (r.ok() && f.length > 2) {
                    return Integer.parseInt(f[2]);
                }
            } catch (IOException | RuntimeException ignored) {
                // fall through
            }
            throw new IllegalStateException("unknown group " + g);
        });
    }
}
