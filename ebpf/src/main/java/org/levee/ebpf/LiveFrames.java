package org.levee.ebpf;

import static org.levee.ebpf.asm.Instruction.exit;
import static org.levee.ebpf.asm.Instruction.mov64;
import static org.levee.ebpf.asm.Register.R0;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.levee.ebpf.asm.Assembler;

/**
 * Whether this kernel lets {@code BPF_PROG_TEST_RUN} run XDP programs on live frames
 * ({@link TestRun#F_XDP_LIVE_FRAMES}, Linux ≥ 5.18): frames an XDP_TX or XDP_REDIRECT verdict
 * really sends. Kernels differ even between machines of one kind: one build allowed it for root,
 * a later one refuses it with EPERM for any program. Levee itself never needs it; the lab's
 * fastest flood generator does, so the lab probes it once and otherwise sends through AF_XDP.
 */
public final class LiveFrames {
    private static volatile Support cached;

    private LiveFrames() {}

    /**
     * The answer: {@code supported}, or why not ({@code errno} 0 when the probe failed before the
     * test run, e.g. without the privileges to load a program).
     */
    public record Support(boolean supported, int errno, String detail) {
        public static Support yes() {
            return new Support(true, 0, "");
        }

        /** One line for a human: "supported", or the refusal and its errno. */
        public String describe() {
            return supported ? "supported" : detail;
        }
    }

    /** The probe's answer, computed once per JVM. */
    public static Support support() {
        Support s = cached;
        if (s == null) {
            s = probe();
            cached = s;
        }
        return s;
    }

    /**
     * Runs {@code r0 = XDP_DROP; exit} once on a 64-byte frame in live-frames mode, on the
     * loopback interface of the calling thread's namespace: the program drops the frame, so
     * nothing is sent whatever the answer.
     */
    public static Support probe() {
        byte[] code = new Assembler()
                .emit(mov64(R0, XdpAction.DROP.code()), exit())
                .assemble()
                .encode();
        Program program;
        try {
            program = Program.load(ProgramSpec.xdp("live_probe", code));
        } catch (SyscallException e) {
            return new Support(false, 0, "cannot load a probe XDP program: " + e.getMessage());
        }
        try (program) {
            byte[] frame = new byte[64];
            frame[12] = 0x08; // EtherType IPv4: a plausible frame
            byte[] context = ByteBuffer.allocate(24)
                    .order(ByteOrder.nativeOrder())
                    .putInt(0)
                    .putInt(frame.length)
                    .putInt(0)
                    .putInt(NetworkInterfaces.index("lo"))
                    .putInt(0)
                    .putInt(0)
                    .array();
            program.testRun(new TestRun(frame, 1, 0, context, TestRun.F_XDP_LIVE_FRAMES, 0, 0));
            return Support.yes();
        } catch (SyscallException e) {
            return new Support(
                    false,
                    e.errno(),
                    "this kernel refuses BPF_PROG_TEST_RUN with BPF_F_TEST_XDP_LIVE_FRAMES (" + e.errnoName() + ")");
        }
    }
}
