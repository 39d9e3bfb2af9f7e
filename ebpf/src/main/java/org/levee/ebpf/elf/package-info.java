/**
 * eBPF relocatable objects (ELF64, EM_BPF): {@link org.levee.ebpf.elf.BpfObject} is the model,
 * {@link org.levee.ebpf.elf.ElfWriter} and {@link org.levee.ebpf.elf.ElfReader} convert it to and
 * from bytes that {@code readelf} and {@code llvm-objdump} read. A rule set is compiled once into
 * such an object; each node resolves its maps and patchable constants and loads it.
 */
package org.levee.ebpf.elf;
