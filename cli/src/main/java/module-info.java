/** The {@code levee} command line. picocli reads the command classes reflectively. */
module org.levee.cli {
    requires org.levee.agent;
    requires org.levee.controller;
    requires org.levee.ebpf;
    requires org.levee.cbpf;
    requires org.levee.dataplane;
    requires org.levee.signatures;
    requires org.levee.compiler;
    requires org.levee.capture;
    requires org.levee.netns;
    requires org.levee.lab;
    requires org.levee.bench;
    requires info.picocli;
    requires java.net.http;

    opens org.levee.cli to
            info.picocli;
    opens org.levee.cli.rules to
            info.picocli;
    opens org.levee.cli.api to
            info.picocli;
    opens org.levee.cli.capture to
            info.picocli;
    opens org.levee.cli.dataplane to
            info.picocli;
    opens org.levee.cli.fleet to
            info.picocli;
    opens org.levee.cli.keys to
            info.picocli;
}
