package org.levee.capture.testing;

import java.nio.file.Path;
import org.levee.cbpf.pcap.Libpcap;
import org.levee.compiler.CbpfCompiler;
import org.levee.compiler.FragmentLayout;
import org.levee.dataplane.program.DataplaneMaps;
import org.levee.ebpf.BpfFs;
import org.levee.ebpf.BpfMap;
import org.levee.ebpf.Program;
import org.levee.ebpf.ProgramSpec;
import org.levee.ebpf.XdpAction;
import org.levee.ebpf.asm.Assembler;
import org.levee.ebpf.asm.Helper;
import org.levee.ebpf.asm.Instruction;
import org.levee.ebpf.asm.Register;
import org.levee.ebpf.asm.Size;

/**
 * A stand-in for the data plane's exit, with the same hook layout: drops packets matching a
 * tcpdump expression, passes the rest, and tail-calls {@code hook[action]} before returning the
 * action. The hook is a 5-slot program array pinned at {@code <dir>/xdpcap_hook} under a unique
 * test directory in the host's bpffs; {@link #close()} removes the directory.
 */
public final class TestDataPlane implements AutoCloseable {
    public final Path directory;
    public final Path hookPath;
    public final BpfMap hook;
    public final Program program;

    private TestDataPlane(Path directory, Path hookPath, BpfMap hook, Program program) {
        this.directory = directory;
        this.hookPath = hookPath;
        this.hook = hook;
        this.program = program;
    }

    /** A data plane dropping what {@code dropExpression} matches, its hook pinned in a fresh directory. */
    public static TestDataPlane create(String dropExpression, String uniqueName) {
        Path dir = BpfFs.directory("levee-test-" + uniqueName);
        BpfMap hook = null;
        try {
            hook = BpfMap.create(DataplaneMaps.HOOK);
            Path hookPath = dir.resolve(DataplaneMaps.HOOK.name());
            hook.pin(hookPath);
            Assembler asm = new Assembler();
            asm.emit(Instruction.mov64(Register.R8, Register.R1));
            FragmentLayout layout = FragmentLayout.standard("rule_", "drop", "pass");
            asm.emit(Instruction.ldx(Size.W, layout.packetStart(), Register.R1, 0));
            asm.emit(Instruction.ldx(Size.W, layout.packetEnd(), Register.R1, 4));
            CbpfCompiler.compileInto(Libpcap.compile(dropExpression), asm, layout);
            asm.label("pass");
            asm.emit(Instruction.mov64(Register.R9, XdpAction.PASS.code()));
            asm.ja("exit");
            asm.label("drop");
            asm.emit(Instruction.mov64(Register.R9, XdpAction.DROP.code()));
            asm.label("exit");
            asm.emit(Instruction.mov64(Register.R1, Register.R8));
            asm.ldMapFd(Register.R2, hook.fd());
            asm.emit(Instruction.mov64(Register.R3, Register.R9));
            asm.emit(Instruction.call(Helper.TAIL_CALL));
            asm.emit(Instruction.mov64(Register.R0, Register.R9), Instruction.exit());
            Program program = Program.load(
                    ProgramSpec.xdp("test_dataplane", asm.assemble().encode()));
            return new TestDataPlane(dir, hookPath, hook, program);
        } catch (RuntimeException e) {
            if (hook != null) {
                hook.close();
            }
            BpfFs.removeTree(dir);
            throw e;
        }
    }

    /** Whether any slot of the hook holds a program. */
    public boolean hookEmpty() {
        for (int slot = 0; slot < 5; slot++) {
            if (hook.lookup(BpfMap.intBytes(slot)).isPresent()) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() {
        program.close();
        hook.close();
        BpfFs.removeTree(directory);
    }
}
