package dev.redistls.host;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A host's filesystem, reached one directory at a time: a walk starts at {@link #root()} and opens each component
 * with {@link Dir#openDir}, which never follows a symbolic link, so what the tool works in is what it checked.
 * Which links may be followed, and which directories may be trusted, is decided above this seam
 * ({@code files.SafePath}), the same way for every host.
 */
public interface HostFiles {
    /** The directory {@code /}. */
    Dir root() throws IOException;

    /**
     * Opens an absolute directory path one component at a time, following no link at all: for the tool's own
     * directories (locks), whose paths are fixed. Node paths, which may hold an operator's links, go through
     * {@code files.SafePath}.
     */
    default Dir openDir(Path absolute) throws IOException {
        Dir d = root();
        try {
            for (Path name : absolute) {
                Dir next = d.openDir(name.toString());
                d.close();
                d = next;
            }
            return d;
        } catch (IOException | RuntimeException e) {
            d.close();
            throw e;
        }
    }
}
