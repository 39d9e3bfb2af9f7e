package org.levee.sflow;

import java.util.HexFormat;

/** Helpers of the records that keep a structure of an unknown format as its bytes. */
final class Opaque {
    private Opaque() {}

    /** The data of a structure: its length must fit a 4-byte-aligned XDR opaque. */
    static byte[] check(String what, byte[] data) {
        if (data.length > 0x7fff_fff0) {
            throw new IllegalArgumentException(what + " of " + data.length + " bytes is too long for sFlow");
        }
        return data.clone();
    }

    static String toString(String type, int format, byte[] data) {
        String hex = HexFormat.of().formatHex(data, 0, Math.min(data.length, 64));
        return type + "[format=" + SflowFormats.describe(format) + ", " + data.length + " bytes: " + hex
                + (data.length > 64 ? "…" : "") + "]";
    }
}
