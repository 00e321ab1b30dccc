package dev.redistls.firewall;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.redistls.RedisTlsException;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What {@code nft -j list ruleset} says, reduced to what the firewall needs: tables, base chains and, per rule,
 * the tcp destination ports it matches, its source, whether it accepts, and its comment. We read the JSON form
 * because the text form changes between nft versions; the JSON schema is versioned.
 */
record NftRuleset(List<Table> tables, List<Chain> chains, List<Rule> rules) {

    record Table(String family, String name) {
        @Override
        public String toString() {
            return family + " " + name;
        }
    }

    /** A chain; {@code hook} is null for a regular (non-base) chain. */
    record Chain(String family, String table, String name, String hook, String policy) {
    }

    /** {@code ports} holds [from, to] ranges; empty means the rule matches no tcp port in particular. */
    record Rule(String family, String table, String chain, long handle, String comment, List<int[]> ports,
                String source, boolean accepts) {
        boolean matchesPort(int port) {
            return ports.stream().anyMatch(r -> r[0] <= port && port <= r[1]);
        }

        String where() {
            return "table " + family + " " + table + " chain " + chain + " (handle " + handle + ")";
        }
    }

    private static final ObjectMapper MAPPER = new ObjectMapper();

    static NftRuleset parse(String json) {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (IOException e) {
            throw RedisTlsException.failed("cannot read nft's JSON output: " + e.getMessage().lines().findFirst().orElse(""));
        }
        List<Table> tables = new ArrayList<>();
        List<Chain> chains = new ArrayList<>();
        List<Rule> rules = new ArrayList<>();
        for (JsonNode item : root.path("nftables")) {
            if (item.has("table")) {
                JsonNode t = item.get("table");
                tables.add(new Table(t.path("family").asText(), t.path("name").asText()));
            } else if (item.has("chain")) {
                JsonNode c = item.get("chain");
                chains.add(new Chain(c.path("family").asText(), c.path("table").asText(), c.path("name").asText(),
                        c.hasNonNull("hook") ? c.get("hook").asText() : null,
                        c.hasNonNull("policy") ? c.get("policy").asText() : null));
            } else if (item.has("rule")) {
                rules.add(rule(item.get("rule")));
            }
        }
        return new NftRuleset(tables, chains, rules);
    }

    private static Rule rule(JsonNode r) {
        List<int[]> ports = new ArrayList<>();
        String source = null;
        boolean accepts = false;
        for (JsonNode e : r.path("expr")) {
            if (e.has("accept")) {
                accepts = true;
            }
            JsonNode m = e.get("match");
            if (m == null || !m.path("op").asText("==").matches("==|in")) {
                continue;
            }
            JsonNode payload = m.path("left").path("payload");
            String proto = payload.path("protocol").asText();
            String field = payload.path("field").asText();
            if (("tcp".equals(proto) || "th".equals(proto)) && "dport".equals(field)) {
                ports.addAll(portRanges(m.get("right")));
            } else if (("ip".equals(proto) || "ip6".equals(proto)) && "saddr".equals(field)) {
                source = address(m.get("right"));
            }
        }
        return new Rule(r.path("family").asText(), r.path("table").asText(), r.path("chain").asText(),
                r.path("handle").asLong(), r.hasNonNull("comment") ? r.get("comment").asText() : null,
                ports, source, accepts);
    }

    private static List<int[]> portRanges(JsonNode right) {
        List<int[]> out = new ArrayList<>();
        if (right == null) {
            return out;
        }
        if (right.isInt()) {
            out.add(new int[]{right.asInt(), right.asInt()});
        } else if (right.has("range")) {
            out.add(new int[]{right.get("range").get(0).asInt(), right.get("range").get(1).asInt()});
        } else if (right.has("set")) {
            for (JsonNode element : right.get("set")) {
                out.addAll(portRanges(element));
            }
        }
        return out;
    }

    private static String address(JsonNode right) {
        try {
            if (right != null && right.isTextual()) {
                return Cidr.parse(right.asText()).toString();
            }
            if (right != null && right.has("prefix")) {
                JsonNode p = right.get("prefix");
                return Cidr.parse(p.path("addr").asText() + "/" + p.path("len").asInt()).toString();
            }
        } catch (RedisTlsException e) {
            // A set or a named set: not one of ours, and not a single source we could compare.
        }
        return right == null ? null : right.toString();
    }

    boolean hasTable(String family, String name) {
        return tables.stream().anyMatch(t -> t.family().equals(family) && t.name().equals(name));
    }

    Set<String> tableNames() {
        Set<String> names = new TreeSet<>();
        tables.forEach(t -> names.add(t.toString()));
        return names;
    }
}
