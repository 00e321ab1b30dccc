package dev.redistls.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.redistls.pki.CertInfo;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;

/** The --json output: maps and lists in the documented order, pretty-printed. */
final class Json {
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Json() {
    }

    static void print(PrintWriter out, Object value) {
        try {
            out.println(MAPPER.writeValueAsString(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static Map<String, Object> of(CertInfo c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("subject", c.subject());
        m.put("sans", c.sans());
        m.put("serial", c.serial());
        m.put("notAfter", c.notAfter().toString());
        m.put("daysLeft", c.daysLeft());
        m.put("sha256", c.sha256());
        return m;
    }
}
