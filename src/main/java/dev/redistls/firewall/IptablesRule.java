package dev.redistls.firewall;

import java.util.ArrayList;
import java.util.List;

/** One {@code -A INPUT ...} line of {@code iptables -S}, split as the shell would, with the options we judge by. */
record IptablesRule(String line, List<String> args) {

    static IptablesRule parse(String line) {
        return new IptablesRule(line, split(line));
    }

    /** The arguments (after {@code -I INPUT} or {@code -D INPUT}) of a rule of ours. */
    static List<String> ourSpec(int port, String source) {
        List<String> spec = new ArrayList<>(List.of("-p", "tcp"));
        if (source != null) {
            spec.addAll(List.of("-s", source));
        }
        spec.addAll(List.of("--dport", Integer.toString(port), "-m", "comment", "--comment", Firewall.MARK,
                "-j", "ACCEPT"));
        return spec;
    }

    boolean isOurs(int port) {
        return Firewall.MARK.equals(value("--comment")) && "tcp".equals(value("-p")) && matchesPort(port);
    }

    boolean isForeignAccept(int port) {
        return !Firewall.MARK.equals(value("--comment")) && "ACCEPT".equals(value("-j")) && matchesPort(port);
    }

    String source() {
        String s = value("-s");
        return s == null ? null : Cidr.parse(s).toString();
    }

    /** {@code -D INPUT} and the rest of the line exactly as printed: deletes this rule and no other. */
    List<String> deleteArgs() {
        List<String> a = new ArrayList<>(args);
        a.set(0, "-D");
        return a;
    }

    List<String> insertArgs() {
        List<String> a = new ArrayList<>(args);
        a.set(0, "-I");
        return a;
    }

    private boolean matchesPort(int port) {
        String single = value("--dport");
        String multi = value("--dports");
        for (String spec : new String[]{single, multi}) {
            if (spec == null) {
                continue;
            }
            for (String part : spec.split(",")) {
                String[] range = part.split(":");
                try {
                    int from = Integer.parseInt(range[0]);
                    int to = range.length > 1 ? Integer.parseInt(range[1]) : from;
                    if (from <= port && port <= to) {
                        return true;
                    }
                } catch (NumberFormatException e) {
                    // A service name from /etc/services; iptables -S prints numbers, so this is not ours.
                }
            }
        }
        return false;
    }

    /** The value after {@code option}, unless negated ({@code ! -s X}): a negated match is not the plain one. */
    private String value(String option) {
        for (int i = 0; i < args.size() - 1; i++) {
            if (args.get(i).equals(option) && (i == 0 || !args.get(i - 1).equals("!"))) {
                return args.get(i + 1);
            }
        }
        return null;
    }

    private static List<String> split(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        boolean any = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\\' && quoted && i + 1 < line.length()) {
                cur.append(line.charAt(++i));
            } else if (c == '"') {
                quoted = !quoted;
                any = true;
            } else if (c == ' ' && !quoted) {
                if (any || cur.length() > 0) {
                    out.add(cur.toString());
                }
                cur.setLength(0);
                any = false;
            } else {
                cur.append(c);
            }
        }
        if (any || cur.length() > 0) {
            out.add(cur.toString());
        }
        return out;
    }
}
