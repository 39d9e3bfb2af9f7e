package org.levee.cli.doctor;

import static org.levee.ebpf.asm.Register.R0;
import static org.levee.ebpf.asm.Register.R1;
import static org.levee.ebpf.asm.Register.R10;
import static org.levee.ebpf.asm.Register.R2;
import static org.levee.ebpf.asm.Register.R3;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.levee.cbpf.pcap.Libpcap;
import org.levee.ebpf.BpfException;
import org.levee.ebpf.BpfFs;
import org.levee.ebpf.BpfMap;
import org.levee.ebpf.LinkInfo;
import org.levee.ebpf.LiveFrames;
import org.levee.ebpf.MapSpec;
import org.levee.ebpf.Program;
import org.levee.ebpf.ProgramSpec;
import org.levee.ebpf.SyscallException;
import org.levee.ebpf.TestRun;
import org.levee.ebpf.XdpAction;
import org.levee.ebpf.XdpLink;
import org.levee.ebpf.XdpMode;
import org.levee.ebpf.asm.Assembler;
import org.levee.ebpf.asm.Instruction;
import org.levee.ebpf.asm.Size;
import org.levee.ebpf.netns.Netns;
import org.levee.ebpf.xsk.XdpSocket;
import org.levee.netns.NetnsLab;
import org.levee.netns.VethPair;

/**
 * The checks behind {@code levee doctor}, in the order a failure is most useful to read: a later
 * check usually cannot pass when an earlier one failed.
 */
public final class DoctorChecks {
    /**
     * Levee itself needs BPF atomics (5.12), ring buffers and bpf_link; 5.18 also brings the XDP
     * live frames the lab's fastest flood generator uses (where the kernel allows them).
     */
    static final KernelVersion MINIMUM_KERNEL = new KernelVersion(5, 18);

    private static final int XDP_ABORTED = XdpAction.ABORTED.code();
    private static final int XDP_PASS = XdpAction.PASS.code();
    private static final Path JIT_SYSCTL = Path.of("/proc/sys/net/core/bpf_jit_enable");

    private DoctorChecks() {}

    public static List<Check> all() {
        return List.of(
                new Check("privileges", true, DoctorChecks::privileges),
                new Check("kernel version", true, DoctorChecks::kernelVersion),
                new Check("bpf() syscall", true, DoctorChecks::bpfSyscall),
                new Check("BPF JIT", true, DoctorChecks::jit),
                new Check("bpffs at /sys/fs/bpf", true, DoctorChecks::bpffs),
                new Check("ring buffer maps", true, DoctorChecks::ringBuffer),
                new Check("XDP test runs", true, DoctorChecks::xdpTestRun),
                new Check("BPF atomics", true, DoctorChecks::atomics),
                new Check("XDP attach (bpf_link, native)", true, DoctorChecks::xdpAttach),
                new Check("libpcap", true, DoctorChecks::libpcap),
                new Check("XDP live frames (lab)", false, DoctorChecks::liveFrames),
                new Check("AF_XDP sockets (lab)", false, DoctorChecks::xdpSockets));
    }

    static CheckResult privileges() {
        Capabilities caps = Capabilities.ofSelf();
        if (caps.effectiveUid() == 0) {
            return CheckResult.ok("root");
        }
        boolean enough = caps.has(Capabilities.CAP_BPF)
                && caps.has(Capabilities.CAP_NET_ADMIN)
                && caps.has(Capabilities.CAP_PERFMON);
        return enough
                ? CheckResult.ok("uid " + caps.effectiveUid() + " with CAP_BPF, CAP_NET_ADMIN, CAP_PERFMON")
                : CheckResult.fail(
                        "uid " + caps.effectiveUid() + " lacks CAP_BPF, CAP_NET_ADMIN or CAP_PERFMON",
                        "run as root (sudo ./levee …) or grant those capabilities");
    }

    static CheckResult kernelVersion() {
        String release = System.getProperty("os.version");
        KernelVersion version = KernelVersion.parse(release);
        return version.compareTo(MINIMUM_KERNEL) >= 0
                ? CheckResult.ok("Linux " + release)
                : CheckResult.fail(
                        "Linux " + release + " is older than " + MINIMUM_KERNEL,
                        "use a kernel ≥ " + MINIMUM_KERNEL + " (ring buffers, bpf_link, XDP live frames)");
    }

    static CheckResult bpfSyscall() {
        try (BpfMap map = BpfMap.create(MapSpec.array("levee_doctor", 8, 1))) {
            map.put(0, 42L);
            long read = map.getLong(0).orElseThrow();
            return read == 42L
                    ? CheckResult.ok("created an array map, wrote and read it back")
                    : CheckResult.fail("an array map returned " + read + " instead of 42", "report this as a bug");
        } catch (BpfException e) {
            return CheckResult.fail(e.getMessage(), "check that the kernel has CONFIG_BPF_SYSCALL and you are root");
        }
    }

    static CheckResult jit() {
        String value;
        try {
            value = Files.readString(JIT_SYSCTL).trim();
        } catch (IOException e) {
            return CheckResult.fail(
                    "cannot read " + JIT_SYSCTL + " (" + e.getMessage() + ")", "the kernel needs CONFIG_BPF_JIT");
        }
        return switch (value) {
            case "1" -> CheckResult.ok("bpf_jit_enable = 1");
            case "2" -> CheckResult.ok("bpf_jit_enable = 2 (debug output on)");
            default ->
                CheckResult.fail(
                        "bpf_jit_enable = " + value + ": programs are interpreted, slowly",
                        "sysctl -w net.core.bpf_jit_enable=1");
        };
    }

