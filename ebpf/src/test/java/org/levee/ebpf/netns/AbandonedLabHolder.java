package org.levee.ebpf.netns;

import java.nio.file.Files;
import java.nio.file.Path;
import org.levee.ebpf.BpfFs;
import org.levee.netns.NetnsLab;

/**
 * A separate JVM for {@link AbandonedLabTest}: makes a lab with one namespace and one bpffs
 * directory, prints the lab's id, the namespace and the directory on one line and waits to be
 * killed.
 */
public final class AbandonedLabHolder {
    private AbandonedLabHolder() {}

    public static void main(String[] args) throws Exception {
        NetnsLab lab = NetnsLab.create();
        String ns = lab.addNamespace("held");
        Path pins = BpfFs.ensureMounted().resolve("levee-test-" + lab.id());
        lab.removeWithLab(pins);
        Files.createDirectories(pins);
        System.out.println(lab.id() + " " + ns + " " + pins);
        System.out.flush();
        Thread.sleep(60_000);
    }
}
