package dev.redistls.host;

import java.util.List;
import java.util.Optional;

/**
 * What a host is, as the host itself says: its names and addresses (for certificate SANs and doctor), its accounts
 * (key owners are numeric ids resolved there, never names sent over the wire), the tools it has. Implementations
 * ask once and remember for the rest of the command.
 */
public interface HostFacts {
    /** The kernel's host name ({@code hostname}). */
    String hostName();

    /** The fully qualified name when the resolver knows one that extends {@link #hostName()}. */
    Optional<String> fqdn();

    /** Every address of an interface that is up, except loopback and link-local ones, in RFC 5952 text. */
    List<String> addresses();

    /** The uid the tool acts as on the host (0 for root or through sudo). */
    int euid();

    Optional<Account> account(String user);

    Optional<Account> account(int uid);

    /** The account a running process belongs to, when a process with that pid exists and its name starts with {@code comm}. */
    Optional<Account> processOwner(long pid, String comm);

    /** Whether the host has an executable called {@code tool} in its system PATH (sbin included). */
    boolean hasTool(String tool);

    /** A user: name, uid and primary group id. */
    record Account(String name, int uid, int gid) {
    }
}
