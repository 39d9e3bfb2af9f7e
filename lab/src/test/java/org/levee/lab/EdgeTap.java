package org.levee.lab;

import static org.levee.ebpf.asm.Instruction.*;
import static org.levee.ebpf.asm.Register.*;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.levee.ebpf.BpfMap;
import org.levee.ebpf.MapSpec;
import org.levee.ebpf.Program;
import org.levee.ebpf.ProgramSpec;
import org.levee.ebpf.XdpAction;
import org.levee.ebpf.XdpLink;
import org.levee.ebpf.XdpMode;
import org.levee.ebpf.asm.Assembler;
import org.levee.ebpf.asm.Helper;
import org.levee.ebpf.asm.Size;
import org.levee.ebpf.netns.Netns;
import org.levee.ebpf.ringbuf.RingBufferReader;

/**
 * A test's stand-in for Levee on the edge: an XDP program that passes IPv4 from the legitimate
 * clients' /24, IPv6 from their /64, neighbour discovery and everything that is neither IPv4 nor
 * IPv6 (ARP), and drops every other IPv4 or IPv6 frame —
 * the flood —, counting both per CPU and copying the first {@link #SAMPLES} dropped frames (up to
 * {@link #SNAP} bytes each) into a ring buffer for the test to parse.
 */
final class EdgeTap implements AutoCloseable {
    static final int SAMPLES = 64;
    static final int SNAP = 128;
    private static final int DROPPED = 0;
    private static final int PASSED = 1;
    private static final int XDP_DROP = XdpAction.DROP.code();
    private static final int XDP_PASS = XdpAction.PASS.code();

    private final BpfMap counters;
    private final BpfMap taken;
    private final BpfMap ring;
    private final Program program;
    private final XdpLink link;
    private final RingBufferReader reader;

    private EdgeTap(BpfMap counters, BpfMap taken, BpfMap ring, Program program, XdpLink link) {
        this.counters = counters;
        this.taken = taken;
        this.ring = ring;
        this.program = program;
        this.link = link;
        this.reader = RingBufferReader.open(ring);
    }

    /** Attaches the tap to {@code device} in {@code namespace} (native XDP), sparing {@code legit} and the demo's IPv6 clients. */
    static EdgeTap attach(String namespace, String device, Subnet24 legit) throws Exception {
        return attach(namespace, device, legit, EdgeCounter.prefix64LittleEndian((java.net.Inet6Address)
                java.net.InetAddress.getByName(DemoLab.CLIENT_ADDRESSES_V6.getFirst())));
    }

    /** Attaches the tap, sparing {@code legit} and IPv6 sources whose first 64 bits read {@code legit6} little-endian. */
    static EdgeTap attach(String namespace, String device, Subnet24 legit, long legit6) throws Exception {
        BpfMap counters = BpfMap.create(MapSpec.perCpuArray("tap_counts", 8, 2));
        BpfMap taken = BpfMap.create(MapSpec.array("tap_taken", 8, 1));
        BpfMap ring = BpfMap.create(MapSpec.ringBuffer("tap_ring", 1 << 16));
        Program program =
                Program.load(ProgramSpec.xdp("edge_tap", code(counters.fd(), taken.fd(), ring.fd(), legit, legit6)));
        XdpLink link = Netns.run(namespace, () -> XdpLink.attach(program, device, XdpMode.NATIVE));
        return new EdgeTap(counters, taken, ring, program, link);
    }

