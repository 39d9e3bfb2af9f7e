package org.levee.lab;

import static org.levee.ebpf.asm.Instruction.*;
import static org.levee.ebpf.asm.Register.*;

import java.util.Arrays;
import org.levee.ebpf.BpfMap;
import org.levee.ebpf.MapSpec;
import org.levee.ebpf.Program;
import org.levee.ebpf.ProgramSpec;
import org.levee.ebpf.XdpAction;
import org.levee.ebpf.XdpLink;
import org.levee.ebpf.XdpMode;
import org.levee.ebpf.asm.Assembler;
import org.levee.ebpf.asm.Helper;
import org.levee.ebpf.netns.Netns;

/**
 * Levee's stand-in on the edge for lab runs without Levee: an XDP program that counts IPv4 frames
 * from the legitimate clients' /24 and all other IPv4 frames (the floods, whose sources are
 * spoofed outside it), and either passes everything (an unprotected edge) or drops the floods
 * (what perfect mitigation would do). Its presence also lets redirected floods in at all: a veth
 * receives XDP frames only while it runs an XDP program.
 */
public final class EdgeCounter implements AutoCloseable {
    private static final int ATTACK = 0;
    private static final int LEGIT = 1;
    private static final int XDP_DROP = XdpAction.DROP.code();
    private static final int XDP_PASS = XdpAction.PASS.code();

    private final BpfMap counters;
    private final Program program;
    private final XdpLink link;
    private final boolean dropping;

    private EdgeCounter(BpfMap counters, Program program, XdpLink link, boolean dropping) {
        this.counters = counters;
        this.program = program;
        this.link = link;
        this.dropping = dropping;
    }

    /** Attaches to the lab's edge interface (native XDP); {@code dropFloods} drops every IPv4 frame not from the clients. */
    public static EdgeCounter attach(DemoLab lab, boolean dropFloods) throws Exception {
        BpfMap counters = BpfMap.create(MapSpec.perCpuArray("edge_counts", 8, 2));
        try {
            Program program = Program.load(ProgramSpec.xdp(
                    "edge_counter",
                    code(
                            counters.fd(),
                            lab.labSubnets().getFirst(),
                            prefix64LittleEndian(lab.clientAddresses6().getFirst()),
                            dropFloods)));
            try {
                XdpLink link = Netns.run(
                        lab.edgeNamespace(), () -> XdpLink.attach(program, lab.edgeInterface(), XdpMode.NATIVE));
                return new EdgeCounter(counters, program, link, dropFloods);
            } catch (Exception e) {
                program.close();
                throw e;
            }
        } catch (Exception e) {
            counters.close();
            throw e;
        }
    }

    /**
     * IPv4 frames from the clients' /24 and IPv6 frames from the clients' /64 count as
     * legitimate, every other IPv4 or IPv6 frame as attack (dropped when {@code dropFloods});
     * anything else (ARP, IPv6 other than TCP and UDP such as neighbour discovery, too short) passes
     * uncounted.
     */
    static byte[] code(int countersFd, Subnet24 clients, long clientsPrefix64LittleEndian, boolean dropFloods) {
        return new Assembler()
                .emit(ldxW(R2, R1, 0), ldxW(R3, R1, 4), mov64(R0, XDP_PASS), mov64(R4, R2), add64(R4, 34))
                .jgtReg(R4, R3, "out")
                .emit(ldxH(R4, R2, 12), mov64(R6, LEGIT))
                .jeqImm(R4, 0xdd86, "ipv6") // 0x86dd read little-endian
                .jneImm(R4, 0x0008, "out") // not IPv4 either: ARP and the like pass uncounted
                .emit(ldxW(R4, R2, 26), and64(R4, 0xffffff))
                .jeqImm(R4, clients.littleEndianLow24(), "count")
                .emit(mov64(R6, ATTACK))
                .ja("count")
                .label("ipv6")
                .emit(mov64(R4, R2), add64(R4, 54))
                .jgtReg(R4, R3, "out")
                .emit(ldxB(R4, R2, 20))
                .jeqImm(R4, 6, "ipv6_counted") // only TCP and UDP count: neighbour discovery,
                .jneImm(R4, 17, "out") // MLD and the like pass uncounted
                .label("ipv6_counted")
                .emit(ldxDW(R4, R2, 22), ldImm64(R5, clientsPrefix64LittleEndian))
                .jeqReg(R4, R5, "count")
                .emit(mov64(R6, ATTACK))
                .label("count")
                .emit(
                        stxW(R10, -4, R6),
                        mov64(R2, R10),
                        add64(R2, -4),
                        ldMapFd(R1, countersFd),
                        call(Helper.MAP_LOOKUP_ELEM))
                .jeqImm(R0, 0, "verdict")
                .emit(ldxDW(R1, R0, 0), add64(R1, 1), stxDW(R0, 0, R1)) // per-CPU: no atomics needed
                .label("verdict")
                .emit(mov64(R0, XDP_PASS))
                .jneImm(R6, ATTACK, "out")
                .emit(mov64(R0, dropFloods ? XDP_DROP : XDP_PASS))
                .label("out")
                .emit(exit())
                .assemble()
                .encode();
    }

    /** The first 8 bytes of an IPv6 address as a little-endian 64-bit load of them reads them. */
    static long prefix64LittleEndian(java.net.Inet6Address address) {
        return java.nio.ByteBuffer.wrap(address.getAddress(), 0, 8)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .getLong();
    }

    /** IPv4 and IPv6 frames from outside the clients' networks seen so far. */
    public long attackFrames() {
        return Arrays.stream(counters.perCpuLongs(ATTACK)).sum();
    }

    /** IPv4 and IPv6 frames from the clients seen so far. */
    public long legitFrames() {
        return Arrays.stream(counters.perCpuLongs(LEGIT)).sum();
    }

    /** True when it drops the floods; false when it passes them to the edge's stack. */
    public boolean dropping() {
        return dropping;
    }

    @Override
    public void close() {
        link.close();
        program.close();
        counters.close();
    }
}
