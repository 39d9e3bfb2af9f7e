/**
 * The raw plumbing under {@code org.levee.ebpf}: libc downcalls through {@code java.lang.foreign}
 * with errno capture, the bpf(2) call and its per-architecture number, owned file descriptors.
 * Not exported.
 */
package org.levee.ebpf.internal;
