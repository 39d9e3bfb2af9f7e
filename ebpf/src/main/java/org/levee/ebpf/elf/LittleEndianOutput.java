package org.levee.ebpf.elf;

import java.io.ByteArrayOutputStream;

/** A growing byte buffer with little-endian writes, for building ELF structures. */
final class LittleEndianOutput {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    LittleEndianOutput u8(int value) {
        bytes.write(value);
        return this;
    }

    LittleEndianOutput u16(int value) {
        return u8(value).u8(value >>> 8);
    }

    LittleEndianOutput u32(long value) {
        return u16((int) value).u16((int) (value >>> 16));
    }

    LittleEndianOutput u64(long value) {
        return u32(value).u32(value >>> 32);
    }

    LittleEndianOutput bytes(byte[] data) {
        bytes.writeBytes(data);
        return this;
    }

    /** Pads with zeros to a multiple of {@code alignment}. */
    LittleEndianOutput align(int alignment) {
        while (bytes.size() % alignment != 0) {
            bytes.write(0);
        }
        return this;
    }

    int size() {
        return bytes.size();
    }

    byte[] toByteArray() {
        return bytes.toByteArray();
    }
}
