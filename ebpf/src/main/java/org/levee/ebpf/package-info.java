/**
 * The kernel's BPF objects from Java, without libbpf: {@link org.levee.ebpf.BpfMap maps},
 * {@link org.levee.ebpf.Program programs} (load, test runs, object info),
 * {@link org.levee.ebpf.XdpLink XDP links} and pins in the {@link org.levee.ebpf.BpfFs BPF file
 * system}. Every object holds a file descriptor and is {@link java.lang.AutoCloseable}; every
 * failed bpf(2) command throws a {@link org.levee.ebpf.BpfException} naming the command, the errno
 * and what to check. Subpackages: {@code asm} (instructions), {@code ringbuf} (ring-buffer
 * reader), {@code netns} (network namespaces and the lab).
 */
package org.levee.ebpf;
