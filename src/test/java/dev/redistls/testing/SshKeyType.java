package dev.redistls.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The key types of OpenSSH keys a test makes with {@code ssh-keygen}: host keys and client identities. */
public enum SshKeyType {
    ED25519("ed25519", null),
    /** nistp256. */
    ECDSA("ecdsa", "256"),
    /** 2048 bits: twice as fast to make as 3072 (about 0.6 s here) and accepted everywhere. */
    RSA("rsa", "2048");

    private final String type;
    private final String bits;

    SshKeyType(String type, String bits) {
        this.type = type;
        this.bits = bits;
    }

    /** The {@code ssh-keygen -t} name, also used in file names ({@code id_ed25519}, {@code ssh_host_rsa_key}). */
    public String keygenName() {
        return type;
    }

    /**
     * Makes a new key pair without passphrase at {@code file} (0600) and {@code file.pub}, replacing any there;
     * returns the public key as {@code "<type> <base64>"} (no comment).
     */
    public String generate(Path file, String comment) {
        try {
            Files.deleteIfExists(file);
            Files.deleteIfExists(Path.of(file + ".pub"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        List<String> cmd = new ArrayList<>(List.of("ssh-keygen", "-q", "-t", type, "-N", "", "-C", comment,
                "-f", file.toString()));
        if (bits != null) {
            cmd.addAll(List.of("-b", bits));
        }
        Processes.must(null, cmd);
        return publicKey(file);
    }

    /** {@code "<type> <base64>"} of the key pair at {@code file} (read from {@code file.pub}). */
    public static String publicKey(Path file) {
        try {
            String[] f = Files.readString(Path.of(file + ".pub")).trim().split("\\s+");
            return f[0] + " " + f[1];
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
