package org.levee.ebpf.internal;

/**
 * System call numbers of the running architecture. The numbers differ per architecture; this is
 * the one place that knows them, so porting means editing only this class.
 */
public final class SyscallNumbers {
    private SyscallNumbers() {}

    /** {@code bpf(2)}: glibc has no wrapper for it, so it is called through {@code syscall(2)}. */
    public static final long BPF = bpfNumber(System.getProperty("os.arch"));

    static long bpfNumber(String arch) {
        return switch (arch) {
            case "amd64", "x86_64" -> 321;
            case "aarch64", "arm64", "riscv64", "loongarch64" -> 280;
            default ->
                throw new UnsupportedOperationException(
                        "bpf(2) syscall number unknown for architecture '" + arch + "'; add it to SyscallNumbers");
        };
    }
}
