package org.levee.notify;

/**
 * How one notification fared at one sink.
 *
 * @param delivered true when the sink took it (a command's exit code 0, a 2xx answer)
 * @param attempts how many times it was tried
 * @param detail what happened last, in words (an exit code and the output's end, an HTTP status)
 */
public record Delivery(boolean delivered, int attempts, String detail) {

    static Delivery delivered(int attempts, String detail) {
        return new Delivery(true, attempts, detail);
    }

    static Delivery failed(int attempts, String detail) {
        return new Delivery(false, attempts, detail);
    }
}
