package org.levee.bench;

import static org.levee.ebpf.asm.Instruction.*;
import static org.levee.ebpf.asm.Register.*;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.levee.ebpf.BpfMap;
import org.levee.ebpf.LiveFrames;
import org.levee.ebpf.MapSpec;
import org.levee.ebpf.Program;
import org.levee.ebpf.ProgramSpec;
import org.levee.ebpf.XdpAction;
import org.levee.ebpf.XdpLink;
import org.levee.ebpf.XdpMode;
import org.levee.ebpf.asm.Assembler;
import org.levee.ebpf.asm.Helper;
import org.levee.ebpf.netns.Netns;
import org.levee.lab.DemoLab;
import org.levee.lab.EdgeCounter;
import org.levee.lab.FloodGenerator;
import org.levee.lab.FloodKind;
import org.levee.lab.FloodPath;
import org.levee.lab.GeneratorKind;
import org.levee.lab.MacAddress;
import org.levee.lab.Subnet24;
import org.levee.netns.NetnsLab;
import org.levee.netns.VethPair;

/**
 * {@code levee bench generator}: how fast each flood generator sends 64-byte UDP frames here, as
 * fast as it can, unpinned and pinned to each CPU, on two paths: straight into a veth pair whose
 * far end drops everything in native XDP (the sink counts what arrives), and through the demo
 * lab's router hop into its edge. For each run: frames offered and arrived per second, the CPU
 * time all CPUs spent meanwhile (from /proc/stat: everything but idle and iowait), packets per
 * busy CPU-second, and the ratio to the first row (the socket generator, unpinned, into the veth
 * pair), the baseline measured in the same run.
 */
public final class GeneratorBenchmark {
    private static final Path PROC_STAT = Path.of("/proc/stat");

    private GeneratorBenchmark() {}

    /**
     * One measurement.
     *
     * @param cpu the CPU the sender was pinned to, or −1
     * @param busyCpus CPU-seconds used per second by all CPUs together (0..number of CPUs)
     * @param refusal why the generator could not run here, or empty
     */
    public record Row(
            GeneratorKind generator,
            String path,
            int cpu,
            double offeredPps,
            double arrivedPps,
            double busyCpus,
            String refusal) {
        public double ppsPerBusyCpu() {
            return busyCpus > 0 ? offeredPps / busyCpus : 0;
        }
    }

    /** Runs every generator × path × placement for {@code seconds} each, handing each row to {@code report}. */
    public static List<Row> run(double seconds, Consumer<Row> report) throws Exception {
        int cpus = Runtime.getRuntime().availableProcessors();
        List<Integer> placements = new ArrayList<>(List.of(-1));
        for (int c = 0; c < cpus; c++) {
            placements.add(c);
        }
        List<Row> rows = new ArrayList<>();
        for (GeneratorKind generator : List.of(GeneratorKind.SOCKET, GeneratorKind.LIVE)) {
            if (generator == GeneratorKind.LIVE && !LiveFrames.support().supported()) {
                Row refused = new Row(
                        generator, "-", -1, 0, 0, 0, LiveFrames.support().describe());
                rows.add(refused);
                report.accept(refused);
                continue;
            }
            try (VethSink sink = VethSink.create()) {
                for (int cpu : placements) {
                    Row row = measure(generator, sink.path(), "veth pair", sink::arrived, cpu, seconds);
                    rows.add(row);
                    report.accept(row);
                }
            }
            try (DemoLab lab = DemoLab.create();
                    EdgeCounter edge = EdgeCounter.attach(lab, true)) {
                for (int cpu : placements) {
                    Row row = measure(generator, lab.floodPath(), "lab router hop", edge::attackFrames, cpu, seconds);
                    rows.add(row);
                    report.accept(row);
                }
            }
        }
        return rows;
    }

