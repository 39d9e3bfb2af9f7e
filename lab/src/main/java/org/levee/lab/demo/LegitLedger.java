package org.levee.lab.demo;

import org.levee.lab.DeliveryCounts;
import org.levee.lab.DeliveryLog;
import org.levee.lab.LegitTraffic;

/**
 * Where the demo reads the legitimate requests' fate: counts by send time, over a window or
 * over everything so far. The lab's {@link LegitTraffic} (UDP and TCP together) in a run, a
 * {@link DeliveryLog} filled by hand in tests.
 */
public interface LegitLedger {
    /** Requests sent in [{@code fromNanos}, {@code toNanos}) ({@link System#nanoTime()} values). */
    DeliveryCounts window(long fromNanos, long toNanos);

    /** Every request sent so far. */
    DeliveryCounts total();

    static LegitLedger of(LegitTraffic traffic) {
        return new LegitLedger() {
            @Override
            public DeliveryCounts window(long fromNanos, long toNanos) {
                return traffic.window(fromNanos, toNanos);
            }

            @Override
            public DeliveryCounts total() {
                return traffic.total();
            }
        };
    }

    static LegitLedger of(DeliveryLog log) {
        return new LegitLedger() {
            @Override
            public DeliveryCounts window(long fromNanos, long toNanos) {
                return log.window(fromNanos, toNanos);
            }

            @Override
            public DeliveryCounts total() {
                return log.total();
            }
        };
    }
}
