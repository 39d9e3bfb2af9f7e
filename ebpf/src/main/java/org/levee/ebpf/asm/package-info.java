/**
 * The eBPF instruction set as data, and the tools to write and read it.
 *
 * <ul>
 *   <li>{@link org.levee.ebpf.asm.Instruction}: one instruction (the fields of {@code struct
 *       bpf_insn}; LD_IMM64 is one instruction of two slots), with factories such as
 *       {@code mov64(R0, 2)}, {@code ldxW(R2, R1, 4)}, {@code jeqImm(R2, 0, 3)},
 *       {@code call(Helper.MAP_LOOKUP_ELEM)}, {@code exit()}. Only valid instructions can be built.
 *   <li>{@link org.levee.ebpf.asm.InstructionCodec}: the kernel's 8-byte little-endian format,
 *       both ways.
 *   <li>{@link org.levee.ebpf.asm.Assembler}: labels, jumps to labels, symbolic LD_IMM64s of
 *       constants and maps, guards decided by constants (which the verifier deletes whole);
 *       produces an {@link org.levee.ebpf.asm.AssembledProgram} whose
 *       {@link org.levee.ebpf.asm.Relocation}s are resolved before loading.
 *   <li>{@link org.levee.ebpf.asm.Disassembler}: the text of the kernel's disassembler, as
 *       {@code bpftool prog dump xlated} prints it.
 * </ul>
 *
 * <p>Facts come from Documentation/bpf/standardization/instruction-set.rst, include/uapi/linux/bpf.h
 * and the kernel's verifier; the tests check the encodings against the running kernel.
 */
package org.levee.ebpf.asm;
