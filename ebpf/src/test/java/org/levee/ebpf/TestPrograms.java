package org.levee.ebpf;

import static org.levee.ebpf.asm.Instruction.*;
import static org.levee.ebpf.asm.Register.*;

import java.util.List;
import org.levee.ebpf.asm.Assembler;
import org.levee.ebpf.asm.Helper;
import org.levee.ebpf.asm.InstructionCodec;
import org.levee.ebpf.asm.Size;

/** Small hand-written programs for the kernel tests. */
public final class TestPrograms {
    private TestPrograms() {}

    public static final int XDP_ABORTED = 0;
    public static final int XDP_DROP = 1;
    public static final int XDP_PASS = 2;

    /** Returns {@code value}. */
    public static byte[] returning(int value) {
        return InstructionCodec.encode(List.of(mov64(R0, value), exit()));
    }

    /** XDP: writes {@code marker} into the packet's first byte and passes it (drops packets shorter than one byte). */
    public static byte[] markFirstByte(int marker) {
        return new Assembler()
                .emit(
                        ldxW(R2, R1, 0), // r2 = ctx->data
                        ldxW(R3, R1, 4), // r3 = ctx->data_end
                        mov64(R0, XDP_DROP),
                        mov64(R4, R2),
                        add64(R4, 1))
                .jgtReg(R4, R3, "out") // shorter than 1 byte: drop
                .emit(st(Size.B, R2, 0, marker), mov64(R0, XDP_PASS))
                .label("out")
                .emit(exit())
                .assemble()
                .encode();
    }

    /** XDP: drops IPv4 UDP, passes everything else. */
    public static byte[] dropIpv4Udp() {
        return new Assembler()
                .emit(
                        ldxW(R2, R1, 0),
                        ldxW(R3, R1, 4),
                        mov64(R0, XDP_PASS),
                        mov64(R4, R2),
                        add64(R4, 34)) // Ethernet (14) + minimal IPv4 header (20)
                .jgtReg(R4, R3, "out")
                .emit(ldxH(R5, R2, 12)) // EtherType, network order read little-endian
                .jneImm(R5, 0x0008, "out") // not IPv4
                .emit(ldxB(R5, R2, 23)) // IPv4 protocol
                .jneImm(R5, 17, "out") // not UDP
                .emit(mov64(R0, XDP_DROP))
                .label("out")
                .emit(exit())
                .assemble()
                .encode();
    }

    /** A program the verifier rejects: it exits without setting r0. */
    public static byte[] readsUninitialisedR0() {
        return InstructionCodec.encode(List.of(exit()));
    }

    /**
     * XDP: increments the u64 at key 0 of {@code counterFd} (an array), reserves 16 bytes in the
     * ring buffer {@code ringFd}, writes {n, 3n} there and submits it, or discards it when n is a
     * multiple of 3. Passes the packet (also when the ring is full: that record is lost).
     */
    public static byte[] countIntoRingBuffer(int counterFd, int ringFd) {
        return new Assembler()
                .emit(
                        st(Size.W, R10, -4, 0), // key = 0
                        mov64(R2, R10),
                        add64(R2, -4),
                        ldMapFd(R1, counterFd),
                        call(Helper.MAP_LOOKUP_ELEM))
                .jeqImm(R0, 0, "pass")
                .emit(
                        mov64(R7, 1),
                        atomicFetchAdd(Size.DW, R0, 0, R7), // r7 = old counter
                        add64(R7, 1), // r7 = n
                        ldMapFd(R1, ringFd),
                        mov64(R2, 16),
                        mov64(R3, 0),
                        call(Helper.RINGBUF_RESERVE))
                .jeqImm(R0, 0, "pass") // ring full
                .emit(
                        stxDW(R0, 0, R7),
                        mov64(R8, R7),
                        mul64(R8, 3),
                        stxDW(R0, 8, R8),
                        mov64(R1, R0),
                        mov64(R2, 0),
                        mov64(R3, R7),
                        mod64(R3, 3))
                .jneImm(R3, 0, "submit")
                .emit(call(Helper.RINGBUF_DISCARD))
                .ja("pass")
                .label("submit")
                .emit(call(Helper.RINGBUF_SUBMIT))
                .label("pass")
                .emit(mov64(R0, XDP_PASS), exit())
                .assemble()
                .encode();
    }

    /** A 64-byte Ethernet frame carrying IPv4 UDP from 192.0.2.1 to 192.0.2.2 (checksums not set). */
    public static byte[] udpFrame() {
        byte[] f = new byte[64];
        f[12] = 0x08; // EtherType IPv4
        f[14] = 0x45;
        f[16] = 0;
        f[17] = 50; // total length
        f[22] = 64; // TTL
        f[23] = 17; // UDP
        f[26] = (byte) 192;
        f[27] = 0;
        f[28] = 2;
        f[29] = 1;
        f[30] = (byte) 192;
        f[31] = 0;
        f[32] = 2;
        f[33] = 2;
        return f;
    }
}
