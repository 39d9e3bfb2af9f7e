package org.levee.ebpf;

import java.util.Arrays;
import org.levee.ebpf.internal.ObjectName;

/**
 * What {@link Program#load} loads: the type, a name (≤ 15 characters), the encoded instructions
 * (kernel format, 8 bytes each, map fds already patched into LD_IMM64), the license, the expected
 * attach type and the verifier log level to keep on success (0: none, 1: basic, 2: every
 * instruction). A failed load always fetches the log.
 */
public record ProgramSpec(
        ProgramType type,
        String name,
        byte[] instructions,
        String license,
        AttachType expectedAttachType,
        int logLevel) {
    public ProgramSpec {
        if (type == null) {
            throw new IllegalArgumentException("program type is null");
        }
        ObjectName.check(name, "program");
        if (instructions == null || instructions.length == 0) {
            throw new IllegalArgumentException("program '" + name + "' has no instructions");
        }
        if (instructions.length % 8 != 0) {
            throw new IllegalArgumentException(
                    "program '" + name + "': " + instructions.length + " bytes of instructions is not a multiple of 8");
        }
        if (license == null || license.isEmpty()) {
            throw new IllegalArgumentException("program '" + name + "' has no license");
        }
        if (expectedAttachType == null) {
            throw new IllegalArgumentException(
                    "program '" + name + "': expected attach type is null (use UNSPECIFIED)");
        }
        if (logLevel < 0 || logLevel > 2) {
            throw new IllegalArgumentException("program '" + name + "': log level " + logLevel + " is not 0, 1 or 2");
        }
        instructions = instructions.clone();
    }

    /** An XDP program (GPL, expected attach type XDP, no log kept on success). */
    public static ProgramSpec xdp(String name, byte[] instructions) {
        return new ProgramSpec(ProgramType.XDP, name, instructions, "GPL", AttachType.XDP, 0);
    }

    /** A socket filter program (GPL, no log kept on success). */
    public static ProgramSpec socketFilter(String name, byte[] instructions) {
        return new ProgramSpec(ProgramType.SOCKET_FILTER, name, instructions, "GPL", AttachType.UNSPECIFIED, 0);
    }

    public ProgramSpec withLogLevel(int level) {
        return new ProgramSpec(type, name, instructions, license, expectedAttachType, level);
    }

    public ProgramSpec withLicense(String newLicense) {
        return new ProgramSpec(type, name, instructions, newLicense, expectedAttachType, logLevel);
    }

    /** The encoded instructions (a copy). */
    @Override
    public byte[] instructions() {
        return instructions.clone();
    }

    public int instructionCount() {
        return instructions.length / 8;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ProgramSpec s
                && s.type == type
                && s.name.equals(name)
                && Arrays.equals(s.instructions, instructions)
                && s.license.equals(license)
                && s.expectedAttachType == expectedAttachType
                && s.logLevel == logLevel;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(type, name, Arrays.hashCode(instructions), license, expectedAttachType, logLevel);
    }

    @Override
    public String toString() {
        return "ProgramSpec[" + type + " '" + name + "', " + instructionCount() + " instructions, license " + license
                + ", attach type " + expectedAttachType + ", log level " + logLevel + "]";
    }
}