    private static Row measure(
            GeneratorKind kind,
            FloodPath path,
            String pathName,
            java.util.function.LongSupplier arrived,
            int cpu,
            double seconds)
            throws Exception {
        try (FloodGenerator generator = FloodGenerator.open(kind, path, FloodKind.UDP_RANDOM_PORTS)) {
            generator.pinTo(cpu);
            long arrivedBefore = arrived.getAsLong();
            long[] cpuBefore = cpuTicks();
            long start = System.nanoTime();
            generator.start(0);
            Thread.sleep((long) (seconds * 1000));
            generator.stop();
            double elapsed = (System.nanoTime() - start) / 1e9;
            long[] cpuAfter = cpuTicks();
            Thread.sleep(100); // frames in flight
            double busy = (cpuAfter[0] - cpuBefore[0]) / (double) ticksPerSecond() / elapsed;
            return new Row(
                    kind,
                    pathName,
                    cpu,
                    generator.offered() / elapsed,
                    (arrived.getAsLong() - arrivedBefore) / elapsed,
                    busy,
                    "");
        }
    }

    /** {busy, total} jiffies of all CPUs: busy is everything but idle and iowait. */
    static long[] cpuTicks() {
        try {
            String first = Files.readAllLines(PROC_STAT).getFirst();
            long[] v = Arrays.stream(first.substring(3).trim().split("\\s+"))
                    .mapToLong(Long::parseLong)
                    .toArray();
            long total = 0;
            for (int i = 0; i < Math.min(8, v.length); i++) { // user nice system idle iowait irq softirq steal
                total += v[i];
            }
            return new long[] {total - v[3] - v[4], total};
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + PROC_STAT, e);
        }
    }

    /** USER_HZ: 100 on every Linux architecture Levee runs on. */
    private static long ticksPerSecond() {
        return 100;
    }

    /** A veth pair whose far end drops and counts everything in native XDP. */
    private static final class VethSink implements AutoCloseable {
        private final NetnsLab lab;
        private final BpfMap counter;
        private final Program program;
        private final XdpLink link;
        private final FloodPath path;

        private VethSink(NetnsLab lab, BpfMap counter, Program program, XdpLink link, FloodPath path) {
            this.lab = lab;
            this.counter = counter;
            this.program = program;
            this.link = link;
            this.path = path;
        }

        static VethSink create() throws Exception {
            NetnsLab lab = NetnsLab.create();
            BpfMap counter = null;
            Program program = null;
            try {
                String sender = lab.addNamespace("gen");
                String sink = lab.addNamespace("sink");
                VethPair pair = lab.addVeth(sender, "198.18.0.1/24", sink, "198.18.0.2/24");
                counter = BpfMap.create(MapSpec.perCpuArray("sink_count", 8, 1));
                program = Program.load(ProgramSpec.xdp("bench_sink", countAndDrop(counter.fd())));
                Program loaded = program;
                XdpLink link = Netns.run(sink, () -> XdpLink.attach(loaded, pair.interfaceB(), XdpMode.NATIVE));
                FloodPath path = new FloodPath(
                        sender,
                        pair.interfaceA(),
                        mac(sender, pair.interfaceA()),
                        mac(sink, pair.interfaceB()),
                        (Inet4Address) InetAddress.getByName("198.18.0.2"),
                        List.of(Subnet24.parse("198.18.0.0/24")));
                return new VethSink(lab, counter, program, link, path);
            } catch (Exception e) {
                if (program != null) {
                    program.close();
                }
                if (counter != null) {
                    counter.close();
                }
                lab.close();
                throw e;
            }
        }

        FloodPath path() {
            return path;
        }

        long arrived() {
            return Arrays.stream(counter.perCpuLongs(0)).sum();
        }

        private static byte[] countAndDrop(int counterFd) {
            return new Assembler()
                    .emit(
                            st(org.levee.ebpf.asm.Size.W, R10, -4, 0),
                            mov64(R2, R10),
                            add64(R2, -4),
                            ldMapFd(R1, counterFd),
                            call(Helper.MAP_LOOKUP_ELEM))
                    .jeqImm(R0, 0, "out")
                    .emit(ldxDW(R1, R0, 0), add64(R1, 1), stxDW(R0, 0, R1)) // per-CPU: no atomics needed
                    .label("out")
                    .emit(mov64(R0, XdpAction.DROP.code()), exit())
                    .assemble()
                    .encode();
        }

        private static MacAddress mac(String namespace, String device) throws Exception {
            return Netns.run(
                    namespace,
                    () -> MacAddress.of(NetworkInterface.getByName(device).getHardwareAddress()));
        }

        @Override
        public void close() {
            try {
                link.close();
                program.close();
                counter.close();
            } finally {
                lab.close();
            }
        }
    }
}
