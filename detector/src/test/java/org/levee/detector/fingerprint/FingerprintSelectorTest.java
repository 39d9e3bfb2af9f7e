package org.levee.detector.fingerprint;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.levee.detector.sample.DecodedPacket;
import org.levee.detector.sample.SampleDecoder;
import org.levee.detector.sample.TrafficClass;
import org.levee.detector.synth.PacketFactory;
import org.levee.detector.synth.Traffic;
import org.levee.rules.IpAddress;

class FingerprintSelectorTest {

    static final IpAddress VICTIM = IpAddress.parse("203.0.113.10");
    static final FingerprintSelector SELECTOR = new FingerprintSelector(0.95, 0.01);

    static LongStream seeds() {
        return LongStream.range(1, 11);
    }

    private static List<DecodedPacket> packets(PacketFactory f, int n, SplittableRandom r) {
        List<DecodedPacket> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] frame = f.next(r);
            out.add(SampleDecoder.decode(frame, frame.length));
        }
        return out;
    }

    private static AttackSamples attack(List<DecodedPacket> packets, long seed) {
        AttackSamples a = new AttackSamples(16, 512, seed);
        packets.forEach(a::offer);
        return a;
    }

    private static List<DecodedPacket> normal(SplittableRandom r) {
        List<DecodedPacket> history = new ArrayList<>(packets(Traffic.webClients(VICTIM), 50, r));
        history.addAll(packets(Traffic.resolverResponses(VICTIM), 14, r));
        return history;
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void aSynFloodIsKeyedOnItsToolsFixedFieldsAndNeverOnSpreadOnes(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<DecodedPacket> flood = packets(Traffic.synFlood(VICTIM), 300, r);
        Selection s = SELECTOR.select(attack(flood, seed), TrafficClass.TCP_SYN, 4, normal(r), 0);

        assertThat(s.fingerprint()).isNotNull();
        assertThat(s.fingerprint().values())
                .containsEntry(Field.TTL, 54)
                .containsEntry(Field.TCP_WINDOW, 1024)
                .containsEntry(Field.IP_LENGTH, 44)
                .containsEntry(Field.DESTINATION_PORT, 443)
                .doesNotContainKeys(Field.SOURCE_PORT, Field.IP_ID);
        assertThat(s.coverage()).isEqualTo(1.0);
        assertThat(s.baselineMatch()).isZero();
        assertThat(s.rejected())
                .extracting(Selection.Rejected::candidate)
                .anySatisfy(c -> assertThat(c).startsWith("source_port="))
                .anySatisfy(c -> assertThat(c).startsWith("ip_id="));
        assertThat(flood).allMatch(s.fingerprint()::matches);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void randomSubdomainsAreKeyedOnTheirParentDomain(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        IpAddress server = IpAddress.parse("203.0.113.53");
        List<DecodedPacket> flood = packets(Traffic.randomSubdomain(server, "store.example.net"), 300, r);
        List<DecodedPacket> history = packets(Traffic.dnsQueries(server), 64, r);
        Selection s = SELECTOR.select(attack(flood, seed), TrafficClass.UDP, 4, history, 0);

        assertThat(s.fingerprint().values())
                .containsEntry(Field.DNS_PARENT, "store.example.net")
                .containsEntry(Field.DESTINATION_PORT, 53)
                .doesNotContainKey(Field.DNS_NAME);
        assertThat(s.rejected())
                .extracting(Selection.Rejected::candidate)
                .anySatisfy(c -> assertThat(c).startsWith("dns_name="));
    }

    @Test
    void theExpectedLegitimateSamplesAreDiscountedFromCoverage() {
        SplittableRandom r = new SplittableRandom(3);
        List<DecodedPacket> mixed = new ArrayList<>(packets(Traffic.udpFlood(VICTIM), 184, r));
        mixed.addAll(packets(Traffic.resolverResponses(VICTIM), 16, r)); // 8% normal traffic
        List<DecodedPacket> history = normal(r);

        Selection blind = SELECTOR.select(attack(mixed, 1), TrafficClass.UDP, 4, history, 0);
        assertThat(blind.fingerprint())
                .as("92%% is not 95%%: %s", blind.rejected())
                .isNull();
        Selection discounted = SELECTOR.select(attack(mixed, 1), TrafficClass.UDP, 4, history, 16);
        assertThat(discounted.fingerprint().values())
                .containsEntry(Field.TTL, 47)
                .containsEntry(Field.IP_LENGTH, 540);
    }

    @Test
    void aFingerprintThatMatchesNormalTrafficGivesWayToNone() {
        SplittableRandom r = new SplittableRandom(4);
        List<DecodedPacket> history = new ArrayList<>(normal(r));
        // The "attack" is the destination's own DNS answers.
        List<DecodedPacket> answers = packets(Traffic.resolverResponses(VICTIM), 200, r);
        history.addAll(packets(Traffic.resolverResponses(VICTIM), 20, r));
        Selection s = SELECTOR.select(attack(answers, 2), TrafficClass.UDP, 4, history, 0);
        assertThat(s.fingerprint()).isNull();
        assertThat(s.rejected())
                .last()
                .satisfies(last -> assertThat(last.reason()).contains("pre-attack samples"));
    }

    @Test
    void theSameSamplesGiveTheSameSelection() {
        SplittableRandom r = new SplittableRandom(5);
        List<DecodedPacket> flood = packets(Traffic.dnsAmplification(VICTIM), 2000, r);
        List<DecodedPacket> history = normal(r);
        Selection a = SELECTOR.select(attack(flood, 9), TrafficClass.UDP, 4, history, 0);
        Selection b = SELECTOR.select(attack(flood, 9), TrafficClass.UDP, 4, history, 0);
        assertThat(a).isEqualTo(b);
        assertThat(a.fingerprint().values())
                .containsEntry(Field.SOURCE_PORT, 53)
                .containsEntry(Field.DNS_NAME, "amp.example.org");
    }
}
