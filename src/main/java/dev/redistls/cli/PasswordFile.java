package dev.redistls.cli;

import dev.redistls.RedisTlsException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** A password read from a file (its first line), so that it never sits in argv or shell history. */
final class PasswordFile {
    private PasswordFile() {
    }

    static char[] read(Path file) {
        if (file == null) {
            throw RedisTlsException.badInput("--password-file is required");
        }
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw RedisTlsException.badInput("cannot read password file " + file);
        }
        String line = text.lines().findFirst().orElse("");
        if (line.isEmpty()) {
            throw RedisTlsException.badInput("password file " + file + " is empty");
        }
        return line.toCharArray();
    }
}
