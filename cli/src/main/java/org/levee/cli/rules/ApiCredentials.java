package org.levee.cli.rules;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.levee.agent.config.AgentConfig;
import org.levee.cli.common.UserException;
import org.levee.config.ApiToken;
import org.levee.config.ConfigException;
import org.levee.controller.config.ControllerConfig;

/**
 * The bearer token {@code levee rules} sends, and where it came from: {@code --token-file FILE};
 * else the environment variable {@value #ENV} (the token itself); else, for an API on this
 * machine (a loopback URL), the token file in the default state directory of the server that
 * listens on that port by default — {@code /var/lib/levee-controller/api-token} for port 9277 (a
 * controller), {@code /var/lib/levee/api-token} for any other (an agent). A token found by that
 * default is never sent off the machine: a remote API has a token of its own.
 *
 * @param token the token to send, if any
 * @param source where it came from, or why there is none (said after a 401)
 */
record ApiCredentials(Optional<String> token, String source) {
    /** The environment variable that may hold the token. */
    static final String ENV = "LEVEE_API_TOKEN";

    /**
     * The token for {@code api}.
     *
     * @param tokenFile {@code --token-file}, or null
     * @param env the value of {@value #ENV}, or null
     * @throws UserException when the given file or variable holds no token
     */
    static ApiCredentials resolve(URI api, Path tokenFile, String env) {
        if (tokenFile != null) {
            try {
                return new ApiCredentials(Optional.of(ApiToken.read(tokenFile)), "the token of " + tokenFile);
            } catch (ConfigException e) {
                throw new UserException("--token-file: " + e.getMessage(), e);
            }
        }
        if (env != null && !env.isEmpty()) {
            String token = env.strip();
            if (!ApiToken.valid(token)) {
                throw new UserException(ENV + ": not an API token (at least " + ApiToken.MIN_LENGTH
                        + " characters of A-Z a-z 0-9 - . _ ~ + /)");
            }
            return new ApiCredentials(Optional.of(token), "the token of " + ENV);
        }
        if (!loopback(api)) {
            return new ApiCredentials(
                    Optional.empty(),
                    "no token: " + api.getHost()
                            + " is another machine; its token is in its state directory (api-token)");
        }
        Path file = defaultTokenFile(api);
        if (!Files.exists(file)) {
            return new ApiCredentials(Optional.empty(), "no token: there is no " + file);
        }
        if (!Files.isReadable(file)) {
            return new ApiCredentials(Optional.empty(), "no token: " + file + " is not readable by this user");
        }
        try {
            return new ApiCredentials(Optional.of(ApiToken.read(file)), "the token of " + file);
        } catch (ConfigException e) {
            return new ApiCredentials(Optional.empty(), "no token: " + e.getMessage());
        }
    }

    /** The token file of the server that listens on the URL's port by default. */
    static Path defaultTokenFile(URI api) {
        Path stateDir = api.getPort() == ControllerConfig.DEFAULT_API_PORT
                ? ControllerConfig.DEFAULT_STATE_DIR
                : AgentConfig.DEFAULT_STATE_DIR;
        return stateDir.resolve(ApiToken.FILE_NAME);
    }

    /** Whether the URL's host is this machine's loopback (an IP literal or localhost; no DNS lookup). */
    static boolean loopback(URI api) {
        String host = api.getHost();
        if (host == null) {
            return false;
        }
        if (host.equalsIgnoreCase("localhost")) {
            return true;
        }
        String literal = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (!literal.matches("[0-9.]+|[0-9a-fA-F:]+")) {
            return false; // a name: resolving it could say anything
        }
        try {
            return InetAddress.getByName(literal).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** What to add to a 401: what was sent, and how to send the right token. */
    String hint() {
        return " (levee sent " + source + "; give --token-file FILE or set " + ENV + ")";
    }
}
