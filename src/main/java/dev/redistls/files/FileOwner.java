package dev.redistls.files;

import dev.redistls.RedisTlsException;
import dev.redistls.host.Host;
import dev.redistls.host.HostFacts.Account;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Who owns a node's private keys: the user Redis runs as on the node's host, so that Redis can read its key while
 * nobody else can. Numeric ids, resolved on that host (an id means nothing on another machine, and SFTP carries
 * only numbers).
 */
public record FileOwner(int uid, int gid, String name) {
    /** The account Debian's and most distributions' redis-server packages run as. */
    public static final String REDIS_USER = "redis";

    /** The tool's own user on the host (files it creates are its own). */
    public static FileOwner current(Host host) {
        int euid = host.facts().euid();
        Optional<Account> a = host.facts().account(euid);
        return new FileOwner(euid, a.map(Account::gid).orElse(-1), a.map(Account::name).orElse(String.valueOf(euid)));
    }

    public static FileOwner of(Account a) {
        return new FileOwner(a.uid(), a.gid(), a.name());
    }

    /** A user named with --owner, looked up on the host. */
    public static FileOwner named(Host host, String user) {
        return host.facts().account(user).map(FileOwner::of).orElseThrow(() -> RedisTlsException.badInput(
                "unknown user for --owner: " + user + FileError.where(host)));
    }

    /**
     * The owner to use: the one named (--owner), else the user the running Redis process runs as, else the owner
     * of the Redis config file when that is not root or the tool's user (packages install it as the Redis user),
     * else the host's {@code redis} user when the tool runs as root and it exists, else the tool's user.
     */
    public static FileOwner choose(Host host, String requested, Path redisConf, Optional<Account> redisProcess) {
        if (requested != null) {
            return named(host, requested);
        }
        if (redisProcess.isPresent()) {
            return of(redisProcess.get());
        }
        int euid = host.facts().euid();
        if (redisConf != null) {
            Optional<Integer> confOwner = new SafeFiles(host).stat(redisConf).map(s -> s.uid());
            if (confOwner.isPresent() && confOwner.get() != 0 && confOwner.get() != euid) {
                Optional<Account> a = host.facts().account(confOwner.get());
                if (a.isPresent()) {
                    return of(a.get());
                }
            }
        }
        if (euid == 0) {
            Optional<Account> redis = host.facts().account(REDIS_USER);
            if (redis.isPresent()) {
                return of(redis.get());
            }
        }
        return current(host);
    }

    @Override
    public String toString() {
        return name != null ? name : String.valueOf(uid);
    }
}
