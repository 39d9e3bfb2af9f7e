/**
 * sFlow version 5 (sflow.org/sflow_version_5.txt): the datagram model, {@link
 * org.levee.sflow.SflowEncoder} and {@link org.levee.sflow.SflowDecoder} (XDR, big-endian, 4-byte
 * aligned), {@link org.levee.sflow.SflowPacker} (samples into datagrams of a bounded size), the UDP
 * {@link org.levee.sflow.SflowExporter} an edge sends its packet samples with, and the UDP {@link
 * org.levee.sflow.SflowCollector} a controller receives them with, from Levee edges and from any
 * other sFlow agent.
 *
 * <p>Two ways to decode: records ({@link org.levee.sflow.SflowDatagram} and its samples, immutable,
 * convenient, allocating) and a visitor ({@link org.levee.sflow.SflowVisitor}) over reusable views
 * of the receive buffer, which hands each sampled packet header over as a slice of that buffer
 * without copying it: the collector's path. Both run the same checks, so they accept and refuse
 * exactly the same bytes.
 */
package org.levee.sflow;
