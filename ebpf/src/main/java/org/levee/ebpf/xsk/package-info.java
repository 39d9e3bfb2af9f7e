/** AF_XDP sockets: frames handed to a device from user-space memory (UMEM) through shared rings. */
package org.levee.ebpf.xsk;
