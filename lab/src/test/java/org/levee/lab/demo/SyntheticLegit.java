package org.levee.lab.demo;

import java.util.SplittableRandom;
import org.levee.lab.DeliveryLog;

/**
 * Legitimate traffic made up for tests: a {@link DeliveryLog} filled with requests at random
 * send times, each delivered (and answered) or lost with a probability that depends on when it
 * was sent, plus the truth to check the demo's sums against.
 */
final class SyntheticLegit {
    final DeliveryLog log = new DeliveryLog();
    final long[] sentAt;
    final boolean[] delivered;

    /** How likely a request sent at {@code nanos} is to be lost. */
    interface LossModel {
        double lossProbability(long nanos);
    }

    SyntheticLegit(SplittableRandom r, long startNanos, long endNanos, int requests, LossModel loss) {
        sentAt = new long[requests];
        delivered = new boolean[requests];
        long step = (endNanos - startNanos) / requests;
        long t = startNanos;
        for (int i = 0; i < requests; i++) {
            t += 1 + r.nextLong(2 * step);
            sentAt[i] = t;
            int sequence = log.sent(t);
            if (r.nextDouble() >= loss.lossProbability(t)) {
                log.delivered(sequence);
                log.answered(sequence);
                delivered[i] = true;
            }
        }
    }

    /** Requests sent in [from, to) and how many of them were lost, counted one by one. */
    long[] sentAndLost(long fromNanos, long toNanos) {
        long sent = 0;
        long lost = 0;
        for (int i = 0; i < sentAt.length; i++) {
            if (sentAt[i] >= fromNanos && sentAt[i] < toNanos) {
                sent++;
                lost += delivered[i] ? 0 : 1;
            }
        }
        return new long[] {sent, lost};
    }
}
