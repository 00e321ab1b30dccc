package dev.redistls.group;

import dev.redistls.RedisTlsException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Adds a node entry to an inventory file as a person would: after the last entry of {@code nodes}, indented like it,
 * every other byte (comments, order, blank lines) left as it was. The file is replaced atomically and read back.
 */
public final class InventoryAppend {
    private InventoryAppend() {
    }

    /** The 1-based line the next node entry will start at. */
    public static int nextLine(Inventory inv) {
        try {
            List<String> lines = List.of(Files.readString(inv.file(), StandardCharsets.UTF_8).split("\n", -1));
            return end(lines, inv.nodes().get(inv.nodes().size() - 1)) + 2;
        } catch (IOException e) {
            throw RedisTlsException.failed("cannot read " + inv.file() + ": " + e.getMessage(), e);
        }
    }

    /** The 0-based index of the last line belonging to the nodes list (after {@code last}'s entry). */
    private static int end(List<String> lines, Inventory.Member last) {
        int entry = last.line() - 1;
        String itemIndent = lines.get(entry).substring(0, lines.get(entry).indexOf('-'));
        int end = entry;
        for (int i = entry + 1; i < lines.size(); i++) {
            String l = lines.get(i);
            if (l.isBlank() || l.stripLeading().startsWith("#")) {
                continue;
            }
            int indent = l.length() - l.stripLeading().length();
            if (indent < itemIndent.length() || (indent == itemIndent.length() && !l.stripLeading().startsWith("-"))) {
                break;
            }
            end = i;
        }
        return end;
    }

    /** {@code keys}: the entry's keys and values, in order (values already YAML scalars or flow lists). */
    static Inventory append(Inventory inv, Map<String, String> keys) {
        Path file = inv.file();
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
            Inventory.Member last = inv.nodes().get(inv.nodes().size() - 1);
            int entry = last.line() - 1;
            String first = lines.get(entry);
            int dash = first.indexOf('-');
            String itemIndent = first.substring(0, dash);
            int keyColumn = dash + 1;
            while (keyColumn < first.length() && first.charAt(keyColumn) == ' ') {
                keyColumn++;
            }
            // The entry goes after the last line that belongs to the nodes list (deeper than the list, or its items).
            int end = end(lines, last);
            List<String> added = new ArrayList<>();
            String pad = " ".repeat(keyColumn);
            boolean firstKey = true;
            for (Map.Entry<String, String> e : keys.entrySet()) {
                added.add((firstKey ? itemIndent + "-" + " ".repeat(keyColumn - dash - 1) : pad) + e.getKey() + ": " + e.getValue());
                firstKey = false;
            }
            lines.addAll(end + 1, added);
            Path temp = file.resolveSibling("." + file.getFileName() + ".redis-tls-" + ProcessHandle.current().pid());
            Files.writeString(temp, String.join("\n", lines), StandardCharsets.UTF_8);
            try (var ch = java.nio.channels.FileChannel.open(temp, java.nio.file.StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return InventoryReader.read(file);
        } catch (IOException e) {
            throw RedisTlsException.failed("cannot add the node to " + file + ": " + e.getMessage(), e);
        }
    }

    /** A value as a YAML scalar: quoted when plain YAML would read it otherwise. */
    static String scalar(String v) {
        if (v.matches("[A-Za-z0-9_./@:+-]+") && !v.matches("(?i)true|false|yes|no|null|~|on|off") && !v.startsWith("-")) {
            return v;
        }
        return "'" + v.replace("'", "''") + "'";
    }

    static Map<String, String> entry() {
        return new LinkedHashMap<>();
    }
}
