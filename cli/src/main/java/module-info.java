/** The {@code levee} command line. picocli reads the command classes reflectively. */
module org.levee.cli {
    requires org.levee.agent;
    requires org.levee.ebpf;
    requires org.levee.cbpf;
    requires org.levee.dataplane;
    requires org.levee.signatures;
    requires org.levee.compiler;
    requires org.levee.capture;
    requires info.picocli;

    exports org.levee.cli.lab;

    opens org.levee.cli to info.picocli;
    opens org.levee.cli.capture to info.picocli;
    opens org.levee.cli.dataplane to info.picocli;
}
