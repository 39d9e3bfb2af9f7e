package org.levee.ebpf;

/** One key and its value as read from a map (for per-CPU maps, every CPU's value back to back). */
public record MapEntry(byte[] key, byte[] value) {}
