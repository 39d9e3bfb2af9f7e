package org.levee.sflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.levee.sflow.SflowFormatException.Reason;
import org.levee.sflow.testing.Await;
import org.levee.sflow.testing.RandomDatagrams;
import org.levee.sflow.testing.UdpSender;

/**
 * Valid datagrams, mutated at random — bits flipped, cut short, spliced with another, length and
 * count fields set to 0, small, huge or 0xffffffff, bytes inserted and deleted — go through every
 * decoding path and through a running collector. Only {@link SflowFormatException} may come out,
 * its message must name a field and an offset inside the datagram, the three paths must agree,
 * and the collector must count exactly what the decoder refused, and keep running.
 */
class SflowMutationTest {
    static final Pattern MESSAGE = Pattern.compile(
            "^sFlow datagram byte (\\d+)(, sample \\d+( \\([^)]+\\))?(, record \\d+ \\([^)]+\\))?)?: field '[^']+' .+");
    private static final int INPUTS_PER_SEED = 4_000;

    @ParameterizedTest
    @ValueSource(longs = {0xBAD_5EEDL, 7, 2026})
    void mutatedDatagramsAreRefusedCleanlyAndCountedByTheCollector(long seed) throws Exception {
        Random random = new Random(seed);
        RandomDatagrams datagrams = new RandomDatagrams(seed);
        List<byte[]> inputs = new ArrayList<>();
        for (int i = 0; i < INPUTS_PER_SEED; i++) {
            byte[] valid = SflowEncoder.encode(datagrams.next());
            inputs.add(mutate(valid, random, () -> SflowEncoder.encode(datagrams.next())));
        }

        Map<Reason, Long> datagramReasons = new EnumMap<>(Reason.class);
        Map<Reason, Long> sampleReasons = new EnumMap<>(Reason.class);
        long ethernetHeaders = 0;
        int accepted = 0;
        SflowDecoder decoder = new SflowDecoder();
        for (int i = 0; i < inputs.size(); i++) {
            byte[] input = inputs.get(i);
            String which =
                    "seed " + seed + " input " + i + ": " + HexFormat.of().formatHex(input);
            Outcome strict = outcome(which, input, () -> SflowDecoder.decode(input), null);
            List<SflowFormatException> rejected = new ArrayList<>();
            Outcome lenient =
                    outcome(which, input, () -> SflowDecoder.decode(ByteBuffer.wrap(input), rejected::add), rejected);
            EthernetCounter counter = new EthernetCounter();
            Outcome visited = outcome(
                    which,
                    input,
                    () -> {
                        decoder.decode(ByteBuffer.wrap(input), counter);
                        return null;
                    },
                    counter.rejected);

            // The paths agree: the lenient ones refuse the same datagrams for the same reason ...
            assertThat(visited.datagramReason).as(which).isEqualTo(lenient.datagramReason);
            assertThat(counter.rejected.stream()
                            .map(SflowFormatException::getMessage)
                            .toList())
                    .as(which)
                    .isEqualTo(rejected.stream()
                            .map(SflowFormatException::getMessage)
                            .toList());
            // ... and the strict one accepts exactly what they accept without refusing any sample.
            boolean cleanlyAccepted = lenient.datagramReason == null && rejected.isEmpty();
            assertThat(strict.datagramReason == null).as(which).isEqualTo(cleanlyAccepted);
            if (cleanlyAccepted) {
                assertThat(strict.datagram).as(which).isEqualTo(lenient.datagram);
                // What decodes re-encodes to as many bytes, which decode the same (padding, which the
                // decoder does not read, is written as zeros).
                byte[] again = SflowEncoder.encode(strict.datagram);
                assertThat(again).as(which).hasSameSizeAs(input);
                assertThat(SflowDecoder.decode(again)).as(which).isEqualTo(strict.datagram);
                accepted++;
            }
            if (lenient.datagramReason != null) {
                datagramReasons.merge(lenient.datagramReason, 1L, Long::sum);
            } else {
                ethernetHeaders += counter.ethernet;
                for (SflowFormatException e : rejected) {
                    sampleReasons.merge(e.reason(), 1L, Long::sum);
                }
            }
        }
        assertThat(inputs.size() - accepted)
                .as("most mutations break something")
                .isGreaterThan(inputs.size() / 2);
        assertThat(datagramReasons.keySet())
                .as("mutations reach every datagram-level reason")
                .contains(
                        Reason.TRUNCATED,
                        Reason.BAD_VERSION,
                        Reason.BAD_ADDRESS_TYPE,
                        Reason.LENGTH_PAST_END,
                        Reason.COUNT_PAST_END,
                        Reason.TRAILING_BYTES);
        assertThat(sampleReasons.keySet())
                .as("mutations reach sample-level reasons")
                .contains(Reason.TRUNCATED, Reason.LENGTH_PAST_SAMPLE, Reason.COUNT_PAST_END, Reason.TRAILING_BYTES);

        AtomicLong consumed = new AtomicLong();
        try (SflowCollector collector = SflowCollector.start(
                        SflowCollectorTest.LOOPBACK_ANY_PORT, h -> consumed.addAndGet(h.headerLength() >= 0 ? 1 : 0));
                UdpSender agent = new UdpSender(collector.localAddress())) {
            for (int i = 0; i < inputs.size(); i++) {
                agent.send(inputs.get(i));
                if (i % 200 == 199 || i == inputs.size() - 1) {
                    // Paced so that the socket's buffer never overflows: every datagram is received.
                    int sent = i + 1;
                    Await.until(
                            () -> collector.stats().datagramsReceived() == sent,
                            Duration.ofSeconds(10),
                            () -> sent + " datagrams received: " + collector.stats());
                }
            }
            SflowCollector.Stats stats = collector.stats();
            assertThat(collector.isRunning()).isTrue();
            assertThat(stats.receiveErrors()).isZero();
            assertThat(stats.datagramsRejected()).isEqualTo(datagramReasons);
            assertThat(stats.samplesRejected()).isEqualTo(sampleReasons);
            assertThat(stats.datagramsDecoded() + stats.datagramsRejectedTotal())
                    .isEqualTo(inputs.size());
            assertThat(stats.packetSamples()).isEqualTo(ethernetHeaders).isEqualTo(consumed.get());
        }
    }

