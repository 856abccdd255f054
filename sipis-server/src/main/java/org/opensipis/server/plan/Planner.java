package org.opensipis.server.plan;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import org.opensipis.core.settings.OpenString;

/**
 * Computes a layout from a {@link PlanRequest} and renders its files. Pure: no I/O.
 *
 * <p>Conventions (the seed's): process {@code i = host × perHost + p} owns the {@code i}-th of
 * {@code 2^k} equal slices of the selector space ({@code HEX/BITS} prefix, the {@code k} bits
 * padded with zero bits to whole hex digits); {@code Server[Port] = 14998 − 10p},
 * {@code HttpServer[Port] = 5000 + 10p}. On one machine processes are {@code Sipis1…SipisM} in
 * {@code Settings1…M.xml} behind {@code 127.0.0.1}; on several they are {@code sipis0…sipisF}
 * (hex, as wide as the prefix) in {@code Settings0…F.xml} behind the machines' addresses.
 */
public final class Planner {

    static final int FIRST_SIP_PORT = 14998;
    static final int FIRST_HTTP_PORT = 5000;
    static final int PORT_STEP = 10;
    static final int MAX_HOSTS = 256;
    static final int MAX_PER_HOST = 64;
    static final int MAX_PROCESSES = 4096;

    private Planner() {
    }

    /** The computed layout. */
    record Layout(PlanRequest request, List<PlannedProcess> processes, int prefixBits, int appPrefixLength,
                  List<String> hostAddresses) {

        boolean singleMachine() {
            return request.hosts() == 1;
        }

        List<PlannedProcess> onHost(int host) {
            List<PlannedProcess> out = new ArrayList<>();
            for (PlannedProcess p : processes) {
                if (p.host() == host) {
                    out.add(p);
                }
            }
            return out;
        }
    }

    /**
     * The files of the plan, by path relative to the output directory, in path order.
     *
     * @throws IllegalArgumentException naming the option that is wrong and why
     */
    public static SortedMap<String, String> files(PlanRequest request) {
        Layout layout = layout(request);
        SortedMap<String, String> out = new TreeMap<>();
        PlanRenderer r = new PlanRenderer(layout);
        out.put("Defaults.xml", r.defaults());
        for (PlannedProcess p : layout.processes()) {
            out.put(p.settingsFile(), r.settings(p));
        }
        out.put("LoadBalancer2/Settings.xml", r.loadBalancer2());
        for (int h = 0; h < layout.hostAddresses().size(); h++) {
            out.put("nginx/host" + h + ".conf", r.nginx(h));
        }
        out.put("dns.zone", r.dns());
        out.put("app-parameters.txt", r.appParameters());
        out.put("PLAN.txt", r.readme());
        return Collections.unmodifiableSortedMap(out);
    }

