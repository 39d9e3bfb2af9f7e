package org.levee.lab;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.levee.ebpf.netns.Netns;

/** A namespace's SNMP counters (/proc/net/snmp), read from a thread inside it. */
final class KernelCounters {
    private KernelCounters() {}

    /** Counters of {@code group} (e.g. "Udp", "Ip") in {@code namespace}, by name. */
    static Map<String, Long> snmp(String namespace, String group) throws Exception {
        // /proc/self/net is the process's namespace; /proc/thread-self/net is the thread's.
        List<String> lines = Netns.run(namespace, () -> Files.readAllLines(Path.of("/proc/thread-self/net/snmp")));
        Map<String, Long> counters = new HashMap<>();
        for (int i = 0; i + 1 < lines.size(); i++) {
            String[] names = lines.get(i).split("\\s+");
            String[] values = lines.get(i + 1).split("\\s+");
            if (names[0].equals(group + ":") && values[0].equals(group + ":") && !values[1].matches("[A-Za-z].*")) {
                for (int k = 1; k < names.length; k++) {
                    counters.put(names[k], Long.parseLong(values[k]));
                }
            }
        }
        if (counters.isEmpty()) {
            throw new IllegalStateException("no '" + group + "' counters in /proc/net/snmp of " + namespace);
        }
        return counters;
    }
}
