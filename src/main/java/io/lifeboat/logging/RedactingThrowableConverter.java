package io.lifeboat.logging;

import ch.qos.logback.classic.pattern.ThrowableProxyConverter;
import ch.qos.logback.classic.spi.IThrowableProxy;
import io.lifeboat.config.Secrets;

/** A logged exception's stack trace without any secret the config holds (messages often carry URLs). */
public final class RedactingThrowableConverter extends ThrowableProxyConverter {

    @Override
    protected String throwableProxyToString(IThrowableProxy proxy) {
        return Secrets.redact(super.throwableProxyToString(proxy));
    }
}
