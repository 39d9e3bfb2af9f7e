/**
 * Classic BPF: model, validator, text formats, interpreter, libpcap binding, pcap/pcapng files.
 */
package org.levee.cbpf;
