package org.levee.cli.fleet;

import java.nio.file.Path;
import java.util.Optional;
import org.levee.config.EtcdSection;
import picocli.CommandLine.Option;

/**
 * The etcd client flags of {@code levee controller} and {@code levee fleet status}, the same as
 * {@code levee run}'s for an edge: TLS files and a user; each overrides its key of the
 * configuration's {@code etcd:} section.
 */
public final class EtcdOptions {
    @Option(
            names = "--etcd-ca",
            paramLabel = "FILE",
            description = "PEM certificates to trust for https:// endpoints (etcd.ca).")
    Path ca;

    @Option(
            names = "--etcd-cert",
            paramLabel = "FILE",
            description = "PEM client certificate for etcd, with --etcd-key (etcd.cert).")
    Path cert;

    @Option(names = "--etcd-key", paramLabel = "FILE", description = "PEM PKCS#8 key of --etcd-cert (etcd.key).")
    Path key;

    @Option(
            names = "--etcd-user",
            paramLabel = "USER",
            description = "etcd user, with --etcd-password or etcd.password_file (etcd.user).")
    String user;

    @Option(
            names = "--etcd-password",
            paramLabel = "PASSWORD",
            description =
                    "The etcd user's password (visible to ps: prefer" + " etcd.password_file in the configuration).")
    String password;

    /** {@code section} with the flags given applied over it. */
    EtcdSection apply(EtcdSection section) {
        return section.withTls(Optional.ofNullable(ca), Optional.ofNullable(cert), Optional.ofNullable(key))
                .withUser(Optional.ofNullable(user), Optional.ofNullable(password));
    }

    /**
     * What a problem of the etcd settings is blamed on: "--etcd…: " when one of these flags was
     * given (the problem may come from it or from --etcd), "--etcd: " when only {@code --etcd} was,
     * else "" (the configuration's etcd section: the message names its keys).
     */
    String blame(boolean endpointsFlag) {
        if (ca != null || cert != null || key != null || user != null || password != null) {
            return "--etcd…: ";
        }
        return endpointsFlag ? "--etcd: " : "";
    }
}
