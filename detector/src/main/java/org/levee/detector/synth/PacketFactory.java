package org.levee.detector.synth;

import java.util.SplittableRandom;

/** Makes one packet (an Ethernet frame) of some kind of traffic, drawing its variation from {@code random}. */
@FunctionalInterface
public interface PacketFactory {
    byte[] next(SplittableRandom random);
}
