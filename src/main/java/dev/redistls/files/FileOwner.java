package dev.redistls.files;

import dev.redistls.RedisTlsException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.nio.file.FileSystems;
import java.util.Optional;

/**
 * The user (and that user's primary group) that should own a node's TLS files: the user Redis runs as, so that
 * Redis can read its key while nobody else can.
 */
public final class FileOwner {
    /** The account Debian's and most distributions' redis-server packages run as. */
    public static final String REDIS_USER = "redis";

    private final String user;
    private final String group;

    private FileOwner(String user, String group) {
        this.user = user;
        this.group = group;
    }

    public String user() {
        return user;
    }

    /**
     * The owner to use: the one named (--owner), else the user the running Redis process runs as (when it runs on
     * this host), else the owner of the Redis config file when that is not root (packages install it as the Redis
     * user), else the system's {@code redis} user when we run as root and it exists, else whoever runs this tool.
     */
    public static FileOwner choose(String requested, Path redisConf, Optional<String> redisProcessUser) {
        if (requested != null) {
            return named(requested);
        }
        if (redisProcessUser.isPresent()) {
            return lookup(redisProcessUser.get()).orElse(current());
        }
        return choose(null, redisConf);
    }

    /** {@link #choose(String, Path, Optional)} when no running Redis process is known. */
    public static FileOwner choose(String requested, Path redisConf) {
        if (requested != null) {
            return named(requested);
        }
        String self = System.getProperty("user.name");
        if (redisConf != null && Files.exists(redisConf)) {
            try {
                String confOwner = Files.getOwner(redisConf).getName();
                if (!"root".equals(confOwner) && !confOwner.equals(self)) {
                    return lookup(confOwner).orElse(current());
                }
            } catch (IOException ignored) {
                // fall through to the next rule
            }
        }
        if ("root".equals(self)) {
            return lookup(REDIS_USER).orElse(current());
        }
        return current();
    }

    public static FileOwner current() {
        return new FileOwner(null, null);
    }

    public static FileOwner named(String user) {
        return lookup(user).orElseThrow(() -> RedisTlsException.badInput("unknown user for --owner: " + user));
    }

    private static Optional<FileOwner> lookup(String user) {
        UserPrincipalLookupService lookup = FileSystems.getDefault().getUserPrincipalLookupService();
        try {
            lookup.lookupPrincipalByName(user);
        } catch (UserPrincipalNotFoundException e) {
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
        String group = null;
        try {
            lookup.lookupPrincipalByGroupName(user);
            group = user;
        } catch (IOException e) {
            // no group of the same name: keep the file's group
        }
        return Optional.of(new FileOwner(user, group));
    }

    /** Gives the file to this owner; a no-op for the current user. */
    public void apply(Path file) throws IOException {
        if (user == null) {
            return;
        }
        UserPrincipalLookupService lookup = file.getFileSystem().getUserPrincipalLookupService();
        PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class);
        UserPrincipal u = lookup.lookupPrincipalByName(user);
        if (!u.equals(view.getOwner())) {
            view.setOwner(u);
        }
        if (group != null) {
            GroupPrincipal g = lookup.lookupPrincipalByGroupName(group);
            view.setGroup(g);
        }
    }

    @Override
    public String toString() {
        return user == null ? System.getProperty("user.name") : user;
    }
}
