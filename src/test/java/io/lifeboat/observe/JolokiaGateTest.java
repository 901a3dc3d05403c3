package io.lifeboat.observe;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class JolokiaGateTest {

    private static String basic(String pair) {
        return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theTokenComesAsBearerOrAsTheBasicPassword() {
        assertThat(JolokiaGate.presented("Bearer abc-token")).isEqualTo("abc-token");
        assertThat(JolokiaGate.presented("bearer   abc-token ")).isEqualTo("abc-token");
        assertThat(JolokiaGate.presented(basic("hawtio:abc:token"))).isEqualTo("abc:token");
        assertThat(JolokiaGate.presented(basic(":abc-token"))).isEqualTo("abc-token");
    }

    @Test
    void anythingElseIsNoToken() {
        assertThat(JolokiaGate.presented("Basic !!!not-base64")).isNull();
        assertThat(JolokiaGate.presented(basic("no-colon"))).isNull();
        assertThat(JolokiaGate.presented("Digest username=x")).isNull();
        assertThat(JolokiaGate.presented("abc-token")).isNull();
        assertThat(JolokiaGate.presented("")).isNull();
    }
}
