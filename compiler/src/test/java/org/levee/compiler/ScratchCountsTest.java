package org.levee.compiler;

import org.junit.jupiter.api.Test;
import org.levee.cbpf.CbpfProgram;
import org.levee.cbpf.pcap.Libpcap;
import org.levee.cbpf.pcap.LinkType;
import org.levee.ebpf.asm.Disassembler;

class ScratchCountsTest {
    @Test
    void print() {
        int total = 0;
        for (var f : ReferenceFilters.ALL) {
            CbpfProgram p = Libpcap.compile(f.expression(), LinkType.EN10MB);
            var x = XdpFilterProgram.of(CbpfCompiler.compile(p));
            total += x.fragmentInsns();
            System.out.println(f.number() + " cbpf=" + p.size() + " ours=" + x.fragmentInsns() + " cbpfc=" + f.cbpfcInsns());
            if (f.number() == 13 || f.number() == 3) {
                System.out.println(org.levee.cbpf.CbpfText.printListing(p));
                System.out.println(new Disassembler().disassemble(x.program()));
            }
        }
        System.out.println("total " + total);
    }
}
