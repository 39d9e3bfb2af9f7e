/**
 * eBPF instructions, assembler, disassembler, the bpf() syscall through FFM, maps, programs, links, ring buffers, ELF.
 */
package org.levee.ebpf;
