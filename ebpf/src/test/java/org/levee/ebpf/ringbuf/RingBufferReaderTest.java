package org.levee.ebpf.ringbuf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.levee.ebpf.BpfMap;
import org.levee.ebpf.MapSpec;
import org.levee.ebpf.Program;
import org.levee.ebpf.ProgramSpec;
import org.levee.ebpf.TestPrograms;
import org.levee.ebpf.TestRun;
import org.levee.testing.Requirements;

@Tag("kernel")
class RingBufferReaderTest {
    private static final int RING_BYTES = 4096;
    private static final int RECORD_BYTES =
            16 + 8; // payload + header: does not divide the ring, so records straddle its end

    @BeforeEach
    void needsRoot() {
        Requirements.root();
    }

    /**
     * The program writes {n, 3n} for every run n and discards the records of multiples of 3.
     * Seven rounds of 150 runs push 25 200 bytes through a 4096-byte ring: it wraps six times,
     * with records split across its end; every submitted record must arrive once, in order.
     */
    @Test
    void everySubmittedRecordArrivesInOrderAcrossWrapArounds() {
        try (BpfMap counter = BpfMap.create(MapSpec.array("cnt", 8, 1));
                BpfMap ring = BpfMap.create(MapSpec.ringBuffer("ring", RING_BYTES));
                Program program = Program.load(
                        ProgramSpec.xdp("ringer", TestPrograms.countIntoRingBuffer(counter.fd(), ring.fd())));
                RingBufferReader reader = RingBufferReader.open(ring)) {
            assertThat(reader.capacity()).isEqualTo(RING_BYTES);
            int runsPerRound = RING_BYTES / RECORD_BYTES - 20;
            List<long[]> received = new ArrayList<>();
            long expectedPending = 0;
            for (int round = 0; round < 7; round++) {
                program.testRun(TestRun.of(TestPrograms.udpFrame()).withRepeat(runsPerRound));
                expectedPending = (long) runsPerRound * RECORD_BYTES;
                assertThat(reader.pendingBytes()).isEqualTo(expectedPending);
                reader.poll(
                        Duration.ofSeconds(2),
                        r -> received.add(new long[] {
                            r.get(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, 0),
                            r.get(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, 8)
                        }));
                assertThat(reader.pendingBytes()).isZero();
            }
            int runs = 7 * runsPerRound;
            assertThat(counter.getLong(0)).contains((long) runs);
            List<Long> expected = new ArrayList<>();
            for (long n = 1; n <= runs; n++) {
                if (n % 3 != 0) {
                    expected.add(n);
                }
            }
            assertThat(received.stream().map(r -> r[0]).toList()).isEqualTo(expected);
            assertThat(received).allSatisfy(r -> assertThat(r[1]).isEqualTo(3 * r[0]));
        }
    }

    /**
     * A reader racing the producer: records may be lost when the ring is full (the program then
     * skips them), but what arrives is intact and strictly in order.
     */
    @Test
    void aConcurrentReaderSeesIntactRecordsInOrder() throws Exception {
        try (BpfMap counter = BpfMap.create(MapSpec.array("cnt", 8, 1));
                BpfMap ring = BpfMap.create(MapSpec.ringBuffer("ring", RING_BYTES));
                Program program = Program.load(
                        ProgramSpec.xdp("ringer", TestPrograms.countIntoRingBuffer(counter.fd(), ring.fd())));
                RingBufferReader reader = RingBufferReader.open(ring)) {
            int rounds = 30;
            CompletableFuture<Void> producer = CompletableFuture.runAsync(() -> {
                for (int i = 0; i < rounds; i++) {
                    program.testRun(TestRun.of(TestPrograms.udpFrame()).withRepeat(100));
                }
            });
            List<long[]> received = new ArrayList<>();
            RecordHandler collect = r -> received.add(new long[] {
                r.get(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, 0),
                r.get(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, 8)
            });
            while (!producer.isDone()) {
                reader.poll(Duration.ofMillis(50), collect);
            }
            producer.get();
            reader.drain(collect);
            assertThat(counter.getLong(0)).contains(rounds * 100L);
            assertThat(received).isNotEmpty().allSatisfy(r -> {
                assertThat(r[0] % 3).isNotZero();
                assertThat(r[1]).isEqualTo(3 * r[0]);
            });
            for (int i = 1; i < received.size(); i++) {
                assertThat(received.get(i)[0]).isGreaterThan(received.get(i - 1)[0]);
            }
            assertThat(reader.pendingBytes()).isZero();
        }
    }

    @Test
    void pollWaitsForRecordsProducedLater() throws Exception {
        try (BpfMap counter = BpfMap.create(MapSpec.array("cnt", 8, 1));
                BpfMap ring = BpfMap.create(MapSpec.ringBuffer("ring", RING_BYTES));
                Program program = Program.load(
                        ProgramSpec.xdp("ringer", TestPrograms.countIntoRingBuffer(counter.fd(), ring.fd())));
                RingBufferReader reader = RingBufferReader.open(ring)) {
            long start = System.nanoTime();
            assertThat(reader.read(Duration.ofMillis(100))).isEmpty();
            assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(90));

            CompletableFuture<List<byte[]>> waiting =
                    CompletableFuture.supplyAsync(() -> reader.read(Duration.ofSeconds(10)));
            Thread.sleep(100);
            program.testRun(TestRun.of(TestPrograms.udpFrame())); // n = 1: submitted
            List<byte[]> records = waiting.get(10, TimeUnit.SECONDS);
            assertThat(records).hasSize(1);
            assertThat(ByteBuffer.wrap(records.getFirst())
                            .order(ByteOrder.nativeOrder())
                            .getLong())
                    .isEqualTo(1);
        }
    }

    @Test
    void onlyRingBuffersCanBeRead() {
        try (BpfMap array = BpfMap.create(MapSpec.array("arr", 8, 1))) {
            assertThatThrownBy(() -> RingBufferReader.open(array))
                    .hasMessageContaining("array map 'arr' is not a ring buffer");
        }
    }

    @Test
    void aClosedReaderRefusesToRead() {
        try (BpfMap ring = BpfMap.create(MapSpec.ringBuffer("ring", RING_BYTES))) {
            RingBufferReader reader = RingBufferReader.open(ring);
            reader.close();
            reader.close();
            assertThatThrownBy(() -> reader.drain(r -> {})).hasMessageContaining("closed");
        }
    }
}
