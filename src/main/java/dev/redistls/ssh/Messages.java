package dev.redistls.ssh;

/** Turns what a library threw into the single line a message may carry. */
final class Messages {
    private Messages() {
    }

    static String oneLine(Throwable t) {
        Throwable root = t;
        String msg = t.getMessage();
        while ((msg == null || msg.isBlank()) && root.getCause() != null) {
            root = root.getCause();
            msg = root.getMessage();
        }
        if (msg == null || msg.isBlank()) {
            return root.getClass().getSimpleName();
        }
        return msg.lines().map(String::trim).filter(l -> !l.isEmpty()).findFirst().orElse(msg).trim();
    }

    /** The first cause of {@code type} in the chain, or null. */
    static <T extends Throwable> T cause(Throwable t, Class<T> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return type.cast(c);
            }
        }
        return null;
    }
}