    /** Validates the request and computes every process. */
    static Layout layout(PlanRequest req) {
        List<String> errors = new ArrayList<>();
        if (req.single()) {
            if (req.hosts() != 1 || req.perHost() != 1) {
                errors.add("--single plans one process on one machine; leave out --hosts/--per-host (or give 1)");
            }
        } else {
            if (req.hosts() < 1 || req.hosts() > MAX_HOSTS) {
                errors.add("--hosts must be 1.." + MAX_HOSTS + ", was " + req.hosts());
            }
            if (req.perHost() < 1 || req.perHost() > MAX_PER_HOST) {
                errors.add("--per-host must be 1.." + MAX_PER_HOST + ", was " + req.perHost());
            }
        }
        long total = (long) req.hosts() * req.perHost();
        if (errors.isEmpty() && (total > MAX_PROCESSES || Long.bitCount(total) != 1)) {
            errors.add("--hosts " + req.hosts() + " × --per-host " + req.perHost() + " = " + total
                    + " processes, but the selector space splits evenly only into a power of two"
                    + " (1, 2, 4, 8, 16, … " + MAX_PROCESSES + "); try " + nearPowers(total));
        }
        if (!req.domain().matches("(?i)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+")) {
            errors.add("--domain \"" + req.domain() + "\" is not a DNS name such as sipis.example.com");
        }
        try {
            OpenString.parse(req.openString());
        } catch (IllegalArgumentException e) {
            // never echo the value: it holds the database password
            errors.add("--db is not valid; expected " + e.getMessage());
        }
        if (!req.hostIps().isEmpty() && req.hostIps().size() != req.hosts()) {
            errors.add("--host-ips gives " + req.hostIps().size() + " address(es) for --hosts " + req.hosts());
        }
        for (String ip : req.hostIps()) {
            if (!ip.matches("[0-9A-Za-z.:-]+")) {
                errors.add("--host-ips: \"" + ip + "\" is not an IP address or host name");
            }
        }
        if (!req.realm().matches("[!#-~]{1,100}") || req.realm().contains("\"")) {
            errors.add("--realm must be 1 to 100 printable characters without spaces or quotes");
        }
        if (!req.lb2File().startsWith("/")) {
            errors.add("--lb2-file must be an absolute path, was \"" + req.lb2File() + "\"");
        }
        if (!req.etcDir().startsWith("/")) {
            errors.add("--etc-dir must be an absolute directory, was \"" + req.etcDir() + "\"");
        }
        Optional<int[]> net = Optional.empty();
        if (req.privateNet().isPresent()) {
            try {
                net = Optional.of(PrivateNet.parse(req.privateNet().get()));
            } catch (IllegalArgumentException e) {
                errors.add("--private-net " + e.getMessage());
            }
        }
        if (net.isPresent() && net.get().length == 3 && total > 254) {
            errors.add("--private-net with three octets has room for 254 processes, not " + total
                    + "; give one or two octets (e.g. 10 or 10.5)");
        }
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException(String.join("\n", errors));
        }
        int bits = Integer.numberOfTrailingZeros((int) total);
        int digits = (bits + 3) / 4;
        List<String> hostAddresses = new ArrayList<>();
        for (int h = 0; h < req.hosts(); h++) {
            hostAddresses.add(req.hostIps().isEmpty() ? "S" + h + "IP" : req.hostIps().get(h));
        }
        List<PlannedProcess> processes = new ArrayList<>();
        for (int h = 0; h < req.hosts(); h++) {
            for (int p = 0; p < req.perHost(); p++) {
                int i = h * req.perHost() + p;
                processes.add(process(req, i, h, p, bits, digits, hostAddresses.get(h), net));
            }
        }
        int appPrefixLength = req.hosts() == 1 ? 0 : digits;
        return new Layout(req, List.copyOf(processes), bits, appPrefixLength, List.copyOf(hostAddresses));
    }

    private static PlannedProcess process(PlanRequest req, int i, int h, int p, int bits, int digits,
                                          String hostAddress, Optional<int[]> net) {
        String prefix = bits == 0 ? "" : hex(i << (digits * 4 - bits), digits) + "/" + bits;
        Optional<String> privateAddress = net.map(n -> PrivateNet.address(n, h, p, req.perHost()));
        int sip = FIRST_SIP_PORT - PORT_STEP * p;
        int http = FIRST_HTTP_PORT + PORT_STEP * p;
        if (req.single()) {
            return new PlannedProcess(0, 0, "127.0.0.1", "Sipis", "Settings", "sipis", sip, http, "",
                    privateAddress);
        }
        if (req.hosts() == 1) {
            String n = Integer.toString(i + 1);
            return new PlannedProcess(i, h, "127.0.0.1", "Sipis" + n, "Settings" + n, "sipis" + n, sip, http,
                    prefix, privateAddress);
        }
        String name = "sipis" + hex(i, digits);
        // the seed's template: Settings<name>.xml, <Lock FileName="/var/run/sipis/sipis{{name}}.lock">
        return new PlannedProcess(i, h, hostAddress, name, "Settings" + name, "sipis" + name, sip, http, prefix,
                privateAddress);
    }

    static String hex(int value, int digits) {
        String s = Integer.toHexString(value).toUpperCase(Locale.ROOT);
        return "0".repeat(Math.max(0, digits - s.length())) + s;
    }

    private static String nearPowers(long total) {
        long lower = Long.highestOneBit(Math.max(1, Math.min(total, MAX_PROCESSES)));
        long upper = Math.min(lower * 2, MAX_PROCESSES);
        return lower == upper || upper == total ? Long.toString(lower) : lower + " or " + upper + " processes";
    }
}
