package org.levee.ebpf.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What kind of BPF object an fd refers to, read from {@code /proc/self/fdinfo/FD}. Needed because
 * BPF_OBJ_GET_INFO_BY_FD answers for any kind, so a map fd read as a program would give nonsense.
 */
public enum FdKind {
    MAP("map_type:"),
    PROGRAM("prog_type:"),
    LINK("link_type:"),
    OTHER("");

    private final String marker;

    FdKind(String marker) {
        this.marker = marker;
    }

    /** The kind of {@code fd} in this process. */
    public static FdKind of(int fd) {
        String info;
        try {
            info = Files.readString(Path.of("/proc/self/fdinfo/" + fd));
        } catch (IOException e) {
            return OTHER;
        }
        for (String line : info.split("\n")) {
            for (FdKind kind : values()) {
                if (kind != OTHER && line.startsWith(kind.marker)) {
                    return kind;
                }
            }
        }
        return OTHER;
    }

    /** Throws naming {@code what} unless {@code fd} is of kind {@code expected}; closes the fd when throwing. */
    public static void require(int fd, FdKind expected, String what) {
        FdKind actual = of(fd);
        if (actual != expected) {
            Libc.close(fd);
            throw new IllegalArgumentException(what + ": fd " + fd + " refers to "
                    + (actual == OTHER
                            ? "no BPF map, program or link"
                            : "a BPF " + actual.name().toLowerCase())
                    + ", not a BPF " + expected.name().toLowerCase());
        }
    }
}