    private static byte[] code(int countersFd, int takenFd, int ringFd, Subnet24 legit, long legit6) {
        return new Assembler()
                .emit(mov64(R6, R1), ldxW(R7, R6, 0), ldxW(R8, R6, 4), mov64(R9, PASSED), mov64(R2, R7), add64(R2, 34))
                .jgtReg(R2, R8, "count")
                .emit(ldxH(R2, R7, 12))
                .jeqImm(R2, 0xdd86, "ipv6")
                .jneImm(R2, 0x0008, "count")
                .emit(ldxW(R2, R7, 26), and64(R2, 0xffffff))
                .jeqImm(R2, legit.littleEndianLow24(), "count")
                .ja("flood")
                .label("ipv6") // IPv6: neighbour discovery and the clients' /64 pass
                .emit(mov64(R2, R7), add64(R2, 54))
                .jgtReg(R2, R8, "count")
                .emit(ldxB(R2, R7, 20))
                .jeqImm(R2, 6, "ipv6_flood") // only TCP and UDP: MLD, ND and the like pass
                .jneImm(R2, 17, "count")
                .label("ipv6_flood")
                .emit(ldxDW(R2, R7, 22), ldImm64(R3, legit6))
                .jeqReg(R2, R3, "count")
                .label("flood")
                .emit(
                        mov64(R9, DROPPED),
                        // take a sample while fewer than SAMPLES were taken
                        st(Size.W, R10, -4, 0),
                        mov64(R2, R10),
                        add64(R2, -4),
                        ldMapFd(R1, takenFd),
                        call(Helper.MAP_LOOKUP_ELEM))
                .jeqImm(R0, 0, "count")
                .emit(mov64(R1, 1), atomicFetchAdd(Size.DW, R0, 0, R1))
                .jgeImm(R1, SAMPLES, "count")
                .emit(ldMapFd(R1, ringFd), mov64(R2, 8 + SNAP), mov64(R3, 0), call(Helper.RINGBUF_RESERVE))
                .jeqImm(R0, 0, "count")
                .emit(mov64(R8, R0), mov64(R1, R6), call(Helper.XDP_GET_BUFF_LEN), mov64(R4, R0))
                .jleImm(R4, SNAP, "sized")
                .emit(mov64(R4, SNAP))
                .label("sized")
                .jltImm(R4, 14, "discard")
                .emit(
                        stxW(R8, 0, R4),
                        mov64(R1, R6),
                        mov64(R2, 0),
                        mov64(R3, R8),
                        add64(R3, 8),
                        call(Helper.XDP_LOAD_BYTES),
                        mov64(R1, R8),
                        mov64(R2, 0),
                        call(Helper.RINGBUF_SUBMIT))
                .ja("count")
                .label("discard")
                .emit(mov64(R1, R8), mov64(R2, 0), call(Helper.RINGBUF_DISCARD))
                .label("count")
                .emit(
                        stxW(R10, -8, R9),
                        mov64(R2, R10),
                        add64(R2, -8),
                        ldMapFd(R1, countersFd),
                        call(Helper.MAP_LOOKUP_ELEM))
                .jeqImm(R0, 0, "verdict")
                .emit(ldxDW(R1, R0, 0), add64(R1, 1), stxDW(R0, 0, R1))
                .label("verdict")
                .emit(mov64(R0, XDP_PASS))
                .jneImm(R9, DROPPED, "out")
                .emit(mov64(R0, XDP_DROP))
                .label("out")
                .emit(exit())
                .assemble()
                .encode();
    }

    /** Flood frames dropped so far (all CPUs). */
    long dropped() {
        return Arrays.stream(counters.perCpuLongs(DROPPED)).sum();
    }

    /** Frames passed so far (all CPUs). */
    long passed() {
        return Arrays.stream(counters.perCpuLongs(PASSED)).sum();
    }

    /** The sampled frames (their first {@link #SNAP} bytes at most) that arrived within {@code timeout}. */
    List<byte[]> samples(Duration timeout) {
        List<byte[]> frames = new ArrayList<>();
        for (byte[] record : reader.read(timeout)) {
            int length = (record[0] & 0xff) | (record[1] & 0xff) << 8;
            frames.add(Arrays.copyOfRange(record, 8, 8 + length));
        }
        return frames;
    }

    /** Lets the next {@link #SAMPLES} dropped frames be sampled again. */
    void resample() {
        taken.put(0, 0L);
    }

    @Override
    public void close() {
        reader.close();
        link.close();
        program.close();
        ring.close();
        taken.close();
        counters.close();
    }
}
