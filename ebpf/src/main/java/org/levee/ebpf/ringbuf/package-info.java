/** Reading BPF ring buffers (BPF_MAP_TYPE_RINGBUF) from user space through shared memory. */
package org.levee.ebpf.ringbuf;
