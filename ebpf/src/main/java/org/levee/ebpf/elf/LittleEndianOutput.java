package org.levee.ebpf.elf;

import java.util.Arrays;

/**
 * A growing byte buffer with little-endian writes, for building ELF structures. Not a stream:
 * an object of 10,000 rules is megabytes of small fields, written without a lock per byte.
 */
final class LittleEndianOutput {
    private byte[] bytes = new byte[256];
    private int size;

    private void room(int more) {
        if (size + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
        }
    }

    LittleEndianOutput u8(int value) {
        room(1);
        bytes[size++] = (byte) value;
        return this;
    }

    LittleEndianOutput u16(int value) {
        room(2);
        bytes[size++] = (byte) value;
        bytes[size++] = (byte) (value >>> 8);
        return this;
    }

    LittleEndianOutput u32(long value) {
        room(4);
        for (int i = 0; i < 4; i++) {
            bytes[size++] = (byte) (value >>> (8 * i));
        }
        return this;
    }

    LittleEndianOutput u64(long value) {
        room(8);
        for (int i = 0; i < 8; i++) {
            bytes[size++] = (byte) (value >>> (8 * i));
        }
        return this;
    }

    LittleEndianOutput bytes(byte[] data) {
        room(data.length);
        System.arraycopy(data, 0, bytes, size, data.length);
        size += data.length;
        return this;
    }

    /** Pads with zeros to a multiple of {@code alignment}. */
    LittleEndianOutput align(int alignment) {
        int padding = (alignment - size % alignment) % alignment;
        room(padding);
        size += padding; // the buffer is zero where nothing was written
        return this;
    }

    int size() {
        return size;
    }

    byte[] toByteArray() {
        return Arrays.copyOf(bytes, size);
    }
}
