package org.levee.detector.rule;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.levee.detector.synth.FrameBuilder;
import org.levee.detector.synth.PacketFactory;
import org.levee.detector.synth.Traffic;
import org.levee.rules.IpAddress;

/** Frames of every kind the synthesiser makes, to two destinations per IP version, some VLAN-tagged. */
final class FilterCorpus {

    static final IpAddress V4 = IpAddress.parse("203.0.113.10");
    static final IpAddress V4_NEIGHBOUR = IpAddress.parse("203.0.113.77");
    static final IpAddress V6 = IpAddress.parse("2001:db8:ffff::10");
    static final IpAddress V6_NEIGHBOUR = IpAddress.parse("2001:db8:ffff::77");

    private FilterCorpus() {}

    static List<byte[]> frames(SplittableRandom r, int perKind) {
        List<PacketFactory> kinds = new ArrayList<>();
        for (IpAddress d : List.of(V4, V4_NEIGHBOUR, V6, V6_NEIGHBOUR)) {
            kinds.addAll(List.of(
                    Traffic.webClients(d),
                    Traffic.resolverResponses(d),
                    Traffic.ntpResponses(d),
                    Traffic.dnsQueries(d),
                    Traffic.synFlood(d),
                    Traffic.dnsAmplification(d),
                    Traffic.memcachedAmplification(d),
                    Traffic.randomSubdomain(d, "store.example.net"),
                    Traffic.udpFlood(d),
                    Traffic.ackFlood(d)));
            kinds.add(x -> new FrameBuilder()
                    .addresses(Traffic.randomSource(x, d.version()), d)
                    .ttl(x.nextInt(256))
                    .icmp(8, 0, new byte[x.nextInt(64)])
                    .build());
            kinds.add(x -> new FrameBuilder()
                    .addresses(Traffic.randomSource(x, d.version()), d)
                    .ttl(50)
                    .ipId(x.nextInt(65536))
                    .fragment(1 + x.nextInt(180), x.nextBoolean())
                    .raw(17, new byte[8 * x.nextInt(100)])
                    .build());
            kinds.add(x -> new FrameBuilder()
                    .addresses(Traffic.randomSource(x, d.version()), d)
                    .ttl(50)
                    .raw(47, new byte[x.nextInt(100)])
                    .build());
        }
        kinds.add(Traffic.carpetBombing(IpAddress.parse("203.0.113.0")));
        List<byte[]> frames = new ArrayList<>();
        for (PacketFactory kind : kinds) {
            for (int i = 0; i < perKind; i++) {
                byte[] frame = kind.next(r);
                frames.add(r.nextInt(4) == 0 ? withVlan(frame, r.nextInt(4096)) : frame);
            }
        }
        return frames;
    }

    static byte[] withVlan(byte[] frame, int id) {
        byte[] tagged = new byte[frame.length + 4];
        System.arraycopy(frame, 0, tagged, 0, 12);
        tagged[12] = (byte) 0x81;
        tagged[14] = (byte) (id >>> 8);
        tagged[15] = (byte) id;
        System.arraycopy(frame, 12, tagged, 16, frame.length - 12);
        return tagged;
    }
}
