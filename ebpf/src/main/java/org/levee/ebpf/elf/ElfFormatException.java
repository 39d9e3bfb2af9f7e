package org.levee.ebpf.elf;

/** Bytes that are not a BPF object this reader understands; the message says what and where. */
public final class ElfFormatException extends IllegalArgumentException {
    public ElfFormatException(String message) {
        super(message);
    }

    public ElfFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
