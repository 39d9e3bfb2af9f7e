package org.levee.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ApiSectionTest {

    private static final ApiSection DEFAULT = ApiSection.on(new InetSocketAddress("127.0.0.1", 9276));

    @TempDir
    Path dir;

    private static ApiSection read(String yaml) {
        ConfigReader r = new ConfigReader();
        ApiSection s = ApiSection.read(r, ConfigReader.parseYaml("c.yaml", yaml).get("api"), "api", DEFAULT);
        r.throwIfProblems("c.yaml");
        return s;
    }

    @Test
    void readsEveryKey() throws Exception {
        Path token = Files.writeString(dir.resolve("token"), "x");
        Path cert = Files.writeString(dir.resolve("cert.pem"), "x");
        Path key = Files.writeString(dir.resolve("key.pem"), "x");
        ApiSection s = read("api:\n  address: '[::1]:9000'\n  token_file: " + token + "\n  tls_cert: " + cert
                + "\n  tls_key: " + key + "\n");
        assertThat(s.address()).isEqualTo(new InetSocketAddress("::1", 9000));
        assertThat(s.tokenFile()).contains(token);
        assertThat(s.tokenFile(dir.resolve("state"))).isEqualTo(token);
        assertThat(s.tlsCert()).contains(cert);
        assertThat(s.tlsKey()).contains(key);
        assertThat(s.tls()).isTrue();
        assertThat(s.loopback()).isTrue();
    }

    @Test
    void absentKeysKeepTheDefaults() {
        ApiSection s = read("api: {}\n");
        assertThat(s).isEqualTo(DEFAULT);
        assertThat(s.tokenFile(dir)).isEqualTo(dir.resolve("api-token"));
        assertThat(read("other: 1\n")).isEqualTo(DEFAULT);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            api: {adress: '127.0.0.1:1'}           | c.yaml: api.adress: unknown key (known here: address, tls_cert, tls_key, token_file)
            api: {token_file: /nonexistent/token}  | c.yaml: api.token_file: '/nonexistent/token' is not a readable file
            api: {tls_cert: /nonexistent/c.pem}    | c.yaml: 2 problems:
            api: {address: 'example.com:80'}       | c.yaml: api.address: 'example.com:80': the host must be an IP address
            api: [1]                               | c.yaml: api: must be a mapping of keys
            """)
    void problemsNameTheKey(String yaml, String message) {
        assertThatThrownBy(() -> read(yaml)).isInstanceOf(ConfigException.class).hasMessageStartingWith(message);
    }

    @Test
    void aCertificateWithoutItsKeyIsAProblem() throws Exception {
        Path cert = Files.writeString(dir.resolve("cert.pem"), "x");
        assertThatThrownBy(() -> read("api: {tls_cert: " + cert + "}\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessage(
                        "c.yaml: api.tls_key: TLS needs both tls_cert (the certificate chain) and tls_key (its PKCS#8 key)");
    }

    @ParameterizedTest
    @CsvSource({"127.0.0.1", "127.0.0.53", "::1"})
    void loopbackNeedsNoTls(String host) {
        ApiSection s = ApiSection.on(new InetSocketAddress(host, 9276));
        assertThat(s.loopback()).isTrue();
        assertThatCode(s::requireSafe).doesNotThrowAnyException();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            0.0.0.0      | 0.0.0.0:9276
            192.0.2.1    | 192.0.2.1:9276
            ::           | [::]:9276
            2001:db8::1  | [2001:db8::1]:9276
            """)
    void anAddressOffLoopbackWithoutTlsIsRefusedNamingWhatToConfigure(String host, String shown) {
        ApiSection s = ApiSection.on(new InetSocketAddress(host, 9276));
        assertThat(s.loopback()).isFalse();
        assertThatThrownBy(s::requireSafe)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the API would listen on " + shown + ", which is not a loopback address, without TLS: give"
                        + " --api-cert FILE and --api-key FILE (or api.tls_cert and api.tls_key in the configuration),"
                        + " or listen on 127.0.0.1");
        assertThatCode(() -> s.withTls(dir.resolve("c"), dir.resolve("k")).requireSafe())
                .doesNotThrowAnyException();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            ::                   | ::
            2001:db8::1          | 2001:db8::1
            2001:db8:0:1:0:0:0:1 | 2001:db8:0:1::1
            2001:0:0:1:0:0:0:1   | 2001:0:0:1::1
            2001:db8:1:1:1:1:1:1 | 2001:db8:1:1:1:1:1:1
            1:0:1:0:1:0:1:0      | 1:0:1:0:1:0:1:0
            fe80::               | fe80::
            """)
    void ipv6AddressesAreShownAsPeopleWriteThem(String address, String shown) throws Exception {
        assertThat(ApiSection.compressed((java.net.Inet6Address) java.net.InetAddress.getByName(address)))
                .isEqualTo(shown);
    }

    @Test
    void halfATlsSetupIsRefused() {
        ApiSection half = new ApiSection(
                new InetSocketAddress("127.0.0.1", 1), Optional.empty(), Optional.of(dir), Optional.empty());
        assertThatThrownBy(half::requireSafe)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("the API's TLS needs both a certificate chain and its key");
    }
}
