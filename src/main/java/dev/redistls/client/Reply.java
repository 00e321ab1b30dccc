package dev.redistls.client;

import redis.clients.jedis.exceptions.JedisDataException;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A RESP2 reply, typed so that it can be printed the way redis-cli prints it. */
public sealed interface Reply {
    record Status(String text) implements Reply {
    }

    record Bulk(byte[] bytes) implements Reply {
        public String text() {
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    record Int(long value) implements Reply {
    }

    record Nil() implements Reply {
    }

    record Array(List<Reply> items) implements Reply {
    }

    record Error(String message) implements Reply {
    }

    /** From what Jedis returns for a raw command: byte[], Long, List, null, or an error inside a list. */
    static Reply of(Object o) {
        if (o == null) {
            return new Nil();
        }
        if (o instanceof Reply r) {
            return r;
        }
        if (o instanceof byte[] b) {
            return new Bulk(b);
        }
        if (o instanceof Long l) {
            return new Int(l);
        }
        if (o instanceof List<?> list) {
            List<Reply> items = new ArrayList<>(list.size());
            for (Object e : list) {
                items.add(of(e));
            }
            return new Array(items);
        }
        if (o instanceof JedisDataException e) {
            return new Error(e.getMessage());
        }
        return new Bulk(String.valueOf(o).getBytes(StandardCharsets.UTF_8));
    }
}
