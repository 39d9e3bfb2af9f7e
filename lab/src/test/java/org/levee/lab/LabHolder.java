package org.levee.lab;

/**
 * A separate JVM for {@link DemoLabCleanupTest}: builds a demo lab, prints its namespaces on one
 * line and waits to be interrupted (Ctrl-C), which must remove the lab.
 */
public final class LabHolder {
    private LabHolder() {}

    public static void main(String[] args) throws Exception {
        DemoLab lab = DemoLab.create();
        System.out.println(String.join(
                " ", lab.edgeNamespace(), lab.clientsNamespace(), lab.attackersNamespace(), lab.upstreamNamespace()));
        System.out.flush();
        Thread.sleep(60_000);
    }
}
