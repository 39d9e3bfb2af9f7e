package org.levee.signatures;

import static org.levee.cbpf.CbpfInstruction.*;

import java.util.HexFormat;
import org.levee.cbpf.CbpfProgram;

/**
 * Generates a classic BPF filter matching packets whose last bytes are {@code suffix}
 * (bpftools' {@code suffix} generator). The filter first checks that the packet is at least as
 * long as the suffix, so it never computes an offset before the packet's start.
 *
 * @param suffix the bytes the packet must end with (at least one)
 */
public record SuffixFilter(byte[] suffix) {

    public SuffixFilter {
        if (suffix.length == 0) {
            throw new SignatureException("the suffix is empty: give at least one byte in hex");
        }
        suffix = suffix.clone();
    }

    @Override
    public byte[] suffix() {
        return suffix.clone();
    }

    /**
     * Parses hex digits; spaces and colons between bytes are ignored, as are a leading "0x".
     * Errors name the offending character by its 1-based position.
     */
    public static SuffixFilter parseHex(String text) {
        String hex = text.startsWith("0x") || text.startsWith("0X") ? text.substring(2) : text;
        StringBuilder digits = new StringBuilder();
        int offset = text.length() - hex.length();
        for (int i = 0; i < hex.length(); i++) {
            char c = hex.charAt(i);
            if (c == ' ' || c == ':') {
                continue;
            }
            if (Character.digit(c, 16) < 0 || c > 0x7f) {
                throw new SignatureException(
                        "suffix '" + text + "': character " + (offset + i + 1) + " '" + c + "' is not a hex digit");
            }
            digits.append(c);
        }
        if (digits.length() % 2 != 0) {
            throw new SignatureException(
                    "suffix '" + text + "': " + digits.length() + " hex digits is not a whole number of bytes");
        }
        return new SuffixFilter(HexFormat.of().parseHex(digits));
    }

    public CbpfProgram program() {
        FilterAssembler asm = new FilterAssembler();
        Label reject = asm.newLabel("reject");
        asm.emit(ldLen());
        asm.jump(JGE, suffix.length, null, reject);
        asm.emit(subK(suffix.length));
        asm.emit(tax());
        MaskedBytes bytes = new MaskedBytes();
        for (byte b : suffix) {
            bytes.add(b & 0xff, 0);
        }
        bytes.emitCompare(asm, reject);
        asm.emit(retK(Verdict.MATCH));
        asm.bind(reject);
        asm.emit(retK(Verdict.NO_MATCH));
        return Programs.checkSize(asm.assemble(), "the suffix filter");
    }
}
