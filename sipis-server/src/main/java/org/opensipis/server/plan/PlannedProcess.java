package org.opensipis.server.plan;

import java.util.Optional;

/**
 * One SIPIS process of a plan.
 *
 * @param index          0-based position in the selector space (also its order in LB2's Backend)
 * @param host           0-based machine index
 * @param hostAddress    the machine's address as LB2 reaches it ({@code 127.0.0.1} on a single machine)
 * @param name           {@code Server[Name]} and LB2 {@code Sipis[Name]}
 * @param fileStem       settings file name without {@code .xml} (and the systemd instance name)
 * @param lockName       file name part of lock and log files ({@code sipis1} → {@code sipis1.lock})
 * @param sipPort        {@code Server[Port]}: 14998, 14988, … per machine
 * @param httpPort       {@code HttpServer[Port]}: 5000, 5010, … per machine
 * @param selectorPrefix LB2 {@code SelectorPrefix} ({@code HEX/BITS}; empty = all)
 * @param privateAddress {@code Server[PrivateAddress]}, if planned
 */
record PlannedProcess(int index, int host, String hostAddress, String name, String fileStem, String lockName,
                      int sipPort, int httpPort, String selectorPrefix, Optional<String> privateAddress) {

    String settingsFile() {
        return fileStem + ".xml";
    }

    /**
     * {@code Registration[Port]}: the UDP port REGISTERs leave from, {@code Server[Port] + 1}
     * (14999, 14989, … per machine; the default the settings would derive, written out so that
     * the plan shows it). Fixed per process, so that a restart refreshes the same bindings.
     */
    int registrationPort() {
        return sipPort + 1;
    }

    String lb2Address() {
        return (hostAddress.contains(":") ? "[" + hostAddress + "]" : hostAddress) + ":" + sipPort;
    }
}
