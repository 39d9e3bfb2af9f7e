/** Generators of classic BPF filters for attack signatures: DNS names, p0f SYNs, suffixes. */
module org.levee.signatures {
    requires transitive org.levee.cbpf;

    exports org.levee.signatures;
}
