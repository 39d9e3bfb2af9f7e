package org.levee.lab;

/**
 * Legitimate requests sent in some time window, how many of them the server received
 * (delivered) and how many of those the client got an answer for (answered).
 */
public record DeliveryCounts(long sent, long delivered, long answered) {
    public DeliveryCounts {
        if (sent < 0 || delivered < 0 || answered < 0 || delivered > sent || answered > delivered) {
            throw new IllegalArgumentException("inconsistent delivery counts: sent " + sent + ", delivered " + delivered
                    + ", answered " + answered);
        }
    }

    /** Requests that never reached the server. */
    public long lost() {
        return sent - delivered;
    }

    /** Share of the sent requests that were lost, 0 when none were sent. */
    public double lossRatio() {
        return sent == 0 ? 0 : (double) lost() / sent;
    }

    public DeliveryCounts plus(DeliveryCounts other) {
        return new DeliveryCounts(sent + other.sent, delivered + other.delivered, answered + other.answered);
    }
}
