package dev.redistls.cli;

import dev.redistls.RedisTlsException;
import dev.redistls.host.Host;
import dev.redistls.host.LocalHost;
import dev.redistls.install.Phases;
import dev.redistls.ssh.SshHost;
import dev.redistls.ssh.SshTarget;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;

/** Where the node lives: this machine, or another one reached over SSH (agentless). */
public final class HostOptions {
    @Option(names = "--host", paramLabel = "[USER@]NAME[:PORT]",
            description = "The node's machine, over SSH (a name or an alias from the SSH config); default: this machine.")
    String host;

    @Option(names = "--ssh-config", paramLabel = "FILE",
            description = "OpenSSH client config to read (default: ~/.ssh/config): HostName, User, Port, IdentityFile, UserKnownHostsFile, ProxyJump.")
    Path sshConfig;

    @Option(names = "--sudo", description = "On the node's machine, act as root through passwordless sudo (sudo -n).")
    boolean sudo;

    /** Connects (once, for the whole command) and checks the tool can act as root there. */
    Host open() {
        if (host == null) {
            if (sudo || sshConfig != null) {
                throw RedisTlsException.badInput((sudo ? "--sudo" : "--ssh-config") + " is for a node on another machine: give --host too");
            }
            return new LocalHost();
        }
        SshHost remote = SshHost.connect(SshTarget.parse(host), sshConfig, sudo);
        int euid = ((Host) remote).facts().euid();
        if (euid != 0) {
            remote.close();
            throw RedisTlsException.badInput("on " + host + " the SSH user is not root (uid " + euid + ") and redis-tls changes"
                    + " root-owned files there: log in as root, or pass --sudo for a user with passwordless sudo");
        }
        return remote;
    }

    /** With --verbose: how long each phase of the command took (this machine or another), on stderr. */
    static void reportPhases(CommandSpec spec, Phases... phases) {
        if (spec.root().userObject() instanceof RedisTlsCommand r && r.verbose()) {
            PrintWriter err = spec.commandLine().getErr();
            for (Phases p : phases) {
                p.lines().forEach(l -> err.println("timing: phase " + l));
            }
            err.flush();
        }
    }

    /** With --verbose: how long each SSH step took, on stderr. */
    static void reportTimings(CommandSpec spec, Host host) {
        Object root = spec.root().userObject();
        if (host instanceof SshHost ssh && root instanceof RedisTlsCommand r && r.verbose()) {
            PrintWriter err = spec.commandLine().getErr();
            ssh.timings().forEach(t -> err.println("timing: " + t));
            err.flush();
        }
    }
}