    /** Counts what the collector would deliver: raw headers of protocol Ethernet. */
    private static final class EthernetCounter implements SflowVisitor {
        final List<SflowFormatException> rejected = new ArrayList<>();
        long ethernet;

        @Override
        public void rawPacketHeader(RawPacketHeaderView header) {
            if (header.headerProtocol() == SflowFormats.HEADER_PROTOCOL_ETHERNET) {
                ethernet++;
                assertThat(header.headerOffset() + header.headerLength())
                        .isLessThanOrEqualTo(header.buffer().limit());
            }
        }

        @Override
        public void sampleRejected(DatagramView datagram, SflowFormatException problem) {
            rejected.add(problem);
        }
    }

    private record Outcome(SflowDatagram datagram, Reason datagramReason) {}

    private interface Decoding {
        SflowDatagram decode() throws SflowFormatException;
    }

    /** Runs one decoding: only SflowFormatException may escape, with a message naming a field and an offset. */
    private static Outcome outcome(String which, byte[] input, Decoding decoding, List<SflowFormatException> rejected) {
        try {
            SflowDatagram datagram = decoding.decode();
            if (rejected != null) {
                rejected.forEach(e -> checkMessage(which, input, e));
            }
            return new Outcome(datagram, null);
        } catch (SflowFormatException e) {
            checkMessage(which, input, e);
            return new Outcome(null, e.reason());
        } catch (Throwable t) {
            return fail("only SflowFormatException may escape, got " + t + " for " + which, t);
        }
    }

    private static void checkMessage(String which, byte[] input, SflowFormatException e) {
        var matcher = MESSAGE.matcher(e.getMessage());
        assertThat(matcher.matches())
                .as("message '%s' for %s", e.getMessage(), which)
                .isTrue();
        assertThat(Integer.parseInt(matcher.group(1))).isEqualTo(e.offset());
        assertThat(e.offset()).as(which).isBetween(0, input.length);
        assertThat(e.field()).isNotBlank();
    }

    private interface Source {
        byte[] next();
    }

    /** One to three mutations of {@code valid}. */
    static byte[] mutate(byte[] valid, Random random, Source others) {
        byte[] bytes = valid;
        int rounds = 1 + (random.nextInt(4) == 0 ? 1 + random.nextInt(2) : 0);
        for (int round = 0; round < rounds; round++) {
            bytes = switch (random.nextInt(6)) {
                case 0 -> flipBits(bytes, random);
                case 1 -> Arrays.copyOf(bytes, random.nextInt(bytes.length + 1));
                case 2 -> splice(bytes, others.next(), random);
                case 3, 4 -> setWord(bytes, random);
                default -> insertOrDelete(bytes, random);
            };
        }
        return bytes;
    }

    private static byte[] flipBits(byte[] bytes, Random random) {
        byte[] copy = bytes.clone();
        int flips = 1 + random.nextInt(8);
        for (int i = 0; i < flips && copy.length > 0; i++) {
            copy[random.nextInt(copy.length)] ^= (byte) (1 << random.nextInt(8));
        }
        return copy;
    }

    private static byte[] splice(byte[] first, byte[] second, Random random) {
        int head = random.nextInt(first.length + 1);
        int tail = random.nextInt(second.length + 1);
        byte[] spliced = Arrays.copyOf(first, head + second.length - tail);
        System.arraycopy(second, tail, spliced, head, second.length - tail);
        return spliced;
    }

    /** A 4-byte-aligned word — most are lengths, counts or formats — set to a value that lies. */
    private static byte[] setWord(byte[] bytes, Random random) {
        if (bytes.length < 4) {
            return bytes;
        }
        byte[] copy = bytes.clone();
        int at = 4 * random.nextInt(copy.length / 4);
        int[] lies = {
            0,
            1,
            3,
            4,
            7,
            8,
            88,
            0x7fff_ffff,
            0x8000_0000,
            0xffff_ffff,
            0xffff_fffc,
            copy.length,
            copy.length - at,
            copy.length + 4,
            random.nextInt()
        };
        ByteBuffer.wrap(copy).putInt(at, lies[random.nextInt(lies.length)]);
        return copy;
    }

    private static byte[] insertOrDelete(byte[] bytes, Random random) {
        int at = random.nextInt(bytes.length + 1);
        int count = 1 + random.nextInt(8);
        if (random.nextBoolean() || at + count > bytes.length) {
            byte[] grown = new byte[bytes.length + count];
            System.arraycopy(bytes, 0, grown, 0, at);
            for (int i = 0; i < count; i++) {
                grown[at + i] = (byte) random.nextInt();
            }
            System.arraycopy(bytes, at, grown, at + count, bytes.length - at);
            return grown;
        }
        byte[] shrunk = new byte[bytes.length - count];
        System.arraycopy(bytes, 0, shrunk, 0, at);
        System.arraycopy(bytes, at + count, shrunk, at, bytes.length - at - count);
        return shrunk;
    }
}