    static CheckResult bpffs() {
        boolean wasMounted = BpfFs.isBpfFs(BpfFs.ROOT);
        BpfFs.ensureMounted();
        return CheckResult.ok(wasMounted ? "mounted" : "was missing: mounted it now");
    }

    static CheckResult ringBuffer() {
        try (BpfMap ring = BpfMap.create(MapSpec.ringBuffer("levee_doctor_rb", 64 * 1024))) {
            return CheckResult.ok(
                    "created a 64 KiB ring buffer (map id " + ring.info().id() + ")");
        } catch (BpfException e) {
            return CheckResult.fail(e.getMessage(), "ring buffers need Linux ≥ 5.8");
        }
    }

    /** Not required: the lab sends floods with live frames where the kernel allows them, through AF_XDP otherwise. */
    static CheckResult liveFrames() {
        LiveFrames.Support support = LiveFrames.probe();
        return support.supported()
                ? CheckResult.ok("BPF_PROG_TEST_RUN sends XDP_TX frames: the lab's fastest flood generator can run")
                : CheckResult.note(support.describe() + "; Levee does not need them, and levee lab/demo use the socket"
                        + " (AF_XDP) generator instead");
    }

    /** Not required: the lab's socket generator sends through an AF_XDP socket. */
    static CheckResult xdpSockets() {
        try {
            XdpSocket.probe();
            return CheckResult.ok("the lab's socket flood generator can run");
        } catch (SyscallException e) {
            return CheckResult.note("this kernel has no AF_XDP sockets (" + e.errnoName()
                    + "); levee lab/demo need them where live frames are refused too");
        }
    }

    static CheckResult xdpTestRun() {
        try (Program program = Program.load(ProgramSpec.xdp("levee_doctor", xdpPass()))) {
            int verdict = program.testRun(TestRun.of(new byte[64])).returnValue();
            return verdict == XDP_PASS
                    ? CheckResult.ok("an XDP_PASS program returned " + verdict)
                    : CheckResult.fail("an XDP_PASS program returned " + verdict, "report this as a bug");
        } catch (BpfException e) {
            return CheckResult.fail(e.getMessage(), "BPF_PROG_TEST_RUN for XDP needs Linux ≥ 4.15 with XDP");
        }
    }

    /**
     * Loads and runs a program that uses cmpxchg and an atomic add on a stack slot: it passes only
     * when the kernel's verifier, JIT and test run all agree on their results.
     */
    static CheckResult atomics() {
        try (Program program = Program.load(ProgramSpec.xdp("levee_doctor", atomicsProgram()))) {
            int verdict = program.testRun(TestRun.of(new byte[64])).returnValue();
            return verdict == XDP_PASS
                    ? CheckResult.ok("cmpxchg and atomic add gave the expected values")
                    : CheckResult.fail("cmpxchg/atomic add computed wrong values", "report this as a bug");
        } catch (BpfException e) {
            return CheckResult.fail(e.getMessage(), "BPF atomics need Linux ≥ 5.12");
        }
    }

    static CheckResult xdpAttach() {
        try (NetnsLab lab = NetnsLab.create()) {
            String namespace = lab.addNamespace("doctor");
            VethPair veth = lab.addVeth(namespace, "192.0.2.1/30", namespace, "192.0.2.2/30");
            try (Program program = Program.load(ProgramSpec.xdp("levee_doctor", xdpPass()))) {
                LinkInfo info = Netns.run(namespace, () -> {
                    try (XdpLink link = XdpLink.attach(program, veth.interfaceA(), XdpMode.NATIVE)) {
                        return link.info();
                    }
                });
                return CheckResult.ok(
                        "attached to a veth in a throwaway namespace (link " + info.id() + "), then removed it");
            }
        } catch (BpfException e) {
            return CheckResult.fail(e.getMessage(), "native XDP on veth and bpf_link need Linux ≥ 5.9");
        } catch (Exception e) {
            return CheckResult.fail(
                    String.valueOf(e.getMessage()),
                    "network namespaces and veth need iproute2 (apt-get install iproute2) and root");
        }
    }

    static CheckResult libpcap() {
        try {
            return CheckResult.ok(Libpcap.version());
        } catch (RuntimeException | LinkageError e) {
            return CheckResult.fail(
                    Libpcap.SONAME + " cannot be loaded (" + e.getMessage() + ")", "apt-get install libpcap0.8");
        }
    }

    private static byte[] xdpPass() {
        return new Assembler()
                .emit(Instruction.mov64(R0, XDP_PASS), Instruction.exit())
                .assemble()
                .encode();
    }

    private static byte[] atomicsProgram() {
        return new Assembler()
                .emit(
                        Instruction.mov64(R1, 7),
                        Instruction.stxDW(R10, -8, R1),
                        Instruction.mov64(R0, 7), // expected old value
                        Instruction.mov64(R2, 42), // new value
                        Instruction.atomicCmpxchg(Size.DW, R10, -8, R2), // slot 7 → 42, r0 = 7
                        Instruction.mov64(R3, 1),
                        Instruction.atomicAdd(Size.DW, R10, -8, R3), // slot 42 → 43
                        Instruction.ldxDW(R1, R10, -8),
                        Instruction.add64(R1, R0)) // 43 + 7
                .jeqImm(R1, 50, "good")
                .emit(Instruction.mov64(R0, XDP_ABORTED), Instruction.exit())
                .label("good")
                .emit(Instruction.mov64(R0, XDP_PASS), Instruction.exit())
                .assemble()
                .encode();
    }
}
