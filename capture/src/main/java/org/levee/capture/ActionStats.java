package org.levee.capture;

import org.levee.ebpf.XdpAction;

/**
 * What one action's capture program counted, summed over CPUs.
 *
 * @param received packets the data plane handed to the hook with this verdict
 * @param matched  packets the filter kept
 * @param lost     kept packets that did not reach user space (ring buffer full)
 */
public record ActionStats(XdpAction action, long received, long matched, long lost) {}
