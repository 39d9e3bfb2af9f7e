package org.levee.ebpf;

/** What the kernel reports about a map ({@code struct bpf_map_info}). */
public record MapInfo(MapType type, int id, String name, int keySize, int valueSize, int maxEntries, int flags) {}
