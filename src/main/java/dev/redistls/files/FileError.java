package dev.redistls.files;

import dev.redistls.RedisTlsException;
import dev.redistls.host.Host;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;

/** One line for a failed file operation: what, which path, on which host, why, without Java's class names. */
public final class FileError {
    private FileError() {
    }

    public static RedisTlsException failed(String what, Path path, Host host, IOException e) {
        return RedisTlsException.failed(message(what, path, host, e), e);
    }

    public static RedisTlsException badInput(String what, Path path, Host host, IOException e) {
        return RedisTlsException.badInput(message(what, path, host, e), e);
    }

    static String message(String what, Path path, Host host, IOException e) {
        return what + " " + path + where(host) + ": " + describe(e);
    }

    /** " on HOST" for a remote host, "" here. */
    public static String where(Host host) {
        return host == null || host.isLocal() ? "" : " on " + host.name();
    }

    /** One short phrase for an I/O error. */
    public static String describe(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (e instanceof NotDirectoryException) {
            return "not a directory";
        }
        if (e instanceof FileAlreadyExistsException) {
            return "already exists";
        }
        if (e instanceof DirectoryNotEmptyException) {
            return "directory not empty";
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m.lines().findFirst().orElse(m);
    }
}
