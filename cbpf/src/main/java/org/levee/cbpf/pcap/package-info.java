/**
 * libpcap and its files: {@link org.levee.cbpf.pcap.Libpcap} compiles tcpdump filter expressions
 * and runs libpcap's own filter interpreter (the test oracle); the readers and writers handle
 * classic pcap and pcapng capture files.
 */
package org.levee.cbpf.pcap;
