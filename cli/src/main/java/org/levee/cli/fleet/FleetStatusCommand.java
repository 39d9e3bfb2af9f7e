package org.levee.cli.fleet;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.levee.cli.common.UserException;
import org.levee.config.ConfigException;
import org.levee.controller.config.ControllerConfig;
import org.levee.controller.config.ControllerConfigLoader;
import org.levee.controller.fleet.FleetStatus;
import org.levee.controller.fleet.FleetStatusJson;
import org.levee.controller.fleet.FleetStatusReader;
import org.levee.controller.fleet.FleetStatusText;
import org.levee.store.FleetKeys;
import org.levee.store.etcd.EtcdClient;
import org.levee.store.etcd.EtcdSettings;
import org.levee.store.etcd.StoreException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code levee fleet status}: the leader, the rule set in force, every registered edge (running
 * it or lagging), and the rules left out — from etcd alone, no controller needed.
 */
@Command(
        name = "status",
        mixinStandardHelpOptions = true,
        description =
                "Print the leader controller, the rule set in force, every registered edge (data center, node, version, "
                        + "program, seconds since it applied it and since it reported, current or lagging) and the rules left out.")
public final class FleetStatusCommand implements Callable<Integer> {
    /** etcdctl's default endpoint. */
    static final String DEFAULT_ETCD = "http://127.0.0.1:2379";

    private static final JsonMapper JSON =
            JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    @Spec
    CommandSpec spec;

    @Option(
            names = "--etcd",
            paramLabel = "URLS",
            description = "etcd client URLs (default " + DEFAULT_ETCD + ", or the configuration's).")
    String etcd;

    @Option(names = "--prefix", paramLabel = "PREFIX", description = "The fleet's etcd key prefix (default /levee/).")
    String prefix;

    @Option(
            names = "--config",
            paramLabel = "FILE",
            description = "A controller configuration to take etcd's endpoints, TLS files, user and the prefix from.")
    Path config;

    @Option(names = "--json", description = "Print JSON (as GET /fleet does).")
    boolean json;

    @Mixin
    EtcdOptions etcdOptions;

    @Override
    public Integer call() throws JsonProcessingException {
        ControllerConfig c;
        try {
            c = config == null ? ControllerConfig.defaults() : ControllerConfigLoader.load(config);
        } catch (ConfigException e) {
            throw new UserException(e.getMessage(), e);
        }
        FleetKeys keys = c.keys();
        if (prefix != null) {
            try {
                keys = new FleetKeys(prefix);
            } catch (IllegalArgumentException e) {
                throw new UserException("--prefix: " + e.getMessage());
            }
        }
        EtcdSettings settings;
        try {
            settings = etcdOptions
                    .apply(c.etcd())
                    .settings(Optional.ofNullable(etcd)
                            .or(() -> c.etcdEndpoints().isPresent() ? Optional.empty() : Optional.of(DEFAULT_ETCD)));
        } catch (IllegalArgumentException e) {
            throw new UserException(etcdOptions.blame(etcd != null) + e.getMessage());
        }
        FleetStatus status;
        try (EtcdClient client = EtcdClient.connect(settings)) {
            status = FleetStatusReader.read(client, keys, Instant.now());
        } catch (StoreException e) {
            throw new UserException("cannot read the fleet from etcd: " + e.getMessage(), e);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(JSON.writeValueAsString(FleetStatusJson.write(status)));
        } else {
            FleetStatusText.lines(status).forEach(out::println);
        }
        out.flush();
        return 0;
    }
}
