package dev.redistls.testing;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Debian's {@code sslscan} as an independent judge of a TLS port: which protocol versions it enables and which
 * suites it accepts, read from sslscan's XML, and what of that a strong policy must not allow.
 */
public final class SslScan {
    /**
     * Only what the verdict needs: heartbleed, renegotiation, compression, fallback, certificate strength and group
     * enumeration are not looked at, and skipping them keeps a scan near 100 ms.
     */
    private static final List<String> OPTIONS = List.of("sslscan", "--no-colour", "--no-heartbleed",
            "--no-renegotiation", "--no-compression", "--no-fallback", "--no-check-certificate", "--no-groups",
            "--timeout=5", "--xml=-");

    private static final Pattern AEAD = Pattern.compile("GCM|CHACHA20.POLY1305|CCM");
    private static final Pattern SHORT_TAG = Pattern.compile("CCM.?8");
    private static final Pattern ANONYMOUS = Pattern.compile("^(ADH|AECDH)-|_anon_|-anon-", Pattern.CASE_INSENSITIVE);

    private SslScan() {
    }

    /** One suite the server accepted. {@code curve} is set when the server sent an ephemeral ECDH key. */
    public record Suite(String protocol, String name, String strength, String curve) {
        @Override
        public String toString() {
            return protocol + " " + name;
        }
    }

    /** What the scan saw: enabled protocol versions ("TLSv1.2", "SSLv3" ...) and accepted suites. */
    public record Result(Set<String> protocols, List<Suite> suites, String xml) {
        /** The names of the accepted suites of one protocol version. */
        public Set<String> suites(String protocol) {
            return suites.stream().filter(s -> s.protocol().equals(protocol)).map(Suite::name)
                    .collect(Collectors.toCollection(LinkedHashSet::new));
        }

        /**
         * Everything here a strong policy forbids: a protocol version outside {@code allowed}; a NULL, anonymous,
         * export, RC4, DES or 3DES suite; a TLS 1.2 (or older) suite without ECDHE; any suite that is not AEAD (CBC or
         * a stream cipher), or AEAD with an 8-byte tag; anything sslscan itself rates below "acceptable".
         */
        public List<String> weaknesses(Set<String> allowed) {
            List<String> found = new ArrayList<>();
            for (String p : protocols) {
                if (!allowed.contains(p)) {
                    found.add(p + " enabled");
                }
            }
            for (String p : protocols) {
                if (!p.startsWith("SSL") && suites(p).isEmpty()) {
                    // A scan that saw the protocol but no suite saw nothing it could judge.
                    found.add(p + " enabled but no suite seen: the scan is blind (client certificate missing?)");
                }
            }
            for (Suite s : suites) {
                String n = s.name();
                String u = n.toUpperCase();
                if (u.contains("NULL") || "null".equals(s.strength())) {
                    found.add(s + ": NULL cipher (no encryption)");
                }
                if (ANONYMOUS.matcher(n).find() || "anonymous".equals(s.strength())) {
                    found.add(s + ": anonymous (no authentication)");
                }
                if (u.contains("EXP")) {
                    found.add(s + ": export grade");
                }
                if (u.contains("RC4")) {
                    found.add(s + ": RC4");
                }
                if (u.contains("DES")) {
                    found.add(s + ": DES/3DES");
                }
                if (!s.protocol().equals("TLSv1.3") && (!n.startsWith("ECDHE-") || s.curve() == null)) {
                    found.add(s + ": no ECDHE key exchange (no forward secrecy, or finite-field DHE)");
                }
                if (!AEAD.matcher(u).find()) {
                    found.add(s + ": not AEAD (CBC or stream cipher)");
                } else if (SHORT_TAG.matcher(u).find()) {
                    found.add(s + ": AEAD with an 8-byte tag");
                }
                if (!Set.of("acceptable", "strong").contains(s.strength())) {
                    found.add(s + ": sslscan rates it " + s.strength());
                }
            }
            return found;
        }
    }

    /**
     * Scans {@code 127.0.0.1:port}. A client certificate is presented when given: without one, a server that requires
     * it lets sslscan see its TLS 1.3 suites only, and a weak TLS 1.2 list would go unseen.
     */
    public static Result scan(int port, Path clientCert, Path clientKey) {
        List<String> command = new ArrayList<>(OPTIONS);
        if (clientCert != null) {
            command.add("--certs=" + clientCert);
            command.add("--pk=" + clientKey);
        }
        command.add("127.0.0.1:" + port);
        Processes.Output out = Processes.run(null, command);
        return parse(out.out());
    }

    static Result parse(String output) {
        int start = output.indexOf("<?xml");
        if (start < 0) {
            throw new IllegalStateException("sslscan wrote no XML:\n" + output);
        }
        String xml = output.substring(start);
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            Document doc = f.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
            Set<String> protocols = new LinkedHashSet<>();
            NodeList ps = doc.getElementsByTagName("protocol");
            for (int i = 0; i < ps.getLength(); i++) {
                Element p = (Element) ps.item(i);
                if ("1".equals(p.getAttribute("enabled"))) {
                    protocols.add(("ssl".equals(p.getAttribute("type")) ? "SSLv" : "TLSv") + p.getAttribute("version"));
                }
            }
            List<Suite> suites = new ArrayList<>();
            NodeList cs = doc.getElementsByTagName("cipher");
            for (int i = 0; i < cs.getLength(); i++) {
                Element c = (Element) cs.item(i);
                String curve = c.getAttribute("curve");
                suites.add(new Suite(c.getAttribute("sslversion"), c.getAttribute("cipher"), c.getAttribute("strength"),
                        curve.isEmpty() ? null : curve));
            }
            return new Result(protocols, suites, xml);
        } catch (Exception e) {
            throw new IllegalStateException("cannot read sslscan's XML: " + e.getMessage() + "\n" + xml, e);
        }
    }
}
