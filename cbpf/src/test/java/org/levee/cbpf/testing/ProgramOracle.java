package org.levee.cbpf.testing;

import static org.levee.cbpf.CbpfInstruction.*;

import java.util.List;
import org.levee.cbpf.CbpfInterpreter;
import org.levee.cbpf.CbpfProgram;
import org.levee.cbpf.CbpfText;
import org.levee.cbpf.CbpfValidator;
import org.levee.cbpf.corpus.PacketCorpus;
import org.levee.cbpf.pcap.Libpcap;

/**
 * What must hold for any program a parser produced, for the fuzz tests: the validator accepts it
 * or refuses it with a {@link org.levee.cbpf.CbpfException}; once accepted, the interpreter runs it
 * on packets of every kind (whole, truncated, random bytes) without throwing and returns what
 * libpcap's own interpreter returns, and its lossless text forms read back to it. Needs libpcap.
 */
public final class ProgramOracle {
    /** 17 frames, four truncated copies of each, 8 of random bytes, and nothing at all. */
    private static final List<PacketCorpus.Packet> PACKETS = packets();

    private ProgramOracle() {}

    private static List<PacketCorpus.Packet> packets() {
        List<PacketCorpus.Packet> packets = new java.util.ArrayList<>(PacketCorpus.generate(0xF022, 17));
        packets.add(new PacketCorpus.Packet("empty", new byte[0], 0));
        return List.copyOf(packets);
    }

    /** Validates {@code program} (throwing the validator's CbpfException), then checks it as the class says. */
    public static void check(CbpfProgram program) {
        CbpfValidator.validate(program);
        if (!CbpfText.parseDdd(CbpfText.printDdd(program)).equals(program)
                || !CbpfText.parseBytecode(CbpfText.printBytecode(program)).equals(program)) {
            throw new AssertionError("the -ddd or comma form does not read back to the program:\n" + program);
        }
        // libpcap yields 0 for a shift by X >= 32 where Linux (and the interpreter) use X's low 5 bits.
        boolean compare = program.instructions().stream()
                .noneMatch(i -> i.code() == (ALU | LSH | X) || i.code() == (ALU | RSH | X));
        try (Libpcap.OfflineFilter libpcap = compare ? new Libpcap.OfflineFilter(program) : null) {
            for (PacketCorpus.Packet packet : PACKETS) {
                int ours = CbpfInterpreter.run(program, packet.data(), packet.wireLength());
                if (libpcap != null) {
                    int theirs = libpcap.run(packet.data(), packet.wireLength());
                    if (ours != theirs) {
                        throw new AssertionError("on " + packet + " the interpreter returns " + ours + ", libpcap "
                                + theirs + "; program:\n" + CbpfText.printListing(program));
                    }
                }
            }
        }
    }
}
