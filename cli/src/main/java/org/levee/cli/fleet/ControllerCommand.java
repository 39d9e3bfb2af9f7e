package org.levee.cli.fleet;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.levee.cli.common.UserException;
import org.levee.config.ConfigException;
import org.levee.config.ListenAddress;
import org.levee.controller.Controller;
import org.levee.controller.config.ControllerConfig;
import org.levee.controller.config.ControllerConfigLoader;
import org.levee.store.etcd.EtcdSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code levee controller}: the fleet's Gatebot. Every flag and the configuration file are
 * checked before anything starts; then it receives sFlow, detects, and — when elected — writes
 * and publishes rules, until SIGINT or SIGTERM (it resigns leadership on the way out).
 */
@Command(name = "controller", mixinStandardHelpOptions = true,
        description = "Run a fleet controller: receive sFlow from the edges, detect attacks over every data center, and as "
                + "the leader elected through etcd write rules, compile the rule set once and publish it. Serves the rules "
                + "API (GET/POST /rules, DELETE /rules/{id}), /fleet, /status and /metrics. See docs/fleet.md.")
public final class ControllerCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--etcd", paramLabel = "URLS",
            description = "etcd client URLs, comma-separated (http://10.0.0.1:2379,…; HOST:PORT means http). Overrides etcd.endpoints.")
    String etcd;

    @Option(names = "--sflow-listen", paramLabel = "ADDR:PORT", description = "Where sFlow is received (default 0.0.0.0:6343).")
    String sflowListen;

    @Option(names = "--api", paramLabel = "HOST:PORT", description = "Where the API listens (default 127.0.0.1:9277).")
    String api;

    @Option(names = "--config", paramLabel = "FILE", description = "The configuration (YAML); see docs/fleet.md."
            + " Its upstream: section makes the leader announce BGP FlowSpec and blackhole routes (docs/operations.md).")
    Path config;

    @Option(names = "--prefix", paramLabel = "PREFIX", description = "The fleet's etcd key prefix (default /levee/).")
    String prefix;

    @Option(names = "--name", paramLabel = "NAME", description = "This controller's identity (default: the host name).")
    String name;

    @Override
    public Integer call() throws InterruptedException {
        ControllerConfig c = configuration();
        EtcdSettings settings;
        try {
            settings = c.etcd().settings(Optional.ofNullable(etcd));
        } catch (IllegalArgumentException e) {
            throw new UserException((etcd != null ? "--etcd: " : "") + e.getMessage());
        }
        Controller controller;
        try {
            controller = Controller.start(c, settings);
        } catch (IOException e) {
            throw new UserException("cannot listen: " + e.getMessage() + " (see --sflow-listen and --api)", e);
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = Thread.ofPlatform().unstarted(() -> {
            controller.close();
            stopped.countDown();
        });
        Runtime.getRuntime().addShutdownHook(hook);
        PrintWriter out = spec.commandLine().getOut();
        InetSocketAddress sflow = controller.sflowAddress();
        InetSocketAddress apiAddress = controller.apiAddress();
        out.printf("levee: controller %s: sFlow on %s:%d, API on http://%s:%d, etcd %s, prefix %s, rule ids %s…%n", c.name(),
                sflow.getHostString(), sflow.getPort(), apiAddress.getHostString(), apiAddress.getPort(),
                settings.endpointList(), c.keys().prefix(), controller.ruleIdPrefix());
        out.flush();
        try {
            stopped.await(); // until SIGINT or SIGTERM
        } catch (InterruptedException e) { // a caller in the same JVM (tests) stops it
            Runtime.getRuntime().removeShutdownHook(hook);
            controller.close();
            throw e;
        }
        return 0;
    }

    private ControllerConfig configuration() {
        ControllerConfig c;
        try {
            c = config == null ? ControllerConfig.defaults() : ControllerConfigLoader.load(config);
        } catch (ConfigException e) {
            throw new UserException(e.getMessage(), e);
        }
        if (name != null) {
            try {
                c = c.withName(ControllerConfigLoader.checkName(name));
            } catch (IllegalArgumentException e) {
                throw new UserException("--name: " + e.getMessage());
            }
        }
        if (prefix != null) {
            try {
                c = c.withKeys(ControllerConfigLoader.checkPrefix(prefix));
            } catch (IllegalArgumentException e) {
                throw new UserException("--prefix: " + e.getMessage());
            }
        }
        if (sflowListen != null) {
            c = c.withSflowListen(address("--sflow-listen", sflowListen));
        }
        if (api != null) {
            c = c.withApiAddress(address("--api", api));
        }
        return c;
    }

    private static InetSocketAddress address(String flag, String text) {
        try {
            return ListenAddress.parse(text);
        } catch (IllegalArgumentException e) {
            throw new UserException(flag + ": " + e.getMessage());
        }
    }
}
