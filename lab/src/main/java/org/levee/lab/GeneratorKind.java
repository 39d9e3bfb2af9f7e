package org.levee.lab;

import org.levee.ebpf.LiveFrames;

/** The ways the lab sends floods. */
public enum GeneratorKind {
    /**
     * An XDP program rewrites every random field in the kernel and {@code BPF_PROG_TEST_RUN} in
     * live-frames mode transmits it: the fastest (≈ 6 Mpps from one CPU where measured), but some
     * kernels refuse live frames.
     */
    LIVE("live", "XDP live frames (BPF_PROG_TEST_RUN)", 1_000_000),
    /**
     * An AF_XDP socket in copy mode sends frames from a ring of distinct frames built in user
     * space before the flood: standard kernel facilities only (≈ 1.7 Mpps through the lab's
     * router hop from one CPU here).
     */
    SOCKET("socket", "AF_XDP socket (copy mode) from a pre-built ring of distinct frames", 1_200_000);

    private final String id;
    private final String description;
    private final long defaultFloodRate;

    GeneratorKind(String id, String description, long defaultFloodRate) {
        this.id = id;
        this.description = description;
        this.defaultFloodRate = defaultFloodRate;
    }

    /**
     * The demo's flood rate with this generator: comfortably below what it sustains through the
     * lab from one CPU here, and at least 1 Mpps offered over a whole flood (the socket generator
     * is asked for a little more, as its first milliseconds and a starved CPU cost it a few
     * percent of the frames).
     */
    public long defaultFloodRate() {
        return defaultFloodRate;
    }

    /** The name on command lines and in reports. */
    public String id() {
        return id;
    }

    public String description() {
        return description;
    }

    /** Live frames where this kernel allows them (probed once per JVM), the socket generator otherwise. */
    public static GeneratorKind preferred() {
        return LiveFrames.support().supported() ? LIVE : SOCKET;
    }

    /**
     * The generator named {@code name}: {@code live}, {@code socket}, or {@code auto} for
     * {@link #preferred()}. Forcing {@code live} on a kernel that refuses live frames is an error
     * that says so.
     */
    public static GeneratorKind choose(String name) {
        if (name == null || name.equals("auto")) {
            return preferred();
        }
        for (GeneratorKind k : values()) {
            if (k.id.equals(name)) {
                if (k == LIVE && !LiveFrames.support().supported()) {
                    throw new IllegalArgumentException("generator 'live' cannot run here: "
                            + LiveFrames.support().describe() + "; use 'socket' or 'auto'");
                }
                return k;
            }
        }
        throw new IllegalArgumentException("unknown generator '" + name + "' (known: auto, live, socket)");
    }
}
