package io.lifeboat.logging;

import ch.qos.logback.classic.pattern.ThrowableProxyConverter;
import ch.qos.logback.classic.spi.IThrowableProxy;
import io.lifeboat.config.Redaction;

/** A logged exception's stack trace without any secret the config holds (messages often carry URLs). */
public final class RedactingThrowableConverter extends ThrowableProxyConverter {

    @Override
    protected String throwableProxyToString(IThrowableProxy proxy) {
        return Redaction.redact(super.throwableProxyToString(proxy));
    }
}
