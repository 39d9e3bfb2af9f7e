package org.levee.cli.doctor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The calling process's effective uid and capabilities, from /proc/self/status. */
record Capabilities(int effectiveUid, long effective) {
    static final int CAP_NET_ADMIN = 12;
    static final int CAP_SYS_ADMIN = 21;
    static final int CAP_PERFMON = 38;
    static final int CAP_BPF = 39;

    static Capabilities ofSelf() {
        int uid = -1;
        long caps = 0;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    uid = Integer.parseInt(line.split("\\s+")[2]);
                } else if (line.startsWith("CapEff:")) {
                    caps = Long.parseUnsignedLong(
                            line.substring("CapEff:".length()).trim(), 16);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc/self/status: " + e.getMessage(), e);
        }
        return new Capabilities(uid, caps);
    }

    boolean has(int capability) {
        return (effective & (1L << capability)) != 0;
    }
}
