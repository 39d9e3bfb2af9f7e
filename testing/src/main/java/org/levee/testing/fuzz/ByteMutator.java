package org.levee.testing.fuzz;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Mutations of binary inputs that have found bugs in parsers of files and datagrams: bit flips,
 * bytes and words overwritten with values that lie (0, 1, the {@code 0x7f…}/{@code 0x80…}/{@code 0xff…}
 * extremes, the input's own length, off-by-one of what was there), in either byte order, at
 * aligned and unaligned offsets — most length and count fields are such words — small arithmetic on a
 * byte or word, truncation, splicing of two inputs, insertion, deletion and repetition of ranges.
 * Inputs never grow beyond {@code maxLength}.
 */
public final class ByteMutator implements Mutator<byte[]> {
    /** The default cap on a mutated input's length. */
    public static final int DEFAULT_MAX_LENGTH = 1 << 20;

    private static final byte[] INTERESTING_BYTES = {
        0, 1, 2, 4, 8, 16, 32, 64, 0x7f, (byte) 0x80, (byte) 0xfe, (byte) 0xff
    };

    private final int maxLength;

    public ByteMutator() {
        this(DEFAULT_MAX_LENGTH);
    }

    public ByteMutator(int maxLength) {
        if (maxLength < 1) {
            throw new IllegalArgumentException("maxLength must be positive, got " + maxLength);
        }
        this.maxLength = maxLength;
    }

    @Override
    public byte[] mutate(byte[] input, byte[] other, SplittableRandom random) {
        byte[] out = switch (random.nextInt(16)) {
            case 0, 1 -> flipBits(input, random);
            case 2 -> setBytes(input, random);
            case 3, 4, 5 -> setWord(input, random, true);
            case 6 -> setWord(input, random, false);
            case 7 -> arithmetic(input, random);
            case 8 -> truncate(input, random);
            case 9, 10 -> splice(input, other, random);
            case 11 -> insert(input, other, random);
            case 12, 13 -> delete(input, random);
            case 14 -> repeat(input, random);
            default -> copyRange(input, other, random);
        };
        return out.length > maxLength ? Arrays.copyOf(out, maxLength) : out;
    }

    static byte[] flipBits(byte[] input, SplittableRandom random) {
        if (input.length == 0) {
            return input;
        }
        byte[] out = input.clone();
        for (int n = 1 + random.nextInt(8); n > 0; n--) {
            out[random.nextInt(out.length)] ^= (byte) (1 << random.nextInt(8));
        }
        return out;
    }

    static byte[] setBytes(byte[] input, SplittableRandom random) {
        if (input.length == 0) {
            return input;
        }
        byte[] out = input.clone();
        for (int n = 1 + random.nextInt(4); n > 0; n--) {
            out[random.nextInt(out.length)] = random.nextBoolean()
                    ? INTERESTING_BYTES[random.nextInt(INTERESTING_BYTES.length)]
                    : (byte) random.nextInt(256);
        }
        return out;
    }

    /**
     * A 2-, 4- or 8-byte word set to a value that lies, in either byte order; {@code aligned}
     * puts it at a multiple of its size, where most formats keep their lengths and counts.
     */
    static byte[] setWord(byte[] input, SplittableRandom random, boolean aligned) {
        int width = new int[] {2, 4, 4, 4, 8}[random.nextInt(5)];
        if (input.length < width) {
            return input;
        }
        int slots = aligned ? input.length / width : input.length - width + 1;
        int at = aligned ? width * random.nextInt(slots) : random.nextInt(slots);
        boolean bigEndian = random.nextBoolean();
        long current = read(input, at, width, bigEndian);
        long mask = width == 8 ? -1L : (1L << (8 * width)) - 1;
        long value = switch (random.nextInt(14)) {
            case 0 -> 0;
            case 1 -> 1;
            case 2 -> mask >>> 1; // 0x7f…
            case 3 -> (mask >>> 1) + 1; // 0x80…
            case 4 -> mask; // 0xff…
            case 5 -> mask - 3; // 0xff…fc: a length just short of wrapping
            case 6 -> 0xffff_ffffL; // 0xffffffff, whatever the width
            case 7 -> input.length;
            case 8 -> input.length - at; // exactly what is left
            case 9 -> input.length + 1 + random.nextInt(8);
            case 10 -> current + 1;
            case 11 -> current - 1;
            case 12 -> random.nextInt(256);
            default -> random.nextLong();
        };
        byte[] out = input.clone();
        write(out, at, width, bigEndian, value & mask);
        return out;
    }

    static byte[] arithmetic(byte[] input, SplittableRandom random) {
        int width = random.nextBoolean() ? 1 : random.nextBoolean() ? 2 : 4;
        if (input.length < width) {
            return input;
        }
        int at = random.nextInt(input.length - width + 1);
        boolean bigEndian = random.nextBoolean();
        long delta = (1 + random.nextInt(35)) * (random.nextBoolean() ? 1 : -1);
        byte[] out = input.clone();
        write(out, at, width, bigEndian, read(input, at, width, bigEndian) + delta);
        return out;
    }

    static byte[] truncate(byte[] input, SplittableRandom random) {
        if (input.length == 0) {
            return input;
        }
        // Half of the cuts are near the end, where a reader meets them after reading nearly everything.
        int keep = random.nextBoolean()
                ? random.nextInt(input.length)
                : Math.max(0, input.length - 1 - random.nextInt(16));
        return Arrays.copyOf(input, keep);
    }

    static byte[] splice(byte[] first, byte[] second, SplittableRandom random) {
        int head = random.nextInt(first.length + 1);
        int tail = random.nextInt(second.length + 1);
        byte[] out = Arrays.copyOf(first, head + second.length - tail);
        System.arraycopy(second, tail, out, head, second.length - tail);
        return out;
    }

    static byte[] insert(byte[] input, byte[] other, SplittableRandom random) {
        int at = random.nextInt(input.length + 1);
        byte[] inserted;
        if (random.nextBoolean() || other.length == 0) {
            inserted = new byte[1 + random.nextInt(16)];
            for (int i = 0; i < inserted.length; i++) {
                inserted[i] = random.nextBoolean()
                        ? INTERESTING_BYTES[random.nextInt(INTERESTING_BYTES.length)]
                        : (byte) random.nextInt(256);
            }
        } else {
            int from = random.nextInt(other.length);
            inserted = Arrays.copyOfRange(other, from, from + 1 + random.nextInt(Math.min(64, other.length - from)));
        }
        byte[] out = new byte[input.length + inserted.length];
        System.arraycopy(input, 0, out, 0, at);
        System.arraycopy(inserted, 0, out, at, inserted.length);
        System.arraycopy(input, at, out, at + inserted.length, input.length - at);
        return out;
    }

    static byte[] delete(byte[] input, SplittableRandom random) {
        if (input.length == 0) {
            return input;
        }
        int at = random.nextInt(input.length);
        int count = Math.min(
                input.length - at, random.nextInt(4) == 0 ? 1 + random.nextInt(input.length) : 1 + random.nextInt(8));
        return InputKind.BYTES.remove(input, at, at + count);
    }

    /** A range repeated: records, blocks, options or labels that occur many times. */
    static byte[] repeat(byte[] input, SplittableRandom random) {
        if (input.length == 0) {
            return input;
        }
        int from = random.nextInt(input.length);
        int length = 1 + random.nextInt(Math.min(256, input.length - from));
        int times = 1 + random.nextInt(random.nextInt(8) == 0 ? 256 : 8);
        byte[] out = new byte[input.length + length * times];
        System.arraycopy(input, 0, out, 0, from + length);
        for (int t = 1; t <= times; t++) {
            System.arraycopy(input, from, out, from + length * t, length);
        }
        System.arraycopy(input, from + length, out, from + length * (times + 1), input.length - from - length);
        return out;
    }

    /** A range of {@code other} written over the same length of {@code input}. */
    static byte[] copyRange(byte[] input, byte[] other, SplittableRandom random) {
        if (input.length == 0 || other.length == 0) {
            return input;
        }
        int length = 1 + random.nextInt(Math.min(input.length, other.length));
        int from = random.nextInt(other.length - length + 1);
        int to = random.nextInt(input.length - length + 1);
        byte[] out = input.clone();
        System.arraycopy(other, from, out, to, length);
        return out;
    }

    private static long read(byte[] bytes, int at, int width, boolean bigEndian) {
        long value = 0;
        for (int i = 0; i < width; i++) {
            int b = bytes[bigEndian ? at + i : at + width - 1 - i] & 0xff;
            value = value << 8 | b;
        }
        return value;
    }

    private static void write(byte[] bytes, int at, int width, boolean bigEndian, long value) {
        for (int i = 0; i < width; i++) {
            bytes[bigEndian ? at + width - 1 - i : at + i] = (byte) (value >>> (8 * i));
        }
    }
}
