package dev.redistls.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How replies are printed, as redis-cli prints them: {@link #HUMAN} on a terminal ({@code "quoted"},
 * {@code (integer) 1}, {@code (nil)}, numbered lists, {@code (error) ...}), {@link #RAW} when piped or with
 * {@code --raw} (the bare values, one per line), {@link #JSON} with {@code --json}.
 */
public enum ReplyFormat {
    HUMAN, RAW, JSON;

    /** Made at the first --json reply: setting up Jackson took a cold {@code cli PING} 30 ms that it needs not. */
    private static final class Mapper {
        static final ObjectMapper INSTANCE = new ObjectMapper();
    }

    /** The text to print, without the final newline. */
    public String format(Reply r) {
        return switch (this) {
            case HUMAN -> human(r);
            case RAW -> raw(r);
            case JSON -> json(r);
        };
    }

    private static String human(Reply r) {
        if (r instanceof Reply.Status s) {
            return s.text();
        }
        if (r instanceof Reply.Bulk b) {
            return quote(b.bytes());
        }
        if (r instanceof Reply.Int i) {
            return "(integer) " + i.value();
        }
        if (r instanceof Reply.Nil) {
            return "(nil)";
        }
        if (r instanceof Reply.Error e) {
            return "(error) " + e.message();
        }
        List<Reply> items = ((Reply.Array) r).items();
        if (items.isEmpty()) {
            return "(empty array)";
        }
        int width = String.valueOf(items.size()).length();
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < items.size(); i++) {
            String prefix = String.format("%" + width + "d) ", i + 1);
            String indent = " ".repeat(prefix.length());
            String[] lines = human(items.get(i)).split("\n", -1);
            for (int l = 0; l < lines.length; l++) {
                if (out.length() > 0) {
                    out.append('\n');
                }
                out.append(l == 0 ? prefix : indent).append(lines[l]);
            }
        }
        return out.toString();
    }

    private static String raw(Reply r) {
        if (r instanceof Reply.Status s) {
            return s.text();
        }
        if (r instanceof Reply.Bulk b) {
            return b.text();
        }
        if (r instanceof Reply.Int i) {
            return String.valueOf(i.value());
        }
        if (r instanceof Reply.Nil) {
            return "";
        }
        if (r instanceof Reply.Error e) {
            return e.message();
        }
        List<String> lines = new ArrayList<>();
        for (Reply item : ((Reply.Array) r).items()) {
            lines.add(raw(item));
        }
        return String.join("\n", lines);
    }

    private static String json(Reply r) {
        try {
            return Mapper.INSTANCE.writeValueAsString(toJson(r));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Object toJson(Reply r) {
        if (r instanceof Reply.Status s) {
            return s.text();
        }
        if (r instanceof Reply.Bulk b) {
            return b.text();
        }
        if (r instanceof Reply.Int i) {
            return i.value();
        }
        if (r instanceof Reply.Nil) {
            return null;
        }
        if (r instanceof Reply.Error e) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("error", e.message());
            return m;
        }
        List<Object> items = new ArrayList<>();
        for (Reply item : ((Reply.Array) r).items()) {
            items.add(toJson(item));
        }
        return items;
    }

    /** redis-cli's sdscatrepr: printable ASCII as is, the usual escapes, everything else as \xHH. */
    static String quote(byte[] bytes) {
        StringBuilder s = new StringBuilder("\"");
        for (byte x : bytes) {
            int c = x & 0xff;
            switch (c) {
                case '\\' -> s.append("\\\\");
                case '"' -> s.append("\\\"");
                case '\n' -> s.append("\\n");
                case '\r' -> s.append("\\r");
                case '\t' -> s.append("\\t");
                case 7 -> s.append("\\a");
                case '\b' -> s.append("\\b");
                default -> {
                    if (c >= 32 && c < 127) {
                        s.append((char) c);
                    } else {
                        s.append(String.format("\\x%02x", c));
                    }
                }
            }
        }
        return s.append('"').toString();
    }
}
