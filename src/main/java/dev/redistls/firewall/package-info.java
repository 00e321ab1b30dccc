/**
 * The firewall: open and close the TLS port the way the add-on does, on the tool the host uses, touching no rule
 * that is not ours. Entry point: {@link dev.redistls.firewall.Firewall#select}.
 *
 * <h2>Whose rules are ours</h2>
 * Every rule we make carries the mark {@code redis-tls} (an nft rule comment, an iptables/ufw comment), and we only
 * ever remove rules with that mark. Policies and rules of others are never changed; when one of them already
 * accepts the port, or (nftables) drops it in a chain we cannot override, we say so in a {@code note:} line.
 * firewalld is the exception: it keeps no mark, which its backend says on close.
 *
 * <h2>nftables: what our own table can and cannot do</h2>
 * nftables runs every base chain on the input hook; an accept ends only the chain it is in, while a drop anywhere
 * is final. So our table {@code inet redis_tls} (policy accept) never blocks anything, and also cannot let a
 * packet through another table's drop. When another input chain drops by default and accepts nothing for the port,
 * open says the port stays blocked and prints the {@code nft insert rule ...} that lets it through
 * ({@code ReachabilityIT} proves both with a real redis-server).
 *
 * <h2>iptables variants</h2>
 * Debian's {@code iptables} is the nf_tables variant; {@code iptables-legacy} is the other. They have separate hooks
 * (an ACCEPT in one does not undo a DROP in the other), so the backend uses whichever variant holds the host's rules.
 * Both work inside a network namespace on this kernel; the tests run both.
 *
 * <h2>Running inside a network namespace</h2>
 * Every external command goes through {@link dev.redistls.firewall.CommandRunner}. With
 * {@code REDIS_TLS_NETNS=NAME} in the environment ({@code CommandRunner.fromEnvironment()}), or the hidden
 * {@code --netns NAME} option of {@code redis-tls firewall ...}, every command runs as
 * {@code ip netns exec NAME ...}: tests point the whole firewall at a namespace they made and never touch the host.
 *
 * <h2>Never persisted silently</h2>
 * nft and iptables changes are runtime only; open and close end with the command that would keep them
 * ({@link dev.redistls.firewall.Firewall#persistHint()}). firewalld changes are runtime only too
 * ({@code firewall-cmd --runtime-to-permanent}); ufw always saves its rules, and says so.
 */
package dev.redistls.firewall;
