package org.levee.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class WebPageTest {

    @Test
    void theHashIsTheOneBrowsersCompute() {
        // SHA-256 of the empty string, base64: the value CSP Level 2's examples use.
        assertThat(WebPage.sha256("")).isEqualTo("sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
    }

    @Test
    void thePolicyAllowsExactlyTheInlineScriptAndStyle() {
        WebPage page = WebPage.of("<html><style>p{}</style><script>go()</script></html>");
        assertThat(page.contentSecurityPolicy())
                .startsWith("default-src 'none'; script-src '" + WebPage.sha256("go()") + "'; style-src '"
                        + WebPage.sha256("p{}") + "';")
                .contains("connect-src 'self'")
                .contains("form-action 'none'")
                .doesNotContain("unsafe");
    }

    @Test
    void aPageWithTwoScriptsOrNoneIsRefused() {
        assertThatThrownBy(() -> WebPage.of("<style></style><script>a</script><script>b</script>"))
                .hasMessageContaining("more than one <script> element");
        assertThatThrownBy(() -> WebPage.of("<style></style>")).hasMessageContaining("no <script> element");
    }

    @Test
    void theShippedPageLoadsNothingFromElsewhereAndWritesNothing() {
        String html = new String(WebPage.load().html(), StandardCharsets.UTF_8);
        // The only absolute URL is SVG's namespace name, which is never fetched.
        assertThat(Pattern.compile("https?://")
                        .matcher(html.replace("http://www.w3.org/2000/svg", ""))
                        .find())
                .isFalse();
        assertThat(html)
                .doesNotContain("<form")
                .doesNotContain("<input")
                .doesNotContain("<button")
                .doesNotContain("method:")
                .doesNotContain("XMLHttpRequest")
                .doesNotContain("innerHTML");
        assertThat(WebPage.load().contentSecurityPolicy()).contains("script-src 'sha256-");
    }
}
