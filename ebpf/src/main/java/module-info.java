/** Levee's ebpf module: see DESIGN.md's module table for what it owns. */
module org.levee.ebpf {
    exports org.levee.ebpf;
    exports org.levee.ebpf.asm;
    exports org.levee.ebpf.elf;
    exports org.levee.ebpf.ringbuf;
    exports org.levee.ebpf.netns;
    exports org.levee.ebpf.xsk;
}
